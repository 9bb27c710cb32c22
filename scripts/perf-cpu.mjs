#!/usr/bin/env node
/**
 * CPU per datagram carried, side by side in one run (issue 24): this tool in
 * both thread modes, the plainest paced node:dgram loop
 * (scripts/perf-plain-dgram.mjs) and iperf3 --bidir, each at the same fixed
 * rates per direction and datagram sizes, in alternating rounds (so that a
 * neighbour's burst on this shared machine hits every contender alike).
 *
 *   npm run build && node scripts/perf-cpu.mjs            # writes results/perf-cpu-<date>.json and .md
 *   PERF_CPU_S=5 PERF_CPU_ROUNDS=3 node scripts/perf-cpu.mjs
 *
 * What is measured: the whole process tree of each contender — user + system
 * time of every finished child of a `bash -c '…; times'` (getrusage
 * RUSAGE_CHILDREN: both iperf3 processes; the plain loop's coordinator and
 * endpoints; this tool's process with its worker threads) — over the
 * datagrams its senders handed to the kernel (warm-up included: the CPU paid
 * for them too). Process start and teardown are in it for everyone alike,
 * which is why the runs are several seconds long. Rates are per direction,
 * both directions at once, 127.0.0.1 only, 4 MiB socket buffers; every run is
 * bounded in time.
 *
 * Why CPU and not the maximum rate alone: four busy threads share two cores
 * here, and the maximum rate moves ±40 % between runs; CPU time per datagram
 * moves far less and says what a server needs ("how many cores for 200k/s?").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../dist/cli/files.js';
import { collectEnvironment } from '../dist/bench/environment.js';
import { TOOL } from '../dist/version.js';
import { AnyPerfResultSchema } from '../dist/result/perf-schema.js';
import { Compile } from 'typebox/compile';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const SECONDS = Number(process.env.PERF_CPU_S ?? 5);
/**
 * A second, short run of every point (0 = none): the steady-state cost is
 * (CPU long − CPU short) / (datagrams long − datagrams short), which leaves
 * out what a run pays once (process and thread start-up, module loading,
 * probes, teardown) and keeps what each datagram costs. A server runs for
 * hours: that is the figure to size it by. The whole-run figure stays beside it.
 */
const SHORT_SECONDS = Number(process.env.PERF_CPU_SHORT_S ?? 1);
const ROUNDS = Number(process.env.PERF_CPU_ROUNDS ?? 2);
const RATES = (process.env.PERF_CPU_RATES ?? '20000,50000').split(',').map(Number);
const SIZES = (process.env.PERF_CPU_SIZES ?? '64,1400').split(',').map(Number);
const BUF = 4 * 1024 * 1024;
/** The rate each way the cores projection is for. */
const PROJECTION_PPS = 100_000;
if (!(SECONDS >= 1 && SECONDS <= 60 && Number.isInteger(SECONDS)) || !(ROUNDS >= 1 && ROUNDS <= 10) || !(Number.isInteger(SHORT_SECONDS) && SHORT_SECONDS >= 0 && SHORT_SECONDS < SECONDS)) {
  console.error('perf-cpu: PERF_CPU_S must be whole seconds 1..60 (iperf3 -t takes whole seconds), PERF_CPU_ROUNDS 1..10, PERF_CPU_SHORT_S whole seconds below PERF_CPU_S (0: no short run)');
  process.exit(2);
}

