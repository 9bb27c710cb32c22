#!/usr/bin/env bash
# netns.sh - two isolated test hosts (network namespaces joined by a veth pair)
# for udp-duplex-lab tests that must cross a "network".
#
# Traffic only flows between the two namespaces. The root namespace's routes,
# interfaces and firewall are never touched: the veth pair is created directly
# inside the namespaces, and loss rules / shaping live inside the namespaces.
#
# Exit codes: 0 ok, 1 failure, 2 usage error, 3 cannot run here (not root,
# tool missing, namespaces/veth/nftables/tbf not available) -> callers may skip.

set -euo pipefail

readonly PROG="netns"
readonly EXIT_FAIL=1
readonly EXIT_USAGE=2
readonly EXIT_CANNOT=3

PREFIX="${NETNS_PREFIX:-udplab}"
NS_A="${PREFIX}-a"
NS_B="${PREFIX}-b"
IF_A="${NETNS_IF_A:-veth-a}"
IF_B="${NETNS_IF_B:-veth-b}"
CIDR_A="${NETNS_ADDR_A:-198.18.0.1/24}"
CIDR_B="${NETNS_ADDR_B:-198.18.0.2/24}"
IPV6="${NETNS_IPV6:-1}"
CIDR6_A="${NETNS_ADDR6_A:-2001:2::1/64}"
CIDR6_B="${NETNS_ADDR6_B:-2001:2::2/64}"
MTU="${NETNS_MTU:-1500}"
NFT_TABLE="udplab"          # table "inet udplab" inside each namespace
TBF_LATENCY="${NETNS_TBF_LATENCY:-50ms}"
TBF_BURST="${NETNS_TBF_BURST:-}"  # empty: computed from the rate
INSTALL="${NETNS_INSTALL:-0}"

usage() {
  cat <<EOF
Usage: scripts/netns.sh [--install] COMMAND [ARGS...]

Two test hosts on one Linux machine: network namespaces ${NS_A} and ${NS_B}
joined by a veth pair (${IF_A} <-> ${IF_B}), addresses from 198.18.0.0/15.

Commands:
  up                      create (or cleanly recreate) both hosts; prints
                          KEY=VALUE lines for eval: NS_A NS_B IF_A IF_B ADDR_A
                          ADDR_B PREFIXLEN [ADDR6_A ADDR6_B] MTU
  down                    delete both namespaces (and the veth); never fails
                          if they do not exist
  status                  STATE=up|down plus the same KEY=VALUE lines, then
                          details as '#' comments; exit 0 if up, 1 if not
  loss DIR PERCENT [PORT] random loss of UDP datagrams in direction DIR
                          (a2b|b2a|both) via nftables in the RECEIVING
                          namespace (table inet ${NFT_TABLE}); PERCENT 0..100,
                          up to 2 decimals; 0 removes the rule. PORT (or
                          range LO-HI) restricts to that UDP destination port
  shape DIR RATE          tbf rate limit on the sender's veth egress
                          (DIR a2b|b2a|both, RATE e.g. 20mbit, 500kbit,
                          1gbit: bits per second, as everywhere in
                          this project); RATE off|0 removes it
  drops                   DROPS_A=N DROPS_B=N: datagrams the loss rules
                          dropped in each host's input (nftables counters)
  nat LO-HI | off         a NAT in front of host A: UDP from A to B leaves
                          with its source port rewritten into LO-HI
  clear                   remove all loss rules and shaping
  exec a|b CMD [ARGS...]  run CMD inside host a or b (ip netns exec)

Options:
  --install               same as NETNS_INSTALL=1: apt-get install iproute2
                          and nftables when ip/tc/nft are missing
  -h, --help              this text

Environment:
  NETNS_PREFIX   namespace name prefix (default udplab -> udplab-a, udplab-b);
                 use distinct prefixes for parallel runs
  NETNS_ADDR_A   host A address (default 198.18.0.1/24), must be in 198.18.0.0/15
  NETNS_ADDR_B   host B address (default 198.18.0.2/24), must be in 198.18.0.0/15
  NETNS_IPV6     1 (default) adds IPv6 from the 2001:2::/48 benchmarking range;
                 0 disables it
  NETNS_ADDR6_A / NETNS_ADDR6_B   (default 2001:2::1/64, 2001:2::2/64)
  NETNS_IF_A / NETNS_IF_B         veth names inside the namespaces
                                  (default veth-a, veth-b)
  NETNS_MTU      veth MTU (default 1500)
  NETNS_TBF_BURST / NETNS_TBF_LATENCY   tbf parameters (default burst
                 max(4000 bytes, MTU+100, 4 ms at RATE), latency 50ms)
  NETNS_INSTALL  1: install missing tools with apt-get
  NETNS_LOSS_MATCH  all (default): loss applies to every UDP datagram;
                 data: only to udp-duplex-lab's measured data datagrams
                 (magic UDX1, kind 0, no warm-up flag), so that 'drops'
                 counts exactly the datagrams the tool must report as lost
  NETNS_LOSS_PATTERN  random (default): each datagram dropped with the
                 given probability; burst: the same share dropped as runs
                 of consecutive datagrams (e.g. 5 % = 5 in a row of every 100)

Exit codes: 0 ok, 1 failure, 2 usage error, 3 cannot run here (not root,
tool missing, netns/veth/nftables/tbf unsupported) - treat 3 as "skip".

Example:
  eval "\$(sudo scripts/netns.sh up)"
  sudo scripts/netns.sh loss a2b 10 9000
  sudo scripts/netns.sh exec b some-receiver --bind "\$ADDR_B"
  sudo scripts/netns.sh down
EOF
}

