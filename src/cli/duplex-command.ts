/**
 * `bench duplex`: one run (table, JSON or NDJSON), or with `--find-max` the
 * search for the highest rate within a loss threshold.
 */
import { Option, type Command } from 'commander';
import { examplesText } from './examples.js';
import { resolveDuplexOptions, type RawDuplexOptions } from './options.js';
import { finishResult, interruptible, planSave, stderrLine, stdoutWidth, type OutputOptions } from './common.js';
import { bitrateToRate, intervalAggregator, jsonStreamLine, parseInterval, redirectToLogfile } from './iperf-compat.js';
import { rateGiven, resolveFindMaxOptions, type RawFindMaxOptions } from './findmax-options.js';
import { ProgressDisplay, progressLine, warningLine } from './progress-display.js';
import { OptionError } from '../errors.js';
import { runDuplex } from '../bench/run.js';
import type { ProgressSample } from '../bench/run.js';
import { plannedSearchRuns, runFindMax } from '../bench/findmax.js';
import { estimateRunSeconds } from '../bench/progress.js';
import { formatDuplexTable } from '../report/table.js';
import { formatFloodLine, formatSearchTable, formatTrialLine } from '../report/sweep.js';
import { formatInteger } from '../report/format.js';

/** Options of `bench duplex` that describe one run (shared with `bench sweep`). */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--host <addr>', 'address to bind (default 127.0.0.1; with --peer, the wildcard of the peer\'s family)')
    .option('-p, --port <n>', 'A binds N and B binds N+1 (default: free ports)')
    .option('--peer <host:port>', 'run against `bench listen` on another machine ([::1]:5301 for IPv6)')
    .option('-l, --size <bytes>', 'UDP payload bytes per datagram, header included', '200')
    .option('--rate <rate>', 'per direction, datagrams/s (50k, 200kpps) or bits/s with a unit (20Mbit), or max', '10k')
    .option('-b, --bitrate <bits>', "per direction, bits/s of UDP payload as iperf3 means it (100M = 100 Mbit/s, 1G, 500K); instead of --rate")
    .option('--rate-ab <rate>', 'rate A→B (overrides --rate)')
    .option('--rate-ba <rate>', 'rate B→A (overrides --rate)')
    .option('-t, --duration <s>', 'measured seconds', '5')
    .option('--omit <s>', 'warm-up seconds before measuring (excluded from the figures)', '0')
    .option('--threads <mode>', 'single (one event loop per endpoint), split (sender and receiver threads) or auto', 'auto')
    .option('--rcvbuf <size>', 'SO_RCVBUF to request (k/m suffixes: 4m)')
    .option('--sndbuf <size>', 'SO_SNDBUF to request (k/m suffixes)')
    .option('--secret <s>', 'shared secret for remote mode (or BENCH_SECRET)')
    .option('--peer-timeout <s>', 'remote mode: give up when the peer is silent this long', '3')
    .addOption(new Option('--batch <n>', 'datagrams sent per event-loop turn before yielding to receives').hideHelp());
}

/** Output options shared by result-producing commands. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('-J, --json', 'print the full result as JSON on stdout instead of the table')
    .option('--json-stream', 'print one JSON object per line on stdout: each interval, then the result (NDJSON, as iperf3)')
    .option('-i, --interval <s>', 'whole seconds between interval lines on stderr; 0 turns them off', '1')
    .option('--logfile <file>', 'send everything that would go to the terminal to this file instead')
    .option('--no-save', 'do not save the result (default: results/runs/ in the checkout, else $XDG_DATA_HOME/udp-duplex-lab/runs or BENCH_RESULTS_DIR)')
    .option('--out <file>', 'save the result to this file')
    .option('--no-progress', 'no progress lines on stderr (as -i 0)');
}

/** The `--find-max` options (shared with `bench sweep`). */
export function addFindMaxOptions(cmd: Command): Command {
  return cmd
    .option('--find-max', 'search for the highest rate per direction whose loss stays within --loss-threshold')
    .option('--loss-threshold <percent>', 'with --find-max: highest loss % that still passes (0 = RFC 2544 throughput; 0.5 = partial-drop rate) (default: 0)')
    .option('--trial-duration <s>', 'with --find-max: measured seconds per trial (default: 2)')
    .option('--floor <rate>', 'with --find-max: lowest rate searched, per direction (default: 1k)')
    .option('--ceiling <rate>', 'with --find-max: highest rate searched (default: measured by a short unpaced flood)')
    .option('--max-trials <n>', 'with --find-max: most trials, the flood not counted (default: 20)');
}