/** Runs `script` under bash, then `times`: returns its stdout file's text and the children's CPU µs. */
function timed(script, outFile) {
  const r = spawnSync('bash', ['-c', `{ ${script}; } > ${outFile}; status=$?; times; exit $status`], { encoding: 'utf8', timeout: (SECONDS + 40) * 1000 });
  const lines = (r.stdout ?? '').trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
  let text = '';
  try {
    text = readFileSync(outFile, 'utf8');
  } catch {
    // nothing written
  }
  return { ok: r.status === 0 && m !== null, cpuUs: m === null ? null : (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1e6, text, why: r.status === 0 ? null : (r.stderr || '').slice(0, 200) };
}

let iperfPort = 5590;
const node = JSON.stringify(process.execPath);
const CONTENDERS = {
  'ours-single': {
    description: `bench duplex --threads single (this tool, v${TOOL.version}), --omit 0`,
    run: (size, rate, out, seconds) => {
      const t = timed(`${node} ${JSON.stringify(path.join(ROOT, 'dist/cli.js'))} duplex --threads single --rate ${rate} --size ${size} --duration ${seconds} --omit 0 --rcvbuf 4m --sndbuf 4m --json --no-save --no-progress`, out);
      return oursFigures(t);
    },
  },
  'ours-split': {
    description: `bench duplex --threads split (this tool, v${TOOL.version}), --omit 0`,
    run: (size, rate, out, seconds) => {
      const t = timed(`${node} ${JSON.stringify(path.join(ROOT, 'dist/cli.js'))} duplex --threads split --rate ${rate} --size ${size} --duration ${seconds} --omit 0 --rcvbuf 4m --sndbuf 4m --json --no-save --no-progress`, out);
      return oursFigures(t);
    },
  },
  plain: {
    description: 'the plainest paced node:dgram duplex loop (scripts/perf-plain-dgram.mjs: a connected socket per endpoint process, 16 sends a turn, no callback, no accounting)',
    run: (size, rate, out, seconds) => {
      const t = timed(`${node} ${JSON.stringify(path.join(ROOT, 'scripts/perf-plain-dgram.mjs'))} --size ${size} --rate-ab ${rate} --rate-ba ${rate} --seconds ${seconds} --omit 0 --buf ${BUF}`, out);
      if (!t.ok) return { error: t.why ?? 'failed' };
      const doc = JSON.parse(t.text.trim().split('\n').pop() ?? '{}');
      if (!doc.ok) return { error: doc.reason ?? 'failed' };
      // `issued`: send() calls; on loopback without refusals they are the kernel-accepted datagrams (the loop cannot see refusals).
      return { cpuUs: t.cpuUs, datagrams: doc.ab.issued + doc.ba.issued, sentPpsAb: doc.ab.sentPps, sentPpsBa: doc.ba.sentPps, threadsUsPerDatagram: null };
    },
  },
  iperf3: {
    description: `iperf3 -u --bidir -l SIZE -w 4M (server and client processes)`,
    run: (size, rate, out, seconds) => {
      const port = iperfPort++;
      const t = timed(`iperf3 -s -1 -p ${port} -B ${HOST} >/dev/null 2>&1 & sleep 0.5; iperf3 -c ${HOST} -p ${port} -u --bidir -b ${rate * size * 8} -l ${size} -w 4M -t ${seconds} -J; wait`, out);
      if (!t.ok) return { error: t.why ?? 'iperf3 failed' };
      const e = JSON.parse(t.text).end;
      const a = e.sum_sent;
      const b = e.sum_sent_bidir_reverse;
      return { cpuUs: t.cpuUs, datagrams: a.packets + b.packets, sentPpsAb: a.packets / a.seconds, sentPpsBa: b.packets / b.seconds, threadsUsPerDatagram: null };
    },
  },
};

function oursFigures(t) {
  if (!t.ok) return { error: t.why ?? 'failed' };
  const r = JSON.parse(t.text);
  const sent = r.directions.reduce((n, d) => n + d.sent, 0) + r.endpoints.reduce((n, e) => n + e.warmupSent, 0);
  const ab = r.directions.find((d) => d.from === 'A');
  const ba = r.directions.find((d) => d.from === 'B');
  return { cpuUs: t.cpuUs, datagrams: sent, sentPpsAb: ab.sentPps, sentPpsBa: ba.sentPps, threadsUsPerDatagram: r.cpuCost?.usPerDatagramCarried ?? null };
}

const iperfOk = spawnSync('iperf3', ['--version'], { encoding: 'utf8' }).status === 0;
const names = Object.keys(CONTENDERS).filter((n) => n !== 'iperf3' || iperfOk);
if (!iperfOk) console.error('perf-cpu: iperf3 not installed (apt-get install iperf3): measured without it');
const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-cpu-'));
const startedAt = new Date().toISOString();
const points = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const size of SIZES) {
      for (const rate of RATES) {
        // Alternate the order each round: no contender always runs first after a pause.
        const order = round % 2 === 1 ? names : [...names].reverse();
        for (const name of order) {
          const f = CONTENDERS[name].run(size, rate, path.join(dir, `${name}.out`), SECONDS);
          const point = 'error' in f
            ? { contender: name, sizeBytes: size, ratePps: rate, round, cpuUs: null, datagrams: null, usPerDatagram: null, sentPpsAb: null, sentPpsBa: null, threadsUsPerDatagram: null, error: String(f.error) }
            : { contender: name, sizeBytes: size, ratePps: rate, round, ...f, usPerDatagram: f.cpuUs !== null && f.datagrams > 0 ? f.cpuUs / f.datagrams : null, error: null };
          if (SHORT_SECONDS > 0 && point.error === null) {
            // The short run right after the long one, same contender: the difference is the datagrams' own cost.
            const g = CONTENDERS[name].run(size, rate, path.join(dir, `${name}.short.out`), SHORT_SECONDS);
            const ok = !('error' in g) && g.cpuUs !== null && point.cpuUs !== null && point.datagrams - g.datagrams > 0;
            point.shortCpuUs = ok ? g.cpuUs : null;
            point.shortDatagrams = ok ? g.datagrams : null;
            point.steadyUsPerDatagram = ok ? (point.cpuUs - g.cpuUs) / (point.datagrams - g.datagrams) : null;
          }
          points.push(point);
          console.error(`round ${round} ${size} B ${rate}/s ${name}: ${point.usPerDatagram === null ? `error ${point.error}` : `${point.usPerDatagram.toFixed(2)} µs per datagram carried (${(point.cpuUs / 1e6).toFixed(2)} s CPU, ${point.datagrams} datagrams)${point.steadyUsPerDatagram == null ? '' : `, steady state ${point.steadyUsPerDatagram.toFixed(2)} µs`}`}`);
        }
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const summary = [];
for (const size of SIZES) for (const rate of RATES) for (const name of names) {
  const ps = points.filter((p) => p.contender === name && p.sizeBytes === size && p.ratePps === rate);
  const vals = ps.map((p) => p.usPerDatagram).filter((v) => v !== null);
  const steady = ps.map((p) => p.steadyUsPerDatagram ?? null).filter((v) => v !== null);
  summary.push({
    contender: name, sizeBytes: size, ratePps: rate, usPerDatagramMedian: median(vals), usPerDatagramMin: vals.length ? Math.min(...vals) : null, usPerDatagramMax: vals.length ? Math.max(...vals) : null, runs: vals.length,
    ...(SHORT_SECONDS > 0 ? { steadyUsPerDatagramMedian: median(steady), steadyUsPerDatagramMin: steady.length ? Math.min(...steady) : null, steadyUsPerDatagramMax: steady.length ? Math.max(...steady) : null } : {}),
  });
}
const at = (name, size, rate) => summary.find((s) => s.contender === name && s.sizeBytes === size && s.ratePps === rate)?.usPerDatagramMedian ?? null;
const steadyAt = (name, size, rate) => summary.find((s) => s.contender === name && s.sizeBytes === size && s.ratePps === rate)?.steadyUsPerDatagramMedian ?? null;
const ratios = [];
for (const size of SIZES) for (const rate of RATES) {
  const div = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
  ratios.push({
    sizeBytes: size,
    ratePps: rate,
    oursSingleOverPlain: div(at('ours-single', size, rate), at('plain', size, rate)),
    oursSingleOverIperf3: div(at('ours-single', size, rate), at('iperf3', size, rate)),
    oursSplitOverPlain: div(at('ours-split', size, rate), at('plain', size, rate)),
    oursSplitOverIperf3: div(at('ours-split', size, rate), at('iperf3', size, rate)),
    // Projection, not a measurement: cores for 100,000 datagrams/s each way at this cost (200,000 carried per second).
    coresFor100kEachWay: Object.fromEntries(names.map((n) => [n, at(n, size, rate) === null ? null : (at(n, size, rate) * 2 * PROJECTION_PPS) / 1e6])),
    ...(SHORT_SECONDS > 0
      ? {
          steadyOursSingleOverPlain: div(steadyAt('ours-single', size, rate), steadyAt('plain', size, rate)),
          steadyOursSingleOverIperf3: div(steadyAt('ours-single', size, rate), steadyAt('iperf3', size, rate)),
          steadyOursSplitOverPlain: div(steadyAt('ours-split', size, rate), steadyAt('plain', size, rate)),
          steadyOursSplitOverIperf3: div(steadyAt('ours-split', size, rate), steadyAt('iperf3', size, rate)),
        }
      : {}),
  });
}
const out = {
  kind: 'perf-cpu',
  schemaVersion: 2,
  startedAt,
  tool: { name: TOOL.name, version: TOOL.version },
  environment: collectEnvironment(HOST),
  settings: { seconds: SECONDS, ...(SHORT_SECONDS > 0 ? { shortSeconds: SHORT_SECONDS } : {}), rounds: ROUNDS, ratesPps: RATES, sizesBytes: SIZES, bufferBytes: BUF, projectionPpsEachWay: PROJECTION_PPS, measure: 'user + system CPU of the whole process tree (bash times: RUSAGE_CHILDREN) over the datagrams its senders handed to the kernel, both directions, warm-up included' },
  contenders: names.map((n) => ({ name: n, description: CONTENDERS[n].description })),
  points,
  summary,
  ratios,
};
const check = Compile(AnyPerfResultSchema);
if (!check.Check(out)) {
  console.error(`perf-cpu: the report does not match schema/perf.schema.json: ${JSON.stringify([...check.Errors(out)].slice(0, 3))}`);
  process.exitCode = 1;
}
const date = startedAt.slice(0, 10);
const base = process.env.PERF_CPU_OUT ?? path.join(ROOT, 'results', `perf-cpu-${date}`);
const fmt = (v, d = 2) => (v === null ? 'n/a' : v.toFixed(d));
/** The cost table and the ratio table of one figure: whole-run (`usPerDatagram…`, ratios `oursSingleOverPlain`…) or steady state (`steady…`). */
function tables(prefix, figure, label) {
  const ratio = (r, name) => r[prefix === '' ? name : `${prefix}${name[0].toUpperCase()}${name.slice(1)}`] ?? null;
  return [
    `| size | rate/direction | ${names.join(' | ')} |`,
    `| --: | --: | ${names.map(() => '--:').join(' | ')} |`,
    ...SIZES.flatMap((size) =>
      RATES.map((rate) => {
        const cells = names.map((n) => {
          const s = summary.find((x) => x.contender === n && x.sizeBytes === size && x.ratePps === rate);
          return s?.[`${figure}Median`] == null ? 'n/a' : `${fmt(s[`${figure}Median`])} µs (${fmt(s[`${figure}Min`])}–${fmt(s[`${figure}Max`])})`;
        });
        return `| ${size} B | ${rate.toLocaleString('en-US')} | ${cells.join(' | ')} |`;
      }),
    ),
    '',
    `| size | rate/direction | ${label}ours single / plain | ours single / iperf3 | ours split / plain | ours split / iperf3 |`,
    '| --: | --: | --: | --: | --: | --: |',
    ...ratios.map((r) => `| ${r.sizeBytes} B | ${r.ratePps.toLocaleString('en-US')} | ${['oursSingleOverPlain', 'oursSingleOverIperf3', 'oursSplitOverPlain', 'oursSplitOverIperf3'].map((k) => fmt(ratio(r, k))).join(' | ')} |`),
    '',
  ];
}
const md = [
  `# CPU per datagram carried, ${date}`,
  '',
  `${out.environment.cpuModel} (${out.environment.cpuCount} CPUs), ${out.environment.kernel}, Node ${process.version}, ${TOOL.name} ${TOOL.version}; ${SECONDS} s runs, ${ROUNDS} rounds alternating, rates per direction with both directions at once, 127.0.0.1, 4 MiB buffers.`,
  `Measured: ${out.settings.measure}. Median of the rounds (min–max).`,
  '',
  ...tables('', 'usPerDatagram', ''),
  ...(SHORT_SECONDS > 0
    ? [
        `Steady state: (CPU of the ${SECONDS} s run − CPU of a ${SHORT_SECONDS} s run right after it) / (their difference in datagrams), per round: what each datagram costs once the process is running, without start-up and teardown. Median of the rounds (min–max).`,
        '',
        ...tables('steady', 'steadyUsPerDatagram', 'steady: '),
      ]
    : []),
  'Projection, not a measurement: cores for 100,000 datagrams/s each way (200,000 carried per second) at the median cost:',
  '',
  ...ratios.map((r) => `- ${r.sizeBytes} B at ${r.ratePps.toLocaleString('en-US')}/s: ${names.map((n) => `${n} ${fmt(r.coresFor100kEachWay[n])}`).join(', ')}`),
  '',
].join('\n');
writeFileAtomic(`${base}.json`, `${JSON.stringify(out, null, 2)}\n`);
writeFileAtomic(`${base}.md`, `${md}\n`);
console.error(`perf-cpu: wrote ${base}.json and ${base}.md`);
