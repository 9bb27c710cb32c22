#!/usr/bin/env bash
# Regenerates the published media-quality runs in results/ (issue 23): voice
# and video with --wire rtp on loopback, and voice across two network
# namespaces with 3 % random loss and with 5 % bursty loss on A->B, each
# two-host run captured on B and read by tshark's RTP analysis, whose
# summary is saved beside the result (*.tshark.txt) as the second witness.
# Needs root, iproute2, nftables and tshark for the two-host runs (skipped
# with a message otherwise). Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
bench() { node dist/cli.js "$@"; }

bench duplex --wire rtp --pattern voice --duration 10 --no-progress --out results/voice-rtp-loopback.json >/dev/null
bench duplex --wire rtp --pattern video --stall 100@2 --duration 10 --no-progress --out results/video-rtp-stall-loopback.json >/dev/null

export NETNS_PREFIX=udplabmedia NETNS_IPV6=0
if bash scripts/netns.sh up >/tmp/netns-media.env 2>/tmp/netns-media.err && command -v tshark >/dev/null; then
  trap 'bash scripts/netns.sh down >/dev/null 2>&1 || true' EXIT
  eval "$(grep -E '^(NS_A|NS_B|IF_A|IF_B|ADDR_B)=' /tmp/netns-media.env)"
  addr_b=${ADDR_B%/*}
  # name, numgen kind, share: the drop happens on A's egress (netdev hook), before any capture point,
  # and only to RTP (first two payload bits = version 2), so control frames all pass.
  for spec in "voice-rtp-netns-random3:random:3" "voice-rtp-netns-burst5:inc:5"; do
    IFS=: read -r name gen pct <<<"$spec"
    ip netns exec "$NS_A" nft -f - <<EOF
table netdev udpmedia {
  chain egress { type filter hook egress device "$IF_A" priority 0; udp dport 5301 @th,64,2 2 numgen $gen mod 100 < $pct counter drop; }
}
EOF
    ip netns exec "$NS_B" dumpcap -q -i "$IF_B" -s 96 -f 'udp port 5301' -w "/tmp/$name.pcapng" 2>/dev/null &
    cap=$!
    sleep 1
    ip netns exec "$NS_B" node dist/cli.js listen --host "$addr_b" --port 5301 --threads single --once --no-save --json >/dev/null 2>&1 &
    sleep 1
    ip netns exec "$NS_A" node dist/cli.js duplex --peer "$addr_b:5301" --wire rtp --pattern voice --duration 20 --threads single --no-progress --out "results/$name.json" >/dev/null
    wait %2 2>/dev/null || true
    sleep 0.5
    kill -INT "$cap"
    wait "$cap" || true
    {
      echo "# tshark $(tshark --version | head -1 | sed 's/^TShark (Wireshark) //'): tshark -q -r $name.pcapng -d udp.port==5301,rtp -z rtp,streams"
      echo "# capture on host B's veth; $pct % of A->B RTP dropped on A's egress by nftables numgen $gen (dropped: $(ip netns exec "$NS_A" nft list table netdev udpmedia | grep -o 'packets [0-9]*'))"
      tshark -q -n -r "/tmp/$name.pcapng" -d udp.port==5301,rtp -z rtp,streams 2>/dev/null
    } >"results/$name.tshark.txt"
    ip netns exec "$NS_A" nft delete table netdev udpmedia
    rm -f "/tmp/$name.pcapng"
  done
else
  echo "publish-media: skipped the two-host runs: $(head -1 /tmp/netns-media.err 2>/dev/null) (or tshark missing)" >&2
fi
node scripts/results-index.mjs