die() { # die CODE MESSAGE
  printf '%s: %s\n' "$PROG" "$2" >&2
  exit "$1"
}

usage_error() {
  printf '%s: %s (see -h)\n' "$PROG" "$1" >&2
  exit "$EXIT_USAGE"
}

# ---------------------------------------------------------------- validation

# 198.18.0.0/15 = 198.18.x.x and 198.19.x.x
valid_bench_v4() { # CIDR
  local re='^198\.(18|19)\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$'
  [[ $1 =~ $re ]] || return 1
  local o3="${BASH_REMATCH[2]}" o4="${BASH_REMATCH[3]}" len="${BASH_REMATCH[4]}"
  ((10#$o3 <= 255 && 10#$o4 <= 255 && 10#$len >= 15 && 10#$len <= 30))
}

# 2001:2::/48 (RFC 5180 benchmarking range): first hextets 2001:0002:0000
valid_bench_v6() { # CIDR
  local re='^2001:0{0,3}2:(:|0{1,4}:)[0-9a-fA-F:]*/([0-9]{1,3})$'
  [[ $1 =~ $re ]] || return 1
  local len="${BASH_REMATCH[2]}"
  ((10#$len >= 48 && 10#$len <= 126))
}

validate_config() {
  local name_re='^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$'
  local if_re='^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$'
  [[ $PREFIX =~ $name_re ]] || usage_error "bad NETNS_PREFIX '$PREFIX' (letters, digits, _ . -)"
  [[ $IF_A =~ $if_re && $IF_B =~ $if_re ]] || usage_error "bad NETNS_IF_A/NETNS_IF_B (max 15 chars)"
  # A bare address gets /24.
  [[ $CIDR_A == */* ]] || CIDR_A="${CIDR_A}/24"
  [[ $CIDR_B == */* ]] || CIDR_B="${CIDR_B}/24"
  valid_bench_v4 "$CIDR_A" || usage_error "NETNS_ADDR_A '$CIDR_A' is not inside 198.18.0.0/15"
  valid_bench_v4 "$CIDR_B" || usage_error "NETNS_ADDR_B '$CIDR_B' is not inside 198.18.0.0/15"
  [[ ${CIDR_A%/*} != "${CIDR_B%/*}" ]] || usage_error "NETNS_ADDR_A and NETNS_ADDR_B are equal"
  [[ ${CIDR_A#*/} == "${CIDR_B#*/}" ]] || usage_error "NETNS_ADDR_A and NETNS_ADDR_B need the same prefix length"
  case "$IPV6" in
    0) ;;
    1)
      [[ $CIDR6_A == */* ]] || CIDR6_A="${CIDR6_A}/64"
      [[ $CIDR6_B == */* ]] || CIDR6_B="${CIDR6_B}/64"
      valid_bench_v6 "$CIDR6_A" || usage_error "NETNS_ADDR6_A '$CIDR6_A' is not inside 2001:2::/48"
      valid_bench_v6 "$CIDR6_B" || usage_error "NETNS_ADDR6_B '$CIDR6_B' is not inside 2001:2::/48"
      ;;
    *) usage_error "NETNS_IPV6 must be 0 or 1" ;;
  esac
  if ! [[ $MTU =~ ^[0-9]+$ ]] || ((MTU < 1280 || MTU > 65535)); then
    usage_error "NETNS_MTU must be 1280..65535"
  fi
  [[ $INSTALL == 0 || $INSTALL == 1 ]] || usage_error "NETNS_INSTALL must be 0 or 1"
}

# ---------------------------------------------------------------- preflight

install_tools() {
  command -v apt-get >/dev/null 2>&1 ||
    die "$EXIT_CANNOT" "tools missing and apt-get not available; install iproute2 and nftables"
  printf '%s: installing iproute2 nftables with apt-get\n' "$PROG" >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 nftables; } >&2; then
    die "$EXIT_CANNOT" "apt-get install -y iproute2 nftables failed"
  fi
}

