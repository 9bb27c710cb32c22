#!/usr/bin/env node
/**
 * `npm run bench:perf`: a benchmark, not a test. Measures side by side, on
 * loopback, in one run:
 *  - per contender (see CONTENDERS), the highest duplex rate per direction that
 *    passes: loss ≤ LOSS_LIMIT % each way AND each sender reached ≥ 95 % of the
 *    offered rate. Every contender is searched by the product's own
 *    `findMaxRate` (dist/bench/search.js): one search implementation, one set
 *    of rules, so a figure of one contender can be set against another's;
 *  - our simplex ceiling (one direction only, same port setup), same search;
 *  - resident memory across a long --rate max run (fails loudly: no figure
 *    without a clean child run and enough samples);
 * and prints the ratios against the targets, writing JSON and Markdown.
 *
 * Every published rate carries its search status (confirmed, undersent,
 * ceiling, max trials, floor, unobserved) next to it: a search that ran out
 * of trials or never left its ceiling is not a measured limit.
 *
 * Environment:
 *   PERF_TRIAL_S     measured seconds per trial (default 2)
 *   PERF_RSS_S       memory run seconds (default 60)
 *   PERF_QUICK=1     64 B only, one event loop only (a check of the script, not a publication)
 *   PERF_CONTENDERS  comma-separated contender names to run (default: all available; `none`: no search)
 *   PERF_MAX_TRIALS  trial budget per search (default: search.ts searchBudget for the range, 29)
 *   PERF_OUT         output directory (default results/; with PERF_QUICK=1 a temp dir,
 *                    and results/ is refused so a quick run never replaces a publication)
 *   PERF_NODE        comma-separated Node majors, e.g. 22,24,26 (default: unset, only the
 *                    running Node, and everything above). When set, the duplex searches of
 *                    ours-single and plain-dgram run once per listed Node: this script runs
 *                    itself as a child under that Node's binary (scripts/node-bin.sh MAJOR,
 *                    fetched from the npm registry into the user's cache; the running Node's
 *                    own major uses process.execPath), and iperf3's search runs once (it does
 *                    not depend on Node). PERF_CONTENDERS narrows that set as usual. No memory
 *                    run and no micro-benchmarks in this mode; it writes one table, Node version
 *                    → each contender's rate and search status, as perf-nodes-DATE.{json,md}.
 *                    A Node that cannot be fetched here is listed as skipped with the reason.
 *   PERF_SEARCHES_JSON  internal (used by PERF_NODE): run the searches only, write their JSON
 *                    to this file and exit (no memory run, micro-benchmarks or Markdown)
 * Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsc, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDuplex } from '../dist/bench/run.js';
import { findMaxRate, searchBudget } from '../dist/bench/search.js';
import { writeFileAtomic } from '../dist/cli/files.js';
import { collectEnvironment } from '../dist/bench/environment.js';
import { formatMicroTable } from '../dist/report/micro.js';
import { runMicro } from '../dist/bench/micro.js';
import { TOOL } from '../dist/version.js';
import { PERF_KINDS } from '../dist/result/perf-schema.js';
import { firstProblem } from '../dist/result/schema.js';

/** Checks a report against its published schema before it is written; a mismatch is said and fails the run, but the file is still written (a failed check never loses the measurement). */
function checkPublished(doc) {
  const p = firstProblem(PERF_KINDS[doc.kind].schema, doc);
  if (p === null) return;
  log(`bench:perf: the ${doc.kind} report does not match ${PERF_KINDS[doc.kind].published} at ${p.path}: ${p.message} (written anyway; fix the script or the schema)`);
  process.exitCode = 1;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'dist/cli.js');

