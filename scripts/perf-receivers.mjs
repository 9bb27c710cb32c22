#!/usr/bin/env node
/**
 * K receivers on the server's one port (issue 24, part 5): `bench duplex
 * --clients N --threads split` with `--server-receivers 1` against `2`, at
 * fixed offered rates, side by side in one run. Rounds alternate the order
 * (1 then 2, 2 then 1) so that the shared machine's drift hits both alike.
 *
 * What it can show on a 2-core machine, candidly: the clients run on the
 * same two cores as the server (N clients in split mode are 2N threads), so
 * a second receiver thread cannot get a core of its own. What it measures is
 * whether spreading the receive over two sockets and threads changes what
 * arrives (two receive queues instead of one absorb bursts: less loss into
 * the server at the same rate) and what each datagram read costs. The gain
 * K receivers bring on a many-core server is not measurable here.
 *
 * reusePort needs Node 22.12+: this script runs the CLI on this Node when it
 * can, else on Node 24 from scripts/node-bin.sh.
 *
 * Usage: npm run build && node scripts/perf-receivers.mjs [ROUNDS] [SECONDS]
 * Writes results/perf-receivers-DATE.json and .md (PERF_OUT=path/stem to change).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reusePortSupport } from '../dist/udp/socket.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const rounds = Math.max(1, Math.min(20, Number(process.argv[2] ?? 4)));
const seconds = Math.max(1, Math.min(10, Number(process.argv[3] ?? 3)));
const SIZE = 64;
// Offered load into the server: N clients at R datagrams/s each (the server sends 2k/s back to each).
const POINTS = [
  { clients: 4, ratePerClientPps: 15_000 },
  { clients: 8, ratePerClientPps: 6_000 },
];
const VARIANTS = [1, 2];

function nodeWithReusePort() {
  if (reusePortSupport().ok) return process.execPath;
  return execFileSync('bash', [join(ROOT, 'scripts', 'node-bin.sh'), '24'], { encoding: 'utf8' }).trim();
}
const NODE = nodeWithReusePort();
const nodeVersion = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();

function args(p, k) {
  return ['duplex', '--clients', String(p.clients), '--threads', 'split', '--server-receivers', String(k), '-t', String(seconds), '--size', String(SIZE), '--rate-ab', String(p.ratePerClientPps), '--rate-ba', '2000', '--no-save', '--no-progress', '--json'];
}

let environment = null;
function runOnce(p, k, round) {
  const base = { variant: `K=${k}`, serverReceivers: k, clients: p.clients, ratePerClientPps: p.ratePerClientPps, round };
  try {
    const out = execFileSync(NODE, [CLI, ...args(p, k)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const r = JSON.parse(out);
    environment ??= r.environment;
    const [up, down] = r.directions;
    const server = r.endpoints.find((e) => e.id === 'B');
    const rx = server.cpu.filter((c) => c.thread.startsWith('receiver'));
    const read = rx.reduce((a, c) => a + c.receivedDatagrams, 0);
    const us = rx.reduce((a, c) => a + c.userUs + c.systemUs, 0);
    return {
      ...base,
      complete: r.complete,
      intoServer: { sentPps: up.sentPps, receivedPps: up.receivedPps, lossPercent: up.lossPercent, kernelDrops: up.kernelDrops, checkAgree: up.check.agree },
      fromServer: { sentPps: down.sentPps, receivedPps: down.receivedPps, lossPercent: down.lossPercent },
      receiverShares: rx.map((c) => c.receivedDatagrams),
      receiverUsPerDatagram: read > 0 ? us / read : null,
      error: null,
    };
  } catch (err) {
    return { ...base, complete: false, intoServer: { sentPps: null, receivedPps: null, lossPercent: null, kernelDrops: null, checkAgree: false }, fromServer: { sentPps: null, receivedPps: null, lossPercent: null }, receiverShares: [], receiverUsPerDatagram: null, error: String(err.message ?? err).split('\n')[0].slice(0, 300) };
  }
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const startedAt = new Date().toISOString();
const runs = [];
for (let round = 1; round <= rounds; round++) {
  for (const p of POINTS) {
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const k of order) {
      const r = runOnce(p, k, round);
      runs.push(r);
      process.stderr.write(`round ${round} ${p.clients}×${p.ratePerClientPps}/s K=${k}: into server ${r.intoServer.receivedPps?.toFixed(0) ?? 'n/a'}/s, loss ${r.intoServer.lossPercent?.toFixed(2) ?? 'n/a'} %, shares ${r.receiverShares.join('+')}, ${r.receiverUsPerDatagram?.toFixed(2) ?? 'n/a'} µs/read${r.error ? ` ERROR ${r.error}` : ''}\n`);
    }
  }
}

const summary = [];
for (const p of POINTS) {
  for (const k of VARIANTS) {
    const mine = runs.filter((r) => r.clients === p.clients && r.ratePerClientPps === p.ratePerClientPps && r.serverReceivers === k && r.error === null);
    const ratios = mine.map((r) => {
      const one = runs.find((o) => o.clients === r.clients && o.ratePerClientPps === r.ratePerClientPps && o.round === r.round && o.serverReceivers === 1 && o.error === null);
      return one && one.intoServer.receivedPps ? r.intoServer.receivedPps / one.intoServer.receivedPps : null;
    });
    summary.push({
      clients: p.clients,
      ratePerClientPps: p.ratePerClientPps,
      serverReceivers: k,
      runs: mine.length,
      receivedIntoServerPpsMedian: median(mine.map((r) => r.intoServer.receivedPps)),
      lossIntoServerPercentMedian: median(mine.map((r) => r.intoServer.lossPercent)),
      receiverUsPerDatagramMedian: median(mine.map((r) => r.receiverUsPerDatagram)),
      receivedRatioToOneMedian: median(ratios),
    });
  }
}

const date = startedAt.slice(0, 10);
const stem = process.env.PERF_OUT ?? join(ROOT, 'results', `perf-receivers-${date}`);
const command = `node scripts/perf-receivers.mjs ${rounds} ${seconds}`;
const result = { kind: 'perf-receivers', schemaVersion: 2, startedAt, command, node: nodeVersion, environment, settings: { seconds, rounds, sizeBytes: SIZE, clients: POINTS.map((p) => p.clients), ratesPerClientPps: POINTS.map((p) => p.ratePerClientPps) }, runs, summary };
writeFileSync(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);

const f = (x, d = 0) => (x === null ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const cpu = environment?.cpuModel ?? 'unknown CPU';
const lines = [
  `# K receivers on the server's one port, ${date}`,
  '',
  `\`${command}\` — Node ${nodeVersion}, ${environment?.cpuCount ?? '?'} × ${cpu}, ${environment?.kernel ?? ''}. ${SIZE} B datagrams, clients and server on this one machine (loopback), split threads, each server → client at 2,000/s; ${rounds} rounds alternating the order of K = 1 and K = 2, ${seconds} s measured each.`,
  '',
  '| clients × rate into server | K | runs | received into server (median) | loss into server (median) | receiver CPU per datagram read (median) | received, K / 1 (paired median) |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...summary.map((s) => `| ${s.clients} × ${f(s.ratePerClientPps)}/s | ${s.serverReceivers} | ${s.runs} | ${f(s.receivedIntoServerPpsMedian)}/s | ${f(s.lossIntoServerPercentMedian, 2)} % | ${f(s.receiverUsPerDatagramMedian, 2)} µs | ${f(s.receivedRatioToOneMedian, 3)} |`),
  '',
  'What two cores can show: the clients (2 threads each) share the same two cores with the server, so a second receiver thread gets no core of its own; a ratio near 1 says so, not that K receivers do not scale. What they cannot show is the gain on a server with free cores.',
  '',
];
writeFileSync(`${stem}.md`, lines.join('\n'));
process.stderr.write(`wrote ${stem}.json and .md\n`);
