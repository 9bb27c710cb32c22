#!/usr/bin/env node
/**
 * A/B of one change, side by side in one run (issue 11): single mode with its
 * socket connected to the peer and a stranger socket beside it (B, today's
 * default) against the socket left unconnected (A, BENCH_SINGLE_CONNECT=0, as
 * before). Rounds alternate A and B so that the machine's drift (it is shared
 * and noisy) hits both alike; each run is an unpaced flood of 64-byte
 * datagrams both ways on loopback, 4 MiB buffers.
 *
 * Why a flood and not the find-max search: one search per side takes minutes
 * and its figure moves by ±40 % between runs on this machine; a ~10 % change
 * drowns in that. Paired floods measure the sending cost directly (the sender
 * is the limit at 64 B: every search figure of ours is `undersent`).
 *
 * Usage: npm run build && node scripts/ab-single-connect.mjs [ROUNDS] [SECONDS]
 * Writes results/perf-ab-single-connect-DATE.json and .md (listed with the
 * bench:perf runs in results/README.md).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const rounds = Math.max(2, Math.min(50, Number(process.argv[2] ?? 8)));
const seconds = Math.max(1, Math.min(10, Number(process.argv[3] ?? 3)));
const ARGS = ['duplex', '-t', String(seconds), '--size', '64', '--rate', 'max', '--rcvbuf', '4m', '--sndbuf', '4m', '--threads', 'single', '--no-save', '--no-progress', '--json'];

const VARIANTS = [
  { name: 'unconnected', env: { BENCH_SINGLE_CONNECT: '0' }, what: 'single mode, one unconnected socket per endpoint (sends name the peer each time)' },
  { name: 'connected', env: {}, what: 'single mode, socket connected to the peer + an unconnected stranger socket on the same port (the default)' },
];

function runOnce(env) {
  const out = execFileSync(process.execPath, [CLI, ...ARGS], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  const r = JSON.parse(out);
  const dirs = r.directions.map((d) => ({ from: d.from, sentPps: d.sentPps, receivedPps: d.receivedPps, lossPercent: d.lossPercent, foreign: d.foreign, checkAgree: d.check.agree }));
  return {
    sentPps: dirs.reduce((a, d) => a + d.sentPps, 0),
    receivedPps: dirs.reduce((a, d) => a + d.receivedPps, 0),
    directions: dirs,
    complete: r.complete,
    environment: r.environment,
  };
}

const mean = (xs) => xs.reduce((a, x) => a + x, 0) / xs.length;
const sd = (xs) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const runs = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so neither always runs on a warmer machine.
  const order = i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
  const round = {};
  for (const v of order) {
    round[v.name] = runOnce(v.env);
    process.stderr.write(`round ${i + 1}/${rounds} ${v.name}: sent ${Math.round(round[v.name].sentPps)}/s, received ${Math.round(round[v.name].receivedPps)}/s (both directions)\n`);
  }
  runs.push(round);
}

const summary = {};
for (const v of VARIANTS) {
  const sent = runs.map((r) => r[v.name].sentPps);
  const recv = runs.map((r) => r[v.name].receivedPps);
  summary[v.name] = { sentPpsMean: mean(sent), sentPpsSd: sd(sent), receivedPpsMean: mean(recv), receivedPpsSd: sd(recv) };
}
const pairedSent = runs.map((r) => r.connected.sentPps / r.unconnected.sentPps);
const pairedRecv = runs.map((r) => r.connected.receivedPps / r.unconnected.receivedPps);
const result = {
  kind: 'ab',
  schemaVersion: 2,
  change: 'single mode: socket connected to the peer, strangers counted on a second unconnected socket',
  date: new Date().toISOString(),
  command: `node dist/cli.js ${ARGS.join(' ')}`,
  rounds,
  seconds,
  variants: VARIANTS.map(({ name, what, env }) => ({ name, what, env })),
  // The machine, as every result records it (the first run's; all ran here within minutes).
  environment: runs[0].connected.environment,
  summary,
  ratio: {
    sentMeans: summary.connected.sentPpsMean / summary.unconnected.sentPpsMean,
    receivedMeans: summary.connected.receivedPpsMean / summary.unconnected.receivedPpsMean,
    sentPairedMedian: median(pairedSent),
    receivedPairedMedian: median(pairedRecv),
    roundsConnectedSentMore: pairedSent.filter((x) => x > 1).length,
  },
  runs: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ...v, environment: undefined }]))),
};

const day = result.date.slice(0, 10);
const base = join(ROOT, 'results', `perf-ab-single-connect-${day}`);
writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
const f = (x) => Math.round(x).toLocaleString('en-US');
const md = [
  `# A/B: single mode, connected socket vs unconnected — ${day}`,
  '',
  `Machine: ${result.environment.cpuModel} × ${result.environment.cpuCount}, Linux ${result.environment.osRelease}, Node ${result.environment.nodeVersion}. ${rounds} rounds, alternating which variant runs first; each run \`${result.command}\` (both directions summed).`,
  '',
  '| variant | sent/s, mean ± sd | received/s, mean ± sd |',
  '| --- | --: | --: |',
  ...VARIANTS.map((v) => `| ${v.name}: ${v.what} | ${f(summary[v.name].sentPpsMean)} ± ${f(summary[v.name].sentPpsSd)} | ${f(summary[v.name].receivedPpsMean)} ± ${f(summary[v.name].receivedPpsSd)} |`),
  '',
  `Connected / unconnected: sent ${result.ratio.sentMeans.toFixed(2)} (means), ${result.ratio.sentPairedMedian.toFixed(2)} (median of the rounds' ratios); received ${result.ratio.receivedMeans.toFixed(2)} (means), ${result.ratio.receivedPairedMedian.toFixed(2)} (median of the rounds' ratios). The connected variant sent more in ${result.ratio.roundsConnectedSentMore} of ${rounds} rounds.`,
  '',
  'An unpaced flood on a shared 2-core machine: the figures move between runs; only the side-by-side ratio of this run is meant to be quoted.',
  '',
].join('\n');
writeFileSync(`${base}.md`, md);
process.stderr.write(`ab: wrote ${base}.json and .md\n`);