preflight() {
  [[ $(id -u) -eq 0 ]] || die "$EXIT_CANNOT" "needs root (run as root or with sudo)"
  local missing=() t
  for t in ip tc nft; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  if ((${#missing[@]} > 0)) && [[ $INSTALL == 1 ]]; then
    install_tools
    missing=()
    for t in ip tc nft; do
      command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
  fi
  local hint="or set NETNS_INSTALL=1"
  [[ $INSTALL == 0 ]] || hint="still missing after apt-get install"
  for t in "${missing[@]}"; do
    case "$t" in
      ip | tc) die "$EXIT_CANNOT" "$t not found: apt-get install -y iproute2 ($hint)" ;;
      nft) die "$EXIT_CANNOT" "nft not found: apt-get install -y nftables ($hint)" ;;
    esac
  done
}

# ---------------------------------------------------------------- helpers

ns_exists() { # NS
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF -- "$1"
}

is_up() {
  ns_exists "$NS_A" && ns_exists "$NS_B"
}

require_up() {
  is_up || die "$EXIT_FAIL" "hosts $NS_A/$NS_B are not up (run: scripts/netns.sh up)"
}

# The veth inside a namespace (found by type, so later commands do not depend
# on the NETNS_IF_* values used at "up" time).
ns_veth() { # NS
  ip -n "$1" -o link show type veth 2>/dev/null | awk -F': ' 'NR==1 {sub(/@.*/, "", $2); print $2}'
}

ns_addr() { # NS FAMILY(4|6) -> first global address without prefix length
  local dev
  dev="$(ns_veth "$1")"
  [[ -n $dev ]] || return 0
  ip -n "$1" -o "-$2" addr show dev "$dev" scope global 2>/dev/null |
    awk 'NR==1 {split($4, a, "/"); print a[1]}'
}

ns_prefixlen() { # NS
  local dev
  dev="$(ns_veth "$1")"
  [[ -n $dev ]] || return 0
  ip -n "$1" -o -4 addr show dev "$dev" scope global 2>/dev/null |
    awk 'NR==1 {split($4, a, "/"); print a[2]}'
}

print_kv() { # KEY VALUE  (eval-safe)
  printf '%s=%q\n' "$1" "$2"
}

print_env() {
  local a6 b6
  print_kv NS_A "$NS_A"
  print_kv NS_B "$NS_B"
  print_kv IF_A "$(ns_veth "$NS_A")"
  print_kv IF_B "$(ns_veth "$NS_B")"
  print_kv ADDR_A "$(ns_addr "$NS_A" 4)"
  print_kv ADDR_B "$(ns_addr "$NS_B" 4)"
  print_kv PREFIXLEN "$(ns_prefixlen "$NS_A")"
  a6="$(ns_addr "$NS_A" 6)"
  b6="$(ns_addr "$NS_B" 6)"
  if [[ -n $a6 && -n $b6 ]]; then
    print_kv ADDR6_A "$a6"
    print_kv ADDR6_B "$b6"
  fi
  print_kv MTU "$(ip -n "$NS_A" -o link show dev "$(ns_veth "$NS_A")" 2>/dev/null |
    awk '{for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1)}')"
}