/** A positive number from the environment, or the default; anything else is a usage error. */
function envNumber(name, fallback, { integer = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) {
    process.stderr.write(`bench:perf: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return v;
}

const TRIAL_S = envNumber('PERF_TRIAL_S', 2);
const RSS_S = envNumber('PERF_RSS_S', 60);
const QUICK = process.env.PERF_QUICK === '1';
/**
 * Trial budget per search, sized from the range and the resolution (search.ts
 * `searchBudget`): the trials a clean search from the 10k floor to the
 * fastest contender's ceiling (the C reference, ~350k with headroom) needs,
 * plus room for one failed re-check absorbed and one refutation followed by
 * a downward re-bracket (capacity that fell mid-search). A search stops as soon as it is
 * decided, so a clean one spends no more than before; 14, the old fixed
 * budget, left noisy searches undecided ("max trials").
 */
const MAX_TRIALS = envNumber('PERF_MAX_TRIALS', searchBudget({ floorPps: 10_000, ceilingPps: 400_000, resolutionPercent: 2, confirmTrials: 2 }), { integer: true });
/** The loss allowed in a passing trial, percent, each direction. */
const LOSS_LIMIT = 0.1;
/** The same search settings for every contender (recorded in the JSON). */
const SEARCH = {
  lossThresholdPercent: LOSS_LIMIT,
  floorPps: 10_000,
  // 2 %: coarser than `bench duplex --find-max` (1 %) to keep a full run within minutes; the same for everyone.
  resolutionPercent: 2,
  minSentFraction: 0.95,
  confirmTrials: 2,
  ceilingHeadroom: 1.05,
  maxTrials: MAX_TRIALS,
};
/** Warm-up before the measured time, whole seconds (iperf3 3.12's --omit takes whole seconds): the same for every contender. */
const OMIT_S = 1;
const BUF = 4 * 1024 * 1024;
/** iperf3's `-w` for the same 4 MiB socket buffers as ours. */
const IPERF_WINDOW = '4M';
const HOST = '127.0.0.1';

const log = (line) => process.stderr.write(`${line}\n`);

/** How the pass rule reads in words: "lossless" only for a 0 % threshold. */
function lossWords(threshold) {
  return threshold === 0 ? 'lossless (0 % loss)' : `≤ ${threshold} % loss`;
}

// ---------------------------------------------------------------------------
// Contenders: name → trial function + metadata. A trial function takes the
// datagram size and the offered rates per direction and returns what each
// direction did, as the search judges it: { ab, ba } with { offeredPps,
// sentPps, lossPercent } each, `null` for figures the run did not observe
// (the search fails those trials as `unobserved`), plus `detail` for the log.
// `flood(size)` (optional) measures the unpaced sent rate per direction, from
// which the search takes its ceiling; without it, `ceilingPps` is used.
// `informational: true` marks a reference that is no target (the C kernel
// ceiling): it is searched like the others but labelled as information and
// never enters a ratio or target.

function oursConfig(sizeBytes, threads, abPps, baPps) {
  return {
    host: HOST, family: 4, port: null, peer: null, sizeBytes,
    rateAbPps: abPps, rateBaPps: baPps, rateAbText: String(abPps ?? 'max'), rateBaText: String(baPps ?? 'max'),
    durationSeconds: TRIAL_S, omitSeconds: OMIT_S, threadsRequested: threads, threads,
    rcvbufBytes: BUF, sndbufBytes: BUF, sendBatch: threads === 'split' ? 64 : 16, peerTimeoutSeconds: 3,
  };
}

/** One direction of our result as the search sees it; a missing or incomplete run observes nothing. */
function oursDirection(result, from, offeredPps) {
  const d = result.complete ? result.directions.find((x) => x.from === from) : undefined;
  return { offeredPps, sentPps: d?.sentPps ?? null, lossPercent: d?.lossPercent ?? null };
}

const fmtPct = (v) => (v === null ? 'n/a' : `${v.toFixed(3)} %`);
const fmtPps = (v) => (v === null ? 'n/a' : String(Math.round(v)));
const sideDetail = (label, o) => `${label} sent ${fmtPps(o.sentPps)} loss ${fmtPct(o.lossPercent)}`;

/** Our tool in duplex: both directions paced, one `runDuplex` per trial. */
function oursDuplex(threads) {
  return {
    traffic: 'duplex',
    description: `bench duplex --threads ${threads} (this tool, v${TOOL.version}), send batch ${threads === 'split' ? 64 : 16}`,
    version: `${TOOL.name} ${TOOL.version}`,
    sizes: QUICK ? [64] : [64, 1400],
    available: () => null,
    async trial(sizeBytes, rates) {
      const r = await runDuplex(oursConfig(sizeBytes, threads, rates.abPps, rates.baPps));
      const ab = oursDirection(r, 'A', rates.abPps);
      const ba = oursDirection(r, 'B', rates.baPps);
      const incomplete = r.complete ? '' : ` INCOMPLETE (${r.incompleteReason ?? 'unknown'})`;
      return { ab, ba, detail: `${sideDetail('A→B', ab)}, ${sideDetail('B→A', ba)}${incomplete}` };
    },
    async flood(sizeBytes) {
      const r = await runDuplex({ ...oursConfig(sizeBytes, threads, null, null), durationSeconds: 1 });
      return { abPps: oursDirection(r, 'A', null).sentPps, baPps: oursDirection(r, 'B', null).sentPps };
    },
  };
}

/**
 * One server port serving N clients (`--clients N`, issue 13): the rates are
 * per client and per direction, and a trial passes only if every client
 * does (the slowest client's sent rate, the worst client's loss), as
 * `--find-max` judges it. The published per-client rate × N is the server
 * port's aggregate per direction.
 */
function oursClientDirection(result, from, offeredPps) {
  if (!result.complete || !result.peers) return { offeredPps, sentPps: null, lossPercent: null };
  const ds = result.peers.map((p) => p.directions.find((x) => x.from === from));
  const sent = ds.map((d) => d?.sentPps ?? null);
  const loss = ds.map((d) => d?.lossPercent ?? null);
  return {
    offeredPps,
    sentPps: sent.includes(null) ? null : Math.min(...sent),
    lossPercent: loss.includes(null) ? null : Math.max(...loss),
  };
}

function oursClients(n) {
  const threads = 'single';
  const cfg = (size, ab, ba) => ({ ...oursConfig(size, threads, ab, ba), clients: n });
  // One client is the two-endpoint run: judged on its own two directions.
  const judge = (r, from, offered) => (n === 1 ? oursDirection(r, from, offered) : oursClientDirection(r, from, offered));
  return {
    traffic: `duplex, ${n} client${n === 1 ? '' : 's'} on one server port (rate per client)`,
    clients: n,
    description: `bench duplex --clients ${n} --threads ${threads} (this tool, v${TOOL.version}): every client passes or the trial fails`,
    version: `${TOOL.name} ${TOOL.version}`,
    sizes: [64],
    available: () => null,
    async trial(sizeBytes, rates) {
      const r = await runDuplex(cfg(sizeBytes, rates.abPps, rates.baPps));
      const ab = judge(r, 'A', rates.abPps);
      const ba = judge(r, 'B', rates.baPps);
      const incomplete = r.complete ? '' : ` INCOMPLETE (${r.incompleteReason ?? 'unknown'})`;
      return { ab, ba, detail: `slowest client ${sideDetail('A→B', ab)}, ${sideDetail('B→A', ba)}${incomplete}` };
    },
    async flood(sizeBytes) {
      const r = await runDuplex({ ...cfg(sizeBytes, null, null), durationSeconds: 1 });
      return { abPps: judge(r, 'A', null).sentPps, baPps: judge(r, 'B', null).sentPps };
    },
  };
}

/**
 * Our tool in simplex (A→B only). The search still has two directions: B→A is
 * given a one-point range at the floor and reported unobserved (there is no
 * B→A traffic), so it fails once and is held while A→B searches; only A→B is
 * published.
 */
function oursSimplex(threads) {
  return {
    traffic: 'simplex',
    description: `bench duplex --threads ${threads} with B→A rate 0 (A→B only)`,
    version: `${TOOL.name} ${TOOL.version}`,
    sizes: [64],
    simplex: true,
    available: () => null,
    async trial(sizeBytes, rates) {
      const r = await runDuplex(oursConfig(sizeBytes, threads, rates.abPps, 0));
      const ab = oursDirection(r, 'A', rates.abPps);
      const ba = { offeredPps: rates.baPps, sentPps: null, lossPercent: null };
      const incomplete = r.complete ? '' : ` INCOMPLETE (${r.incompleteReason ?? 'unknown'})`;
      return { ab, ba, detail: `${sideDetail('A→B', ab)}${incomplete}` };
    },
    async flood(sizeBytes) {
      const r = await runDuplex({ ...oursConfig(sizeBytes, threads, null, 0), durationSeconds: 1 });
      return { abPps: oursDirection(r, 'A', null).sentPps, baPps: null };
    },
  };
}

/** `iperf3 --version`'s first line, or `null` when iperf3 cannot run. */
function iperf3Version() {
  const v = spawnSync('iperf3', ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (v.status !== 0 || typeof v.stdout !== 'string') return null;
  return v.stdout.split('\n')[0].trim() || null;
}

let iperfPort = 5390;

/**
 * One `iperf3 --bidir` run at `bitsPerSecond` per direction (0 = unlimited):
 * a one-shot server and a client, both bounded in time. Resolves with the
 * parsed `end` section, or `null` and a reason.
 */
async function iperfRun(sizeBytes, bitsPerSecond) {
  // A fresh port per run: a one-shot server that has not exited yet must not collide.
  const port = iperfPort;
  iperfPort = iperfPort >= 5490 ? 5390 : iperfPort + 1;
  const server = spawn('iperf3', ['-s', '-1', '-p', String(port), '-B', HOST], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const args = ['-c', HOST, '-p', String(port), '-u', '--bidir', '-b', String(bitsPerSecond), '-l', String(sizeBytes), '-w', IPERF_WINDOW, '-t', String(TRIAL_S), '--omit', String(OMIT_S), '-J'];
    const c = spawnSync('iperf3', args, { encoding: 'utf8', timeout: (TRIAL_S + OMIT_S + 20) * 1000 });
    try {
      const doc = JSON.parse(c.stdout);
      if (doc.error) return { end: null, reason: `iperf3: ${doc.error}` };
      return { end: doc.end ?? null, reason: doc.end ? null : 'iperf3: no end section' };
    } catch {
      return { end: null, reason: `iperf3 failed (status ${c.status}${c.signal ? `, ${c.signal}` : ''}): ${(c.stderr || c.stdout || '').slice(0, 200)}` };
    }
  } finally {
    server.kill('SIGKILL');
  }
}

/**
 * The rate iperf3's sender achieved: its `sender` summary's datagrams over
 * its seconds. iperf3's own sender falls short of high targets at 64 B, and a
 * loss-only search would credit it with the target; this figure lets the
 * search fail such trials as undersent.
 */
function iperfSentPps(sum) {
  return sum && sum.sender === true && Number.isFinite(sum.packets) && sum.seconds > 0 ? sum.packets / sum.seconds : null;
}

/** iperf3's receiver-side loss (its sequence-number count), or `null`. */
function iperfLoss(sum) {
  return sum && sum.sender === false && Number.isFinite(sum.lost_percent) ? sum.lost_percent : null;
}

function iperfContender() {
  return {
    traffic: 'duplex',
    description: `iperf3 -u --bidir -l SIZE -w ${IPERF_WINDOW} --omit ${OMIT_S} (client → server is A→B)`,
    version: null, // filled in from `iperf3 --version` when available
    sizes: QUICK ? [64] : [64, 1400],
    available: () => {
      if (iperf3Version() === null) return 'iperf3 not installed (Debian/Ubuntu: apt-get install iperf3)';
      // iperf3 3.12 reads -t as whole seconds: a fractional trial would silently run shorter than the others.
      if (!Number.isInteger(TRIAL_S)) return `PERF_TRIAL_S=${TRIAL_S} is not whole seconds (iperf3 -t takes whole seconds)`;
      return null;
    },
    // iperf3 --bidir takes one rate for both directions: the search judges both
    // directions together (see `symmetric` in searchContender), so it always asks
    // for the same rate both ways and each trial runs exactly what was asked.
    symmetric: true,
    async trial(sizeBytes, rates) {
      const pps = rates.abPps;
      const { end, reason } = await iperfRun(sizeBytes, Math.round(pps * sizeBytes * 8));
      const ab = { offeredPps: pps, sentPps: iperfSentPps(end?.sum_sent), lossPercent: iperfLoss(end?.sum_received) };
      const ba = { offeredPps: pps, sentPps: iperfSentPps(end?.sum_sent_bidir_reverse), lossPercent: iperfLoss(end?.sum_received_bidir_reverse) };
      return { ab, ba, detail: `at ${Math.round(pps)} pps: ${sideDetail('→', ab)}, ${sideDetail('←', ba)}${reason ? ` (${reason})` : ''}` };
    },
    async flood(sizeBytes) {
      const { end } = await iperfRun(sizeBytes, 0);
      return { abPps: iperfSentPps(end?.sum_sent), baPps: iperfSentPps(end?.sum_sent_bidir_reverse) };
    },
  };
}

/**
 * The plainest paced node:dgram duplex loop (scripts/perf-plain-dgram.mjs), one
 * child process per trial: what Node's dgram sustains with nothing of this tool
 * around it. Its sent figure is the kernel-accepted count (see that script).
 */
function plainDgramContender() {
  const script = path.join(ROOT, 'scripts/perf-plain-dgram.mjs');
  const runPlain = (sizeBytes, ab, ba) => {
    const args = [script, '--size', String(sizeBytes), '--rate-ab', ab, '--rate-ba', ba, '--seconds', String(TRIAL_S), '--omit', String(OMIT_S), '--buf', String(BUF)];
    // Bounded: the script has its own deadline; this one is a backstop.
    const c = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: (TRIAL_S + OMIT_S + 30) * 1000 });
    try {
      const doc = JSON.parse(c.stdout.trim().split('\n').pop());
      return doc.ok ? { doc, reason: null } : { doc: null, reason: doc.reason };
    } catch {
      return { doc: null, reason: `plain loop failed (status ${c.status}${c.signal ? `, ${c.signal}` : ''}): ${(c.stderr || '').slice(0, 200)}` };
    }
  };
  const side = (d, offeredPps) => ({ offeredPps, sentPps: d?.sentPps ?? null, lossPercent: d?.lossPercent ?? null });
  return {
    traffic: 'duplex',
    description: 'plain paced node:dgram loop: one connected socket per endpoint, one process per endpoint, 16 sends per setImmediate turn, no send callback, no accounting (sent = kernel-accepted: received + peer socket drops)',
    version: `node ${process.version}`,
    sizes: QUICK ? [64] : [64, 1400],
    available: () => null,
    async trial(sizeBytes, rates) {
      const { doc, reason } = runPlain(sizeBytes, String(Math.round(rates.abPps)), String(Math.round(rates.baPps)));
      const ab = side(doc?.ab, rates.abPps);
      const ba = side(doc?.ba, rates.baPps);
      const issued = doc ? ` (issued ${doc.ab.issued}/${doc.ba.issued})` : '';
      return { ab, ba, detail: `${sideDetail('A→B', ab)}, ${sideDetail('B→A', ba)}${issued}${reason ? ` (${reason})` : ''}` };
    },
    async flood(sizeBytes) {
      const { doc } = runPlain(sizeBytes, 'max', 'max');
      return { abPps: doc?.ab.sentPps ?? null, baPps: doc?.ba.sentPps ?? null };
    },
  };
}

/** Where the C reference is compiled: a cache directory outside the repository (never committed). */
const C_CACHE_DIR = path.join(os.tmpdir(), 'udp-duplex-lab-cc');
const C_SOURCE = path.join(ROOT, 'scripts/perf-c-ceiling.c');
const C_FLAGS = ['-O2', '-pthread'];

/**
 * Compiles scripts/perf-c-ceiling.c with `cc -O2 -pthread` once per run into
 * C_CACHE_DIR, under a name keyed by the source, the flags and `cc --version`
 * (a changed source or compiler gets a fresh binary). Returns { binary,
 * compiler, reason }: `reason` (and no binary) when it cannot be built.
 */
let cBuild = null;
function buildCCeiling() {
  if (cBuild) return cBuild;
  const v = spawnSync('cc', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (v.error || v.status !== 0) {
    cBuild = { binary: null, compiler: null, reason: `no C compiler (\`cc\` ${v.error?.code === 'ENOENT' ? 'not found on PATH' : 'did not run'}; Debian/Ubuntu: apt-get install gcc)` };
    return cBuild;
  }
  const compiler = (v.stdout || '').split('\n')[0].trim() || 'cc';
  const source = readFileSync(C_SOURCE);
  const key = createHash('sha256').update(source).update(C_FLAGS.join(' ')).update(v.stdout || '').digest('hex').slice(0, 16);
  const binary = path.join(C_CACHE_DIR, `perf-c-ceiling-${key}`);
  if (existsSync(binary)) {
    cBuild = { binary, compiler, reason: null };
    return cBuild;
  }
  try {
    mkdirSync(C_CACHE_DIR, { recursive: true });
  } catch (err) {
    cBuild = { binary: null, compiler, reason: `cannot create ${C_CACHE_DIR} for the C build (${err.message})` };
    return cBuild;
  }
  // Built under a temporary name and renamed: a half-written binary is never cached.
  const tmp = `${binary}.${process.pid}.tmp`;
  const c = spawnSync('cc', [...C_FLAGS, '-o', tmp, C_SOURCE], { encoding: 'utf8', timeout: 120_000 });
  if (c.error || c.status !== 0) {
    rmSync(tmp, { force: true });
    cBuild = { binary: null, compiler, reason: `C compile failed (cc ${C_FLAGS.join(' ')}: ${(c.stderr || String(c.error ?? c.status)).trim().slice(0, 300)})` };
    return cBuild;
  }
  renameSync(tmp, binary);
  cBuild = { binary, compiler, reason: null };
  return cBuild;
}

/**
 * The kernel ceiling, as information and not as a target: a small C program
 * (scripts/perf-c-ceiling.c) with the same layout as the product (one UDP
 * socket per endpoint on 127.0.0.1, connected to the peer), a send and a
 * receive thread per endpoint, up to 64 datagrams per sendmmsg/recvmmsg call.
 * One process (both endpoints) per trial. Its sent figure is what sendmmsg
 * reported as sent; received counts unique measured sequence numbers (see the
 * program's header). It shows how far Node's one-syscall-per-datagram dgram
 * is from what the kernel sustains on the same machine.
 */
function cCeilingContender() {
  const runC = (sizeBytes, ab, ba) => {
    const { binary, reason: why } = buildCCeiling();
    if (!binary) return { doc: null, reason: why };
    const args = ['--size', String(sizeBytes), '--rate-ab', ab, '--rate-ba', ba, '--seconds', String(TRIAL_S), '--omit', String(OMIT_S), '--buf', String(BUF)];
    // Bounded: the program has its own deadline and SIGALRM backstop; this one is a last resort.
    const c = spawnSync(binary, args, { encoding: 'utf8', timeout: (TRIAL_S + OMIT_S + 30) * 1000 });
    try {
      const doc = JSON.parse(c.stdout.trim().split('\n').pop());
      return doc.ok ? { doc, reason: null } : { doc: null, reason: doc.reason };
    } catch {
      return { doc: null, reason: `C reference failed (status ${c.status}${c.signal ? `, ${c.signal}` : ''}): ${(c.stderr || '').slice(0, 200)}` };
    }
  };
  const side = (d, offeredPps) => ({ offeredPps, sentPps: d?.sentPps ?? null, lossPercent: d?.lossPercent ?? null });
  const extra = (d) => {
    const errs = Object.entries(d.errors).map(([k, n]) => `${k} ${n}`).join(', ');
    return `sent ${d.sent} recv ${d.received} kernel drops ${d.kernelDrops ?? 'n/a'}${errs ? ` errors ${errs}` : ''}${d.deadlineHit ? ' DEADLINE' : ''}`;
  };
  return {
    traffic: 'duplex',
    informational: true,
    description: 'kernel ceiling (information, not a target): C, one process, one connected UDP socket per endpoint, a send and a receive thread per endpoint, token-bucket paced sendmmsg and recvmmsg, up to 64 datagrams per call (sent = what sendmmsg reported sent; received = unique measured sequence numbers)',
    version: null, // filled in from `cc --version` when it builds
    sizes: QUICK ? [64] : [64, 1400],
    // Compiles on first use (a method: `this` is the contender, whose version becomes the compiler's).
    available() {
      const b = buildCCeiling();
      if (b.compiler) this.version = `${b.compiler}, cc ${C_FLAGS.join(' ')}`;
      return b.reason;
    },
    async trial(sizeBytes, rates) {
      const { doc, reason } = runC(sizeBytes, String(Math.round(rates.abPps)), String(Math.round(rates.baPps)));
      const ab = side(doc?.ab, rates.abPps);
      const ba = side(doc?.ba, rates.baPps);
      const more = doc ? ` (A→B ${extra(doc.ab)}; B→A ${extra(doc.ba)})` : '';
      return { ab, ba, detail: `${sideDetail('A→B', ab)}, ${sideDetail('B→A', ba)}${more}${reason ? ` (${reason})` : ''}` };
    },
    async flood(sizeBytes) {
      const { doc } = runC(sizeBytes, 'max', 'max');
      return { abPps: doc?.ab.sentPps ?? null, baPps: doc?.ba.sentPps ?? null };
    },
  };
}

/** The contenders, by name. */
const CONTENDERS = {
  'ours-single': oursDuplex('single'),
  'ours-split': oursDuplex('split'),
  iperf3: iperfContender(),
  'plain-dgram': plainDgramContender(),
  'c-mmsg': cCeilingContender(),
  'ours-simplex-single': oursSimplex('single'),
  'ours-simplex-split': oursSimplex('split'),
  'ours-clients-1': oursClients(1),
  'ours-clients-4': oursClients(4),
  'ours-clients-16': oursClients(16),
};

// ---------------------------------------------------------------------------
// The search, the same for every contender

/** A direction's search result in one word, as published next to its figure. */
function statusOf(r) {
  switch (r.limitedBy) {
    case 'loss':
      return r.confirmed ? 'confirmed' : 'unconfirmed';
    case 'undersent':
      return 'undersent';
    case 'ceiling':
      return 'ceiling';
    case 'floor':
      return 'floor';
    case 'max-trials':
      return 'max trials';
    case 'unobserved':
      return 'unobserved';
    default:
      return String(r.limitedBy);
  }
}

/** What each status means, for the Markdown legend. */
const STATUS_LEGEND = [
  ['confirmed', `re-checked ${SEARCH.confirmTrials}× at the rate; a trial above failed on loss`],
  ['undersent', `re-checked at the rate; every failure above was the sender falling short of ${SEARCH.minSentFraction * 100} % of the offered rate (the sender, not the path, is the limit; the JSON trials show any loss beside it)`],
  ['ceiling', 'passed at the top of the searched range: the limit may lie higher'],
  ['max trials', 'the trial budget ran out: best passing rate so far, not a measured limit'],
  ['floor', `failed even at ${SEARCH.floorPps.toLocaleString('en-US')}/s: no figure`],
  ['unobserved', 'failures above could not be judged (a figure was missing)'],
  ['error', 'the search could not run (see the JSON): no figure, and the run exits non-zero'],
];

/** Runs one contender's search at one size; never throws for a failed trial (it fails the trial instead). */
async function searchContender(name, contender, sizeBytes) {
  const label = `${name} ${sizeBytes}B`;
  const trials = [];
  const details = [];
  let flood = null;
  const options = {
    ...SEARCH,
    // Rates per client: the floor is the same aggregate as everyone's, shared by the clients.
    ...(contender.clients > 1 ? { floorPps: SEARCH.floorPps / contender.clients } : {}),
    onTrial: (t) => {
      const detail = details[details.length - 1] ?? '';
      const verdict = (d) => (d.pass ? 'pass' : `${d.verdict.toUpperCase()} (${d.reason})`);
      const dirs = contender.simplex ? `A→B ${verdict(t.ab)}` : `A→B ${verdict(t.ab)} | B→A ${verdict(t.ba)}`;
      log(`  ${label} trial ${t.index + 1} ${t.phase} ${Math.round(t.rates.abPps)}/${Math.round(t.rates.baPps)} pps: ${dirs}; ${detail}`);
      trials.push({ ...t, detail });
    },
  };
  if (contender.flood) {
    options.measureCeiling = async () => {
      flood = await contender.flood(sizeBytes);
      log(`  ${label} flood: A→B ${fmtPps(flood.abPps)} pps, B→A ${fmtPps(flood.baPps)} pps`);
      const known = [flood.abPps, flood.baPps].filter((v) => v !== null);
      // No observed flood rate: a ceiling of 0 lets the search fall back to its floor,
      // where the trials themselves decide (and say why) instead of a made-up range.
      const top = known.length > 0 ? Math.max(...known) : 0;
      // As `bench duplex --find-max`: both directions start from the faster flood
      // (one sender can starve the other in an unpaced duplex flood). A simplex
      // contender's B→A is searched on the floor alone (see `oursSimplex`).
      return { abPps: top, baPps: contender.simplex ? 0 : top };
    };
  } else {
    options.ceilingPps = contender.ceilingPps;
  }
  const runner = async (rates) => {
    if (contender.symmetric && rates.abPps !== rates.baPps) throw new Error(`${label}: symmetric contender asked for ${rates.abPps}/${rates.baPps} pps`);
    const r = await contender.trial(sizeBytes, rates);
    details.push(r.detail);
    if (!contender.symmetric) return { ab: r.ab, ba: r.ba };
    // Judged together: the lower sent rate and the higher loss of the two directions, so
    // both directions' brackets move alike and the rates stay equal. A missing figure in
    // either direction stays missing (the trial fails as unobserved).
    const both = (f, pick) => (r.ab[f] === null || r.ba[f] === null ? null : pick(r.ab[f], r.ba[f]));
    const worst = { offeredPps: r.ab.offeredPps, sentPps: both('sentPps', Math.min), lossPercent: both('lossPercent', Math.max) };
    return { ab: worst, ba: { ...worst } };
  };
  let outcome;
  try {
    outcome = await findMaxRate(runner, options);
  } catch (err) {
    // A contender that could not run (bind failure, a broken trial function) yields no
    // figure and fails the whole run at the end, but does not hide the others' results.
    const message = String(err?.message ?? err);
    log(`  ${label}: ERROR ${message}`);
    process.exitCode = 1;
    return { contender: name, traffic: contender.traffic, sizeBytes, symmetric: contender.symmetric === true, ratePps: null, status: 'error', error: message, directions: {}, ceiling: null, flood, trials };
  }
  const dirs = contender.simplex ? ['ab'] : ['ab', 'ba'];
  const directions = {};
  for (const d of dirs) {
    const r = outcome.directions[d];
    directions[d] = { ...r, status: statusOf(r) };
  }
  // The headline "per direction" figure of a duplex contender: the lower direction
  // (both directions sustained it), with that direction's status.
  const worst = dirs.map((d) => directions[d]).reduce((a, b) => ((a.ratePps ?? -1) <= (b.ratePps ?? -1) ? a : b));
  return {
    contender: name,
    traffic: contender.traffic,
    sizeBytes,
    // Symmetric: both directions were judged together at one rate (the per-direction figures are in each trial's detail).
    symmetric: contender.symmetric === true,
    ratePps: worst.ratePps,
    status: worst.status,
    directions,
    ceiling: outcome.ceiling,
    flood,
    trials,
  };
}

// ---------------------------------------------------------------------------
// Memory

/** Resident memory growth of a long `--rate max` run, from /proc/PID/status. Fails loudly, never passes by default. */
async function rssGrowth(seconds) {
  const fail = (reason, extra = {}) => ({ seconds, status: 'failed', reason, samples: extra.samples ?? 0, baselineBytes: null, peakBytes: null, growthBytes: null });
  const child = spawn(process.execPath, [CLI, 'duplex', '--host', HOST, '--rate', 'max', '--size', '64', '--duration', String(seconds), '--no-save', '--no-progress', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  // Bounded: a result is a few hundred kB at most; keep the head of stderr for the reason.
  child.stdout.on('data', (b) => { if (stdout.length < 16e6) stdout += b; });
  child.stderr.on('data', (b) => { if (stderr.length < 4000) stderr += b; });
  const samples = [];
  const timer = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) samples.push(Number(m[1]) * 1024);
    } catch {
      /* exited between ticks: the exit status decides */
    }
  }, 1000);
  // Bounded in time: a child that hangs past its duration plus setup and drain is killed and fails.
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  const [code, signal] = await new Promise((r) => child.on('close', (c, s) => r([c, s])));
  clearInterval(timer);
  clearTimeout(killer);
  if (code !== 0) return fail(`child exited with ${signal ?? `status ${code}`}: ${stderr.trim().slice(0, 300)}`, { samples: samples.length });
  let result;
  try {
    result = JSON.parse(stdout);
  } catch {
    return fail('child printed no JSON result', { samples: samples.length });
  }
  if (result.complete !== true) return fail(`child run incomplete (${result.incompleteReason ?? 'unknown'})`, { samples: samples.length });
  // Baseline after 3 s, once the workers are up and warm; at least one sample after it.
  const BASELINE_INDEX = 3;
  if (samples.length < BASELINE_INDEX + 2) return fail(`only ${samples.length} RSS samples (need ${BASELINE_INDEX + 2}: run ≥ ${BASELINE_INDEX + 3} s)`, { samples: samples.length });
  const base = samples[BASELINE_INDEX];
  const peak = samples.slice(BASELINE_INDEX).reduce((a, b) => Math.max(a, b));
  return { seconds, status: 'measured', reason: null, samples: samples.length, baselineBytes: base, peakBytes: peak, growthBytes: peak - base };
}