async function findMaxAction(raw: RawDuplexOptions & RawFindMaxOptions & OutputOptions, cmd: Command): Promise<number> {
  const cfg = await resolveDuplexOptions(raw);
  const options = resolveFindMaxOptions(raw, cfg.sizeBytes, rateGiven(cmd));
  if (options === null) throw new Error('findMaxAction without --find-max');
  const plan = planSave(raw);
  const display = new ProgressDisplay(
    {
      // Counts runs, not trials: the ceiling flood is a run of its own but not a trial of the search.
      job: 'find-max',
      unit: 'run',
      total: plannedSearchRuns(options),
      totalIsUpperBound: true,
      unitSecondsEstimate: estimateRunSeconds({ omitSeconds: cfg.omitSeconds, durationSeconds: options.trialSeconds }),
    },
    raw.progress,
  );
  const intr = interruptible();
  try {
    const result = await runFindMax(cfg, options, {
      signal: intr.signal,
      secret: raw.secret ?? process.env.BENCH_SECRET ?? null,
      onNotice: (line) => display.note(`bench: ${line}`),
      onRunStart: (start) =>
        display.startUnit(
          start.rates === null
            ? 'ceiling flood (unpaced)'
            : `trial ${(start.index ?? 0) + 1}: A→B ${formatInteger(start.rates.abPps)} B→A ${formatInteger(start.rates.baPps)} pps`,
        ),
      onCeilingMeasured: (_run, measured) => {
        display.finishUnit();
        if (raw.progress) display.note(formatFloodLine(measured));
      },
      onTrial: (trial) => {
        display.finishUnit();
        if (raw.progress) display.note(formatTrialLine(trial));
      },
      onWarning: (w) => display.note(warningLine(w)),
    });
    display.stop();
    return finishResult(result, raw, plan, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, () => formatSearchTable(result), intr.received());
  } finally {
    display.stop();
    intr.dispose();
  }
}

/** Applies `-b` (iperf3's bits/s) to the raw options; refuses it together with --rate. */
function applyBitrate(raw: RawDuplexOptions & { bitrate?: string }, cmd: Command): void {
  if (raw.bitrate === undefined) return;
  const given = rateGiven(cmd);
  if (given !== null) throw new OptionError('-b', `give either -b (bits/s) or ${given} (datagrams/s), not both`);
  raw.rate = bitrateToRate(raw.bitrate);
}

async function duplexAction(raw: RawDuplexOptions & RawFindMaxOptions & OutputOptions & { bitrate?: string }, cmd: Command): Promise<number> {
  const restore = raw.logfile === undefined ? null : redirectToLogfile(raw.logfile);
  try {
    applyBitrate(raw, cmd);
    if (raw.json === true && raw.jsonStream === true) throw new OptionError('--json-stream', 'give either -J/--json or --json-stream, not both');
    const interval = parseInterval(raw.interval ?? '1');
    if (interval === 0) raw.progress = false;
    if (raw.findMax === true) return await findMaxAction(raw, cmd);
    return await runAction(raw, interval);
  } finally {
    restore?.();
  }
}

async function runAction(raw: RawDuplexOptions & RawFindMaxOptions & OutputOptions, interval: number): Promise<number> {
  const cfg = await resolveDuplexOptions(raw);
  resolveFindMaxOptions(raw, cfg.sizeBytes, null); // rejects --floor & co. without --find-max
  const plan = planSave(raw);
  const intr = interruptible();
  const show = (s: ProgressSample): void => {
    if (raw.jsonStream === true) process.stdout.write(jsonStreamLine('interval', s));
    else stderrLine(progressLine(s, cfg.sizeBytes));
  };
  const lines = intervalAggregator(interval, show);
  try {
    const result = await runDuplex(cfg, {
      signal: intr.signal,
      ...(raw.progress || raw.jsonStream === true ? { onProgress: lines.add } : {}),
      onNotice: (line: string) => stderrLine(`bench: ${line}`),
      secret: raw.secret ?? process.env.BENCH_SECRET ?? null,
    });
    lines.flush();
    for (const w of result.warnings) stderrLine(warningLine(w));
    return finishResult(result, raw, plan, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, () => formatDuplexTable(result, { width: stdoutWidth() }), intr.received());
  } finally {
    intr.dispose();
  }
}

/** Registers `bench duplex`. */
export function registerDuplex(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command('duplex').description('flood both directions between endpoints A and B at once, each on one UDP port').addHelpText('after', examplesText('duplex'));
  addOutputOptions(addFindMaxOptions(addRunOptions(cmd))).action(async (opts: RawDuplexOptions & RawFindMaxOptions & OutputOptions, command: Command) => {
    setExit(await duplexAction(opts, command));
  });
}
