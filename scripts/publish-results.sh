#!/usr/bin/env bash
# Regenerates the published runs in results/ on this machine, then the index
# (npm run results). Loopback only, plus a two-host run between network
# namespaces made by scripts/netns.sh (skipped with a message where that
# cannot run). Takes about 4 minutes; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
bench() { node dist/cli.js "$@"; }
common=(--rcvbuf 4m --sndbuf 4m --duration 10 --omit 1 --no-progress)
# Local runs: one --threads sets both endpoints, so one mode in the name means both.
for threads in single split; do
  bench duplex --threads "$threads" --size 64 --rate 100k "${common[@]}" --out "results/duplex-$threads-64B.json" >/dev/null
  bench duplex --threads "$threads" --size 1400 --rate 50k "${common[@]}" --out "results/duplex-$threads-1400B.json" >/dev/null
done
bench sweep --rcvbuf 208k,1m,4m --size 64,1400 --rate 50k,100k --threads single --duration 3 --omit 0.5 --no-progress --out results/sweep-rcvbuf-size-rate.json >/dev/null
bench duplex --find-max --size 64 --rcvbuf 4m --sndbuf 4m --threads single --no-progress --out results/findmax-single-64B.json >/dev/null

# Two hosts: listener in one namespace, client in the other.
if NETNS_PREFIX=udplabpub bash scripts/netns.sh up >/tmp/netns-pub.env 2>/tmp/netns-pub.err; then
  trap 'NETNS_PREFIX=udplabpub bash scripts/netns.sh down >/dev/null 2>&1 || true' EXIT
  addr_b=$(grep '^ADDR_B=' /tmp/netns-pub.env | cut -d= -f2 | cut -d/ -f1)
  # Each side picks its own thread mode, so a remote result can have two:
  # both are set explicitly (auto would depend on the machine) and both are in
  # the name. results-index.mjs shows them per endpoint from endpoints[].threads.
  client_threads=single
  listener_threads=split
  NETNS_PREFIX=udplabpub bash scripts/netns.sh exec b node dist/cli.js listen --host "$addr_b" --port 5301 --threads "$listener_threads" --once --no-save --json >/dev/null 2>&1 &
  sleep 1
  NETNS_PREFIX=udplabpub bash scripts/netns.sh exec a node dist/cli.js duplex --peer "$addr_b:5301" --rate 50k --size 200 --duration 10 --omit 1 --rcvbuf 4m --sndbuf 4m --threads "$client_threads" --no-progress --out "results/remote-netns-client-$client_threads-listener-$listener_threads-200B.json" >/dev/null
  wait
else
  echo "publish: skipped the two-host run: $(head -1 /tmp/netns-pub.err)" >&2
fi
node scripts/results-index.mjs
echo "publish: README.md quotes figures from these files; update them, then npx vitest run test/readme-figures.test.ts" >&2