// ---------------------------------------------------------------------------
// Output directory

/** Where to write: PERF_OUT, results/ for a full run, a temp dir for a quick one. */
function outputDir() {
  const resultsDir = path.join(ROOT, 'results');
  const dir = path.resolve(process.env.PERF_OUT || (QUICK ? path.join(os.tmpdir(), 'udp-duplex-lab-perf') : resultsDir));
  if (QUICK && dir === resultsDir) {
    log('bench:perf: PERF_QUICK=1 does not write to results/ (a quick run is a check of the script, not a publication); set PERF_OUT elsewhere');
    process.exit(2);
  }
  // mkdir -p never returns for a path under /proc (Node 20–26): check the nearest existing parent first.
  let probe = dir;
  while (!existsSync(probe)) probe = path.dirname(probe);
  try {
    accessSync(probe, fsc.W_OK);
    if (probe.startsWith('/proc') || probe.startsWith('/sys')) throw new Error('pseudo file system');
  } catch (err) {
    log(`bench:perf: cannot write under ${dir} (${err.message})`);
    process.exit(2);
  }
  return dir;
}

// ---------------------------------------------------------------------------
// PERF_NODE: the same searches under several Node versions

/** The path of a Node binary of `major`, or `{ skip }` with the reason it cannot be had here. */
function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return { bin: process.execPath };
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/node-bin.sh'), String(major)], { encoding: 'utf8', timeout: 600_000 });
  const reason = (r.stderr || '').trim().split('\n').pop()?.replace(/^node-bin\.sh: /, '') || `node-bin.sh exited with ${r.signal ?? `status ${r.status}`}`;
  if (r.status === 0 && r.stdout.trim()) return { bin: r.stdout.trim() };
  return { skip: reason };
}