delete_ns() { # NS
  if ns_exists "$1"; then
    ip netns del "$1" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- commands

cmd_down() {
  delete_ns "$NS_A"
  delete_ns "$NS_B"
  return 0
}

# Run a step of "up"; on failure tear down and exit with CODE.
up_step() { # CODE WHAT CMD...
  local code="$1" what="$2" err
  shift 2
  if ! err="$("$@" 2>&1)"; then
    cmd_down
    err="$(printf '%s' "$err" | tr '\n' ' ')"
    die "$code" "$what: ${err:-failed}"
  fi
}

cmd_up() {
  cmd_down # idempotent: recreate cleanly

  up_step "$EXIT_CANNOT" "cannot create network namespace $NS_A (ip netns add refused)" \
    ip netns add "$NS_A"
  up_step "$EXIT_CANNOT" "cannot create network namespace $NS_B (ip netns add refused)" \
    ip netns add "$NS_B"

  # The veth pair is created directly inside the namespaces: nothing ever
  # appears in the root namespace.
  up_step "$EXIT_CANNOT" "cannot create veth pair (veth support missing?)" \
    ip -n "$NS_A" link add "$IF_A" mtu "$MTU" type veth peer name "$IF_B" mtu "$MTU" netns "$NS_B"

  local ns dev cidr cidr6
  for ns in "$NS_A" "$NS_B"; do
    if [[ $ns == "$NS_A" ]]; then
      dev="$IF_A" cidr="$CIDR_A" cidr6="$CIDR6_A"
    else
      dev="$IF_B" cidr="$CIDR_B" cidr6="$CIDR6_B"
    fi
    up_step "$EXIT_FAIL" "cannot bring up lo in $ns" ip -n "$ns" link set dev lo up
    if [[ $IPV6 == 1 ]]; then
      # IPv6 is best effort (the kernel may have it disabled): warn, go on.
      # No router solicitations / autoconf noise on the test link.
      if ! ip netns exec "$ns" sh -c \
        "echo 0 > /proc/sys/net/ipv6/conf/$dev/accept_ra && echo 0 > /proc/sys/net/ipv6/conf/$dev/router_solicitations" \
        2>/dev/null || ! ip -n "$ns" -6 addr add "$cidr6" dev "$dev" nodad 2>/dev/null; then
        printf '%s: warning: IPv6 not available in %s, continuing IPv4-only\n' "$PROG" "$ns" >&2
      fi
    fi
    up_step "$EXIT_FAIL" "cannot add $cidr in $ns" ip -n "$ns" addr add "$cidr" dev "$dev"
    up_step "$EXIT_FAIL" "cannot bring up $dev in $ns" ip -n "$ns" link set dev "$dev" up
  done

  # Probe the features loss/shape rely on, so a test skips at "up" rather
  # than failing later.
  up_step "$EXIT_CANNOT" "nftables not usable in a namespace (nf_tables kernel support?)" \
    ip netns exec "$NS_A" nft -f - <<<"add table inet ${NFT_TABLE}-probe
delete table inet ${NFT_TABLE}-probe"
  up_step "$EXIT_CANNOT" "tc tbf not usable (sch_tbf kernel support?)" \
    ip netns exec "$NS_A" sh -c \
    "tc qdisc add dev $IF_A root tbf rate 1gbit burst 64kb latency 50ms && tc qdisc del dev $IF_A root"

  # Wait (bounded, ~3 s) for the carrier on both ends.
  local i
  for ((i = 0; i < 30; i++)); do
    if ip -n "$NS_A" -o link show dev "$IF_A" | grep -q 'state UP' &&
      ip -n "$NS_B" -o link show dev "$IF_B" | grep -q 'state UP'; then
      break
    fi
    sleep 0.1
  done

  print_env
}

cmd_status() {
  if ! is_up; then
    print_kv STATE down
    ns_exists "$NS_A" && printf '# %s exists but %s does not (run up or down)\n' "$NS_A" "$NS_B"
    ns_exists "$NS_B" && printf '# %s exists but %s does not (run up or down)\n' "$NS_B" "$NS_A"
    return 1
  fi
  print_kv STATE up
  print_env
  local ns dev
  for ns in "$NS_A" "$NS_B"; do
    dev="$(ns_veth "$ns")"
    printf '# --- %s\n' "$ns"
    { ip -n "$ns" -br addr show 2>&1 || true; } | sed 's/^/#   addr  /'
    if [[ -n $dev ]]; then
      { tc -n "$ns" qdisc show dev "$dev" 2>&1 || true; } | sed 's/^/#   qdisc /'
    fi
    if ip netns exec "$ns" nft list table inet "$NFT_TABLE" >/dev/null 2>&1; then
      ip netns exec "$ns" nft list table inet "$NFT_TABLE" 2>&1 | sed 's/^/#   nft   /'
    else
      printf '#   nft   (no loss rules)\n'
    fi
  done
  return 0
}

# PERCENT -> "MOD THRESHOLD" for "numgen random mod MOD < THRESHOLD".
# numgen random mod M yields 0..M-1, so "< T" drops T of every M datagrams.
percent_to_numgen() { # PERCENT
  local re='^([0-9]{1,3})(\.([0-9]{1,2}))?$'
  [[ $1 =~ $re ]] || return 1
  local int="${BASH_REMATCH[1]}" frac="${BASH_REMATCH[3]}"
  if [[ -z $frac || $frac =~ ^0+$ ]]; then
    ((10#$int <= 100)) || return 1
    printf '100 %d\n' "$((10#$int))"
  else
    [[ ${#frac} -eq 1 ]] && frac="${frac}0"
    local t=$((10#$int * 100 + 10#$frac))
    ((t <= 10000)) || return 1
    printf '10000 %d\n' "$t"
  fi
}

# Install (or remove, when threshold is 0) the loss rule in namespace RX for
# datagrams from the peer's addresses.
set_loss() { # RX_NS SRC_NS MOD THRESHOLD PORT
  local rx="$1" src="$2" mod="$3" thr="$4" port="$5"
  local src4 src6 match="meta l4proto udp" script
  src4="$(ns_addr "$src" 4)"
  src6="$(ns_addr "$src" 6)"
  [[ -n $src4 ]] || die "$EXIT_FAIL" "no IPv4 address found in $src"
  [[ -z $port ]] || match="udp dport $port"
  # Payload bits after the 8-byte UDP header (src/udp/wire.ts): magic at
  # bit 64, kind at bit 104, flags at bit 120.
  [[ ${NETNS_LOSS_MATCH:-all} != data ]] || match+=" @th,64,32 0x55445831 @th,104,8 0 @th,120,8 0"

  # "add + delete table" makes the reset atomic and idempotent.
  script="add table inet $NFT_TABLE
delete table inet $NFT_TABLE
"
  # nft rejects "mod 100 < 100" (out of 0..99): 100 % means drop all.
  # NETNS_LOSS_PATTERN=burst: "numgen inc" counts datagrams instead, so the
  # THRESHOLD dropped of every MOD are consecutive (bursty loss, RFC 3611).
  local gen=random
  [[ ${NETNS_LOSS_PATTERN:-random} != burst ]] || gen=inc
  local rnd="numgen $gen mod $mod < $thr "
  ((thr < mod)) || rnd=""
  if ((thr > 0)); then
    # hook input: runs after IPv4 reassembly, so a fragmented datagram is
    # dropped (or kept) as a whole.
    script+="table inet $NFT_TABLE {
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr $src4 $match ${rnd}counter drop
"
    [[ -n $src6 ]] &&
      script+="    ip6 saddr $src6 $match ${rnd}counter drop
"
    script+="  }
}
"
  fi
  local err
  if ! err="$(ip netns exec "$rx" nft -f - <<<"$script" 2>&1)"; then
    die "$EXIT_FAIL" "nft failed in $rx: $(printf '%s' "$err" | tr '\n' ' ')"
  fi
}

cmd_loss() {
  (($# >= 2 && $# <= 3)) || usage_error "usage: loss a2b|b2a|both PERCENT [PORT]"
  local dir="$1" pct="$2" port="${3:-}" mod thr numgen
  case "$dir" in a2b | b2a | both) ;; *) usage_error "loss: direction must be a2b, b2a or both" ;; esac
  numgen="$(percent_to_numgen "$pct")" || usage_error "loss: PERCENT must be 0..100 (up to 2 decimals), got '$pct'"
  read -r mod thr <<<"$numgen"
  if [[ -n $port ]]; then
    local pre='^([0-9]{1,5})(-([0-9]{1,5}))?$'
    [[ $port =~ $pre ]] || usage_error "loss: PORT must be N or LO-HI, got '$port'"
    local lo="${BASH_REMATCH[1]}" hi="${BASH_REMATCH[3]:-${BASH_REMATCH[1]}}"
    ((10#$lo >= 1 && 10#$hi <= 65535 && 10#$lo <= 10#$hi)) || usage_error "loss: PORT out of range: '$port'"
  fi
  require_up
  [[ $dir == a2b || $dir == both ]] && set_loss "$NS_B" "$NS_A" "$mod" "$thr" "$port"
  [[ $dir == b2a || $dir == both ]] && set_loss "$NS_A" "$NS_B" "$mod" "$thr" "$port"
  return 0
}

# RATE (tc syntax) -> bytes per second
rate_to_bytes() { # RATE
  # Bits only: tc reads "mbps" as megaBYTES per second, the CLI's --rate 1Mbps
  # as megabits; one vocabulary (bits) avoids the 8× trap.
  local re='^([0-9]+(\.[0-9]+)?)([KkMmGgTt]?)(i?)(bit)$'
  [[ $1 =~ $re ]] || return 1
  local num="${BASH_REMATCH[1]}" pfx="${BASH_REMATCH[3],,}" bin="${BASH_REMATCH[4]}" unit="${BASH_REMATCH[5]}"
  awk -v n="$num" -v p="$pfx" -v b="$bin" -v u="$unit" 'BEGIN {
    base = (b == "i") ? 1024 : 1000
    m = 1
    if (p == "k") m = base
    if (p == "m") m = base ^ 2
    if (p == "g") m = base ^ 3
    if (p == "t") m = base ^ 4
    v = n * m
    if (u == "bit") v = v / 8
    printf "%d\n", v
  }'
}

set_shape() { # NS RATE
  local ns="$1" rate="$2" dev err
  dev="$(ns_veth "$ns")"
  [[ -n $dev ]] || die "$EXIT_FAIL" "no veth found in $ns"
  if [[ $rate == off || $rate == 0 ]]; then
    tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
    return 0
  fi
  local bps burst="$TBF_BURST"
  bps="$(rate_to_bytes "$rate")"
  if [[ -z $burst ]]; then
    # at least one MTU-sized frame plus slack, and ~4 ms worth at the rate
    burst=$((bps / 250))
    ((burst >= 4000)) || burst=4000
    ((burst >= MTU + 100)) || burst=$((MTU + 100))
  fi
  if ! err="$(tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency "$TBF_LATENCY" 2>&1)"; then
    die "$EXIT_FAIL" "tc tbf failed in $ns: $(printf '%s' "$err" | tr '\n' ' ')"
  fi
}

cmd_shape() {
  (($# == 2)) || usage_error "usage: shape a2b|b2a|both RATE"
  local dir="$1" rate="$2"
  case "$dir" in a2b | b2a | both) ;; *) usage_error "shape: direction must be a2b, b2a or both" ;; esac
  if [[ $rate != off && $rate != 0 ]]; then
    local b
    b="$(rate_to_bytes "$rate")" || usage_error "shape: RATE must be bits per second like 20mbit, 500kbit, 1gbit (or off), got '$rate' (bytes units such as mbps are refused: tc reads them as megabytes)"
    ((b > 0)) || usage_error "shape: RATE must be > 0 (use 'off' to remove)"
  fi
  require_up
  # egress shaping on the SENDING side's veth
  [[ $dir == a2b || $dir == both ]] && set_shape "$NS_A" "$rate"
  [[ $dir == b2a || $dir == both ]] && set_shape "$NS_B" "$rate"
  return 0
}

cmd_drops() {
  require_up
  local ns n out key
  for key in A B; do
    ns="$NS_A"
    [[ $key == A ]] || ns="$NS_B"
    out="$(ip netns exec "$ns" nft list table inet "$NFT_TABLE" 2>/dev/null || true)"
    n="$({ grep -o 'counter packets [0-9]*' <<<"$out" || true; } | awk '{ s += $3 } END { print s + 0 }')"
    printf 'DROPS_%s=%s\n' "$key" "$n"
  done
}

cmd_clear() {
  local ns dev
  for ns in "$NS_A" "$NS_B"; do
    ns_exists "$ns" || continue
    ip netns exec "$ns" nft -f - >/dev/null 2>&1 <<<"add table inet $NFT_TABLE
delete table inet $NFT_TABLE" || true
    dev="$(ns_veth "$ns")"
    [[ -z $dev ]] || tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
  done
  return 0
}

# A NAT in front of host A, as a home router would be: UDP from A to B leaves
# with its source port rewritten into LO-HI (nftables snat in A's postrouting;
# conntrack maps B's replies back). Lets a test see the listener's view of
# the client ("seen as", like STUN) differ from the client's own address.
cmd_nat() {
  (($# == 1)) || usage_error "usage: nat LO-HI | off"
  local table="ip ${NFT_TABLE}-nat"
  if [[ $1 == off ]]; then
    ip netns exec "$NS_A" nft -f - >/dev/null 2>&1 <<<"add table $table
delete table $table" || true
    return 0
  fi
  [[ $1 =~ ^[0-9]+-[0-9]+$ ]] || usage_error "nat: port range LO-HI expected, got '$1'"
  local addr_a="${CIDR_A%/*}" addr_b="${CIDR_B%/*}" err
  if ! err="$(ip netns exec "$NS_A" nft -f - 2>&1 <<<"add table $table
flush table $table
add chain $table post { type nat hook postrouting priority srcnat; }
add rule $table post ip saddr $addr_a ip daddr $addr_b meta l4proto udp snat to $addr_a:$1")"; then
    die "$EXIT_CANNOT" "nftables NAT not available in $NS_A: $(printf '%s' "$err" | tr '\n' ' ')"
  fi
}

cmd_exec() {
  (($# >= 2)) || usage_error "usage: exec a|b CMD [ARGS...]"
  local ns
  case "$1" in
    a | A) ns="$NS_A" ;;
    b | B) ns="$NS_B" ;;
    *) usage_error "exec: host must be a or b, got '$1'" ;;
  esac
  shift
  ns_exists "$ns" || die "$EXIT_FAIL" "host $ns is not up (run: scripts/netns.sh up)"
  exec ip netns exec "$ns" "$@"
}

# ---------------------------------------------------------------- main

main() {
  while (($# > 0)); do
    case "$1" in
      -h | --help | help)
        usage
        return 0
        ;;
      --install)
        INSTALL=1
        shift
        ;;
      --)
        shift
        break
        ;;
      -*) usage_error "unknown option '$1'" ;;
      *) break ;;
    esac
  done
  (($# > 0)) || {
    usage >&2
    exit "$EXIT_USAGE"
  }
  local cmd="$1"
  shift
  case "$cmd" in
    up | down | status | loss | shape | drops | clear | exec | nat) ;;
    *) usage_error "unknown command '$cmd'" ;;
  esac
  validate_config
  preflight
  case "$cmd" in
    up)
      (($# == 0)) || usage_error "up takes no arguments"
      cmd_up
      ;;
    down)
      (($# == 0)) || usage_error "down takes no arguments"
      cmd_down
      ;;
    status) cmd_status ;;
    loss) cmd_loss "$@" ;;
    drops) cmd_drops ;;
    shape) cmd_shape "$@" ;;
    clear) cmd_clear ;;
    nat) cmd_nat "$@" ;;
    exec) cmd_exec "$@" ;;
  esac
}

main "$@"