/** This script as a child under `bin`, searches only; resolves with its JSON or `{ error }`. */
async function childSearches(bin, names, dir) {
  const file = path.join(dir, 'searches.json');
  const env = { ...process.env, PERF_CONTENDERS: names.join(','), PERF_OUT: dir, PERF_SEARCHES_JSON: file };
  delete env.PERF_NODE;
  const child = spawn(bin, [fileURLToPath(import.meta.url)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  // Bounded: every search is bounded in trials; this is a generous backstop.
  const sizes = QUICK ? 1 : 2;
  const budgetS = names.length * sizes * (MAX_TRIALS + 3) * (TRIAL_S + OMIT_S + 35) + 120;
  const killer = setTimeout(() => child.kill('SIGKILL'), budgetS * 1000);
  const [code, signal] = await new Promise((r) => child.on('close', (c, sg) => r([c, sg])));
  clearTimeout(killer);
  let doc = null;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* no JSON: the exit status says why */
  }
  if (doc === null) return { error: `child exited with ${signal ?? `status ${code}`} and wrote no searches` };
  // A child's non-zero exit with JSON: some search errored; its rows say so.
  return { doc, code };
}

/**
 * What both reports (one Node, or across Nodes) start with: identity, the
 * machine, versions (iperf3's also recorded on its contender) and the pass
 * criteria. `nodeKey` names the Node version field (`node`, or `parentNode`
 * when the searches ran under other Nodes).
 */
function reportHeader(kind, nodeKey) {
  const environment = collectEnvironment(HOST);
  const iperfVersion = iperf3Version();
  CONTENDERS.iperf3.version = iperfVersion;
  const head = {
    kind,
    schemaVersion: 2,
    startedAt: new Date().toISOString(),
    quick: QUICK,
    machine: { cpuModel: environment.cpuModel, cores: environment.cpuCount, kernel: environment.kernel },
    versions: { [nodeKey]: process.version, tool: `${TOOL.name} ${TOOL.version}`, iperf3: iperfVersion },
    environment,
    criteria: { ...SEARCH, rule: `${lossWords(LOSS_LIMIT)} each way and each sender ≥ ${SEARCH.minSentFraction * 100} % of the offered rate`, trialSeconds: TRIAL_S, omitSeconds: OMIT_S, socketBufferBytes: BUF, host: HOST },
  };
  return { environment, head };
}

async function perNode(list) {
  const majors = list.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const m of majors) if (!/^\d+$/.test(m)) { log(`bench:perf: PERF_NODE must be a comma list of Node major versions (e.g. 22,24,26), got ${JSON.stringify(list)}`); process.exit(2); }
  const names = selected.map(([n]) => n).filter((n) => n !== 'iperf3');
  const defaults = ['ours-single', 'plain-dgram'];
  const perNodeNames = only ? names : defaults;
  const withIperf = only ? only.has('iperf3') : true;
  const dir = outputDir();
  const { environment, head } = reportHeader('perf-nodes', 'parentNode');
  const { startedAt: started } = head;
  const iperfVersion = head.versions.iperf3;
  const out = {
    ...head,
    contenders: perNodeNames,
    nodes: [],
    iperf3: null,
  };
  log(`bench:perf across Node ${majors.join(', ')} on ${environment.cpuModel} (${environment.cpuCount} cores); contenders per Node: ${perNodeNames.join(', ') || 'none'}; iperf3 once: ${withIperf ? 'yes' : 'no'}; output to ${dir}`);
  for (const major of majors) {
    const row = { major: Number(major), node: null, binary: null, skipped: null, error: null, searches: [] };
    out.nodes.push(row);
    const b = nodeBinary(Number(major));
    if (b.skip) {
      row.skipped = b.skip;
      log(`node ${major}: skipped: ${b.skip}`);
      continue;
    }
    row.binary = b.bin;
    if (perNodeNames.length === 0) continue;
    const tmp = mkdtempSync(path.join(os.tmpdir(), `udp-duplex-lab-perf-node${major}-`));
    try {
      log(`node ${major}: ${b.bin}`);
      const r = await childSearches(b.bin, perNodeNames, tmp);
      if (r.error) {
        row.error = r.error;
        process.exitCode = 1;
        log(`node ${major}: ERROR ${r.error}`);
      } else {
        row.node = r.doc.versions.node;
        row.searches = r.doc.searches;
        row.skippedContenders = r.doc.skipped;
        if (r.code !== 0) process.exitCode = 1;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (withIperf) {
    const why = CONTENDERS.iperf3.available();
    if (why !== null) {
      out.iperf3 = { skipped: why, searches: [] };
      log(`iperf3: skipped: ${why}`);
    } else {
      out.iperf3 = { skipped: null, searches: [] };
      for (const size of CONTENDERS.iperf3.sizes) {
        log(`iperf3 duplex ${size} B (once: it does not depend on Node)`);
        const s = await searchContender('iperf3', CONTENDERS.iperf3, size);
        out.iperf3.searches.push(s);
      }
    }
  }

  const fmt = (v) => Math.round(v).toLocaleString('en-US');
  const cell = (s) => (s === undefined || s === null ? '—' : `${s.ratePps === null ? 'none' : fmt(s.ratePps)} (${s.status})`);
  const sizes = QUICK ? [64] : [64, 1400];
  const cols = [...perNodeNames, ...(withIperf ? ['iperf3'] : [])];
  const header = cols.map((c) => (c === 'iperf3' ? `iperf3 (one run, ${iperfVersion ?? 'not installed'})` : c));
  const rows = [];
  for (const n of out.nodes) {
    for (const size of sizes) {
      const cells = cols.map((c) => {
        if (c === 'iperf3') return out.iperf3?.skipped ? `skipped (${out.iperf3.skipped})` : cell(out.iperf3?.searches.find((s) => s.sizeBytes === size));
        if (n.skipped) return `skipped (${n.skipped})`;
        if (n.error) return `error (${n.error})`;
        const sk = n.skippedContenders?.find((x) => x.contender === c);
        return sk ? `skipped (${sk.reason})` : cell(n.searches.find((s) => s.contender === c && s.sizeBytes === size));
      });
      rows.push(`| ${n.node ?? `${n.major} (not run)`} | ${size} B | ${cells.join(' | ')} |`);
    }
  }
  const lines = [
    `# bench:perf across Node versions — ${started}${QUICK ? ' (QUICK: a check of the script, not a publication)' : ''}`,
    '',
    `${out.machine.cpuModel} (${out.machine.cores} cores), ${out.machine.kernel}; ${out.versions.tool}; iperf3: ${iperfVersion ?? 'not installed'}`,
    '',
    `Same search (this tool's \`findMaxRate\`) for every contender and every Node: the highest rate per direction with ${out.criteria.rule}; ${TRIAL_S} s trials after ${OMIT_S} s warm-up; 4 MiB socket buffers; 127.0.0.1; resolution ${SEARCH.resolutionPercent} %, ${SEARCH.confirmTrials} re-checks, at most ${SEARCH.maxTrials} trials. Each Node's searches ran in one child process under that Node (the contenders' own child processes too); iperf3 does not depend on Node, so it was searched once and its figure repeats on every row. Per direction = the lower of the two directions.`,
    '',
    `| Node | size | ${header.join(' | ')} |`,
    `| --- | --: | ${cols.map(() => '--:').join(' | ')} |`,
    ...rows,
    '',
    'Status: ' + STATUS_LEGEND.map(([k, v]) => `**${k}**: ${v}`).join('; ') + '.',
    '',
    'Contenders: ' + cols.map((n) => `**${n}**: ${CONTENDERS[n].description}`).join('; ') + '.',
    '',
    'Machines and runs differ: compare Node versions only within one table, and only beyond this machine\'s run-to-run noise.',
    '',
  ];
  const md = lines.join('\n');
  process.stdout.write(`${md}\n`);
  const base = path.join(dir, `perf-nodes-${started.slice(0, 10)}${QUICK ? '-quick' : ''}`);
  checkPublished(out);
  writeFileAtomic(`${base}.json`, `${JSON.stringify(out, null, 2)}\n`);
  writeFileAtomic(`${base}.md`, `${md}\n`);
  log(`written: ${base}.json and .md`);
}

// ---------------------------------------------------------------------------
// Main

const outDir = outputDir();
// `none` runs no search (e.g. to check the memory and micro parts alone).
const only = process.env.PERF_CONTENDERS ? new Set(process.env.PERF_CONTENDERS.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none')) : null;
if (only) for (const n of only) if (!(n in CONTENDERS)) { log(`bench:perf: unknown contender ${n} (known: ${Object.keys(CONTENDERS).join(', ')})`); process.exit(2); }
const modes = QUICK ? ['single'] : ['single', 'split'];
const selected = Object.entries(CONTENDERS).filter(([name]) => {
  if (only) return only.has(name);
  // The quick run skips split threads (the script is checked, not the figures).
  return !(QUICK && name.includes('split'));
});

const NODE_LIST = process.env.PERF_NODE ?? '';
const SEARCHES_JSON = process.env.PERF_SEARCHES_JSON || null;
if (NODE_LIST.trim() !== '') {
  await perNode(NODE_LIST);
  // Let a piped stdout drain before exiting (the rest of this file is the single-Node run).
  await new Promise((r) => process.stdout.write('', r));
  process.exit();
}

const { environment, head } = reportHeader('perf', 'node');
const { startedAt: started } = head;
const out = {
  ...head,
  contenders: {},
  searches: [],
  skipped: [],
  ratios: {},
  targets: [],
};

log(`bench:perf on ${environment.cpuModel} (${environment.cpuCount} cores), ${environment.kernel}, node ${process.version}; ${TRIAL_S} s trials; pass = ${out.criteria.rule}; 4 MiB buffers; output to ${outDir}`);
for (const [name, c] of selected) {
  const why = c.available();
  out.contenders[name] = { traffic: c.traffic, informational: c.informational === true, description: c.description, version: c.version, sizes: c.sizes, skipped: why };
  if (why !== null) {
    log(`${name}: skipped: ${why}`);
    out.skipped.push({ contender: name, reason: why });
    continue;
  }
  for (const size of c.sizes) {
    log(`${name} ${c.traffic} ${size} B`);
    const s = await searchContender(name, c, size);
    // --clients N: the per-client figure and the one server port's aggregate (N × it), both in the JSON.
    if (c.clients !== undefined) Object.assign(s, { clients: c.clients, aggregatePps: s.ratePps === null ? null : s.ratePps * c.clients });
    log(`${name} ${size} B: ${s.ratePps === null ? 'none' : Math.round(s.ratePps)} pps per direction (${s.status})`);
    out.searches.push(s);
  }
}

if (SEARCHES_JSON) {
  // A child of a PERF_NODE run: the searches are all it was asked for.
  writeFileAtomic(SEARCHES_JSON, `${JSON.stringify(out, null, 2)}\n`);
  log(`written: ${SEARCHES_JSON}`);
  process.exit();
}

const find = (name, size) => out.searches.find((s) => s.contender === name && s.sizeBytes === size) ?? null;
/** The better of our modes for a traffic kind, with its status. */
function bestOurs(traffic, size) {
  const names = modes.map((m) => (traffic === 'duplex' ? `ours-${m}` : `ours-simplex-${m}`));
  const found = names.map((n) => find(n, size)).filter((s) => s !== null);
  // The highest figure; a search without one (floor) is still returned so its status is shown.
  return found.length === 0 ? null : found.reduce((a, b) => ((a.ratePps ?? -1) >= (b.ratePps ?? -1) ? a : b));
}
/** A ratio of two searched figures; decided only when both are measured limits (confirmed or undersent). */
function ratio(name, num, numFactor, den) {
  const value = num !== null && den !== null && num.ratePps !== null && den.ratePps !== null && den.ratePps > 0 ? (numFactor * num.ratePps) / den.ratePps : null;
  const decided = ['confirmed', 'undersent'];
  const inputs = [num, den].map((s) => (s === null ? 'missing' : `${s.contender} ${s.sizeBytes} B ${s.status}`));
  const sound = num !== null && den !== null && decided.includes(num.status) && decided.includes(den.status);
  out.ratios[name] = { value, inputs, decided: sound };
  return out.ratios[name];
}
const rDuplex = ratio('duplexAggregateOverSimplex64', bestOurs('duplex', 64), 2, bestOurs('simplex', 64));
const rIperf = {};
for (const size of [64, 1400]) if (find('iperf3', size)) rIperf[size] = ratio(`oursOverIperf3PerDirection${size}`, bestOurs('duplex', size), 1, find('iperf3', size));
// Issue 13: the server port's aggregate (per-client rate × N) at 16 clients against 1 client.
const rClients = find('ours-clients-16', 64) && find('ours-clients-1', 64) ? ratio('aggregate16ClientsOver1Client64', find('ours-clients-16', 64), 16, find('ours-clients-1', 64)) : null;

log(`memory: ${RSS_S} s --rate max run`);
out.memory = await rssGrowth(RSS_S);
if (out.memory.status === 'failed') {
  log(`memory: FAILED: ${out.memory.reason}`);
  process.exitCode = 1;
}
log('micro-benchmarks');
out.micro = await runMicro({ timeMs: 300 });

/** A target row: `pass` is null (not decided) when an input is missing or not a measured limit. */
const target = (name, value, limit, check, note) => out.targets.push({ name, value, limit, pass: value === null || note !== null ? null : check(value), note });
const ratioNote = (r) => (r.value === null ? `no figure (${r.inputs.join('; ')})` : r.decided ? null : `not decided: ${r.inputs.join('; ')}`);
target('duplex aggregate / simplex ceiling at 64 B', rDuplex.value, '≥ 0.9', (v) => v >= 0.9, ratioNote(rDuplex));
if (rIperf[64]) target('ours / iperf3 --bidir per direction at 64 B', rIperf[64].value, '≥ 1.0', (v) => v >= 1.0, ratioNote(rIperf[64]));
if (rClients) target('server port aggregate, 16 clients / 1 client, at 64 B', rClients.value, '≥ 0.8', (v) => v >= 0.8, ratioNote(rClients));
target('header decode + accounting (ns)', out.micro.target.measuredNs, '≤ 150', () => out.micro.target.pass, null);
target('RSS growth over the --rate max run (MB)', out.memory.growthBytes === null ? null : out.memory.growthBytes / 1e6, '< 20', (v) => v < 20, out.memory.status === 'failed' ? `FAILED: ${out.memory.reason}` : null);
// A failed memory run is a failed target, not an undecided one.
if (out.memory.status === 'failed') out.targets[out.targets.length - 1].pass = false;

/** `--clients N` rows: the per-client figure times N is the one server port's aggregate per direction. */
function clientLines() {
  const rows = out.searches.filter((s) => CONTENDERS[s.contender]?.clients !== undefined);
  if (rows.length === 0) return [];
  return [
    `One server port, N clients (rates per client; the port's aggregate per direction = N × the per-client figure): ${rows
      .map((s) => {
        const n = CONTENDERS[s.contender].clients;
        return `${n} client${n === 1 ? '' : 's'} → ${s.ratePps === null ? 'none' : `${fmt(s.ratePps)} per client, ${fmt(s.ratePps * n)} aggregate`} (${s.status})`;
      })
      .join('; ')}.`,
    '',
  ];
}

const fmt = (v) => (v === null || v === undefined ? 'n/a' : typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2)) : String(v));
const rate = (r) => (r === undefined ? '—' : `${r.ratePps === null ? 'none' : fmt(r.ratePps)} (${r.status})`);
const machineLine = `${out.machine.cpuModel} (${out.machine.cores} cores), ${out.machine.kernel}; node ${out.versions.node}; ${out.versions.tool}; iperf3: ${out.versions.iperf3 ?? 'not installed'}`;
const lines = [
  `# bench:perf — ${started}${QUICK ? ' (QUICK: a check of the script, not a publication)' : ''}`,
  '',
  machineLine,
  '',
  `Same search (this tool's \`findMaxRate\`) for every contender: the highest rate per direction with ${out.criteria.rule}; ${TRIAL_S} s trials after ${OMIT_S} s warm-up; 4 MiB socket buffers; 127.0.0.1; resolution ${SEARCH.resolutionPercent} %, ${SEARCH.confirmTrials} re-checks, at most ${SEARCH.maxTrials} trials.`,
  '',
  `| contender | traffic | size | per direction, ${lossWords(LOSS_LIMIT)} (datagrams/s, status) | A→B | B→A | trials |`,
  '| --- | --- | --: | --: | --: | --: | --: |',
  ...out.searches.map((s) => `| ${s.contender}${CONTENDERS[s.contender]?.informational ? ' (kernel ceiling: information, not a target)' : ''} | ${s.traffic}${s.symmetric ? ' (one rate both ways, judged together)' : ''} | ${s.sizeBytes} B | ${rate(s)} | ${rate(s.directions.ab)} | ${rate(s.directions.ba)} | ${s.trials.length} |`),
  '',
  ...out.skipped.map((s) => `- ${s.contender}: skipped: ${s.reason}`),
  ...(out.skipped.length ? [''] : []),
  ...clientLines(),
  'Status: ' + STATUS_LEGEND.map(([k, v]) => `**${k}**: ${v}`).join('; ') + '.',
  '',
  ...(Object.keys(out.contenders).length === 0
    ? []
    : ['Contenders: ' + Object.entries(out.contenders).map(([n, c]) => `**${n}**: ${c.description}${c.version ? ` [${c.version}]` : ''}`).join('; ') + '.', '']),
  '| target | measured | limit | pass |',
  '| --- | --: | --- | --- |',
  ...out.targets.map((t) => `| ${t.name} | ${fmt(t.value)} | ${t.limit} | ${t.pass === null ? 'n/a' : t.pass ? 'yes' : 'NO'}${t.note ? ` (${t.note})` : ''} |`),
  '',
  out.memory.status === 'failed'
    ? `Memory: FAILED (${out.memory.reason}).`
    : `Memory: ${out.memory.samples} samples over ${out.memory.seconds} s; baseline ${fmt(out.memory.baselineBytes / 1e6)} MB (after 3 s), peak ${fmt(out.memory.peakBytes / 1e6)} MB.`,
  '',
];
const md = lines.join('\n');
process.stdout.write(`${md}\n${formatMicroTable(out.micro)}\n`);
const stamp = started.slice(0, 10);
const base = path.join(outDir, `perf-${stamp}${QUICK ? '-quick' : ''}`);
checkPublished(out);
writeFileAtomic(`${base}.json`, `${JSON.stringify(out, null, 2)}\n`);
writeFileAtomic(`${base}.md`, `${md}\n`);
log(`written: ${base}.json and .md`);
if (out.memory.status === 'failed') log('bench:perf: FAILED (memory measurement); exit status 1');
