/**
 * `bench duplex`: options, run, progress lines, table or JSON; with
 * `--find-max`, the search for the highest rate within a loss threshold.
 * Also the progress display shared with `bench sweep` (the only place that
 * decides between a `\r`-updated TTY line and plain lines).
 */
import { Option, type Command } from 'commander';
import { examplesText } from './examples.js';
import { parseIntIn, parseRate, parseSeconds, resolveDuplexOptions, type RawDuplexOptions } from './options.js';
import { finishResult, interruptible, planSave, stderrLine, stdoutWidth, type OutputOptions } from './common.js';
import { bitrateToRate, intervalAggregator, jsonStreamLine, parseInterval, redirectToLogfile } from './iperf-compat.js';
import { OptionError } from '../errors.js';
import { runDuplex } from '../bench/run.js';
import type { ProgressSample } from '../bench/run.js';
import { plannedSearchRuns, runFindMax, type FindMaxOptions } from '../bench/findmax.js';
import { estimateRunSeconds, formatProgress, type ProgressState } from '../bench/progress.js';
import type { RunWarning } from '../report/schema.js';
import { formatDuplexTable, formatIntervalLine, formatWarning } from '../report/table.js';
import { formatFloodLine, formatSearchTable, formatTrialLine } from '../report/sweep.js';
import { formatInteger, formatPps } from '../report/format.js';

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

/** Formats a progress sample (its counts over its interval; the line shows rates) for stderr. */
export function progressLine(s: ProgressSample, sizeBytes: number): string {
  const span = s.toSeconds - s.fromSeconds > 0 ? s.toSeconds - s.fromSeconds : 1;
  const pps = (n: number): string => String(Math.round(n / span)).padStart(6);
  // Remote mode: each side sees only its own sender and its own receiver.
  if (s.sent < 0) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  recv ${pps(s.received)} pps  lost ${String(s.lost).padStart(6)}  (peer counts the sending)`;
  if (s.received < 0) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  sent ${pps(s.sent)} pps  (peer counts the receiving)`;
  return formatIntervalLine({ ...s, sizeBytes });
}

/** Raw `--find-max` options (strings from commander; no commander defaults, so "given" is visible). */
export interface RawFindMaxOptions {
  findMax?: boolean;
  lossThreshold?: string;
  trialDuration?: string;
  floor?: string;
  ceiling?: string;
  maxTrials?: string;
}

/** Defaults of the `--find-max` options (applied here, not by commander, so a given option can be told from a default). */
export const FIND_MAX_DEFAULTS = { lossThreshold: '0', trialDuration: '2', floor: '1k', maxTrials: '20' } as const;

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

/** The first rate option the user gave on the command line (not just its default), or `null`. */
export function rateGiven(cmd: Command): string | null {
  for (const [key, flag] of [['rate', '--rate'], ['rateAb', '--rate-ab'], ['rateBa', '--rate-ba']] as const) {
    const source = cmd.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') return flag;
  }
  return null;
}

/**
 * Validates the `--find-max` options for datagrams of `sizeBytes` (bit rates
 * depend on it). Returns `null` without `--find-max`, after checking that
 * none of its options was given alone.
 */
export function resolveFindMaxOptions(raw: RawFindMaxOptions, sizeBytes: number, explicitRate: string | null): FindMaxOptions | null {
  if (raw.findMax !== true) {
    const stray = (
      [
        ['--loss-threshold', raw.lossThreshold],
        ['--trial-duration', raw.trialDuration],
        ['--floor', raw.floor],
        ['--ceiling', raw.ceiling],
        ['--max-trials', raw.maxTrials],
      ] as const
    ).find(([, v]) => v !== undefined);
    if (stray !== undefined) throw new OptionError(stray[0], 'only applies with --find-max');
    return null;
  }
  if (explicitRate !== null) throw new OptionError(explicitRate, 'cannot be combined with --find-max (the search picks the rates; see --floor and --ceiling)');
  const thresholdText = raw.lossThreshold ?? FIND_MAX_DEFAULTS.lossThreshold;
  const lossThresholdPercent = Number(thresholdText);
  if (!/^\d+(\.\d+)?$/.test(thresholdText.trim()) || !(lossThresholdPercent >= 0 && lossThresholdPercent < 100)) {
    throw new OptionError('--loss-threshold', `"${thresholdText}" must be a percentage from 0 to below 100`);
  }
  const trialSeconds = parseSeconds('--trial-duration', raw.trialDuration ?? FIND_MAX_DEFAULTS.trialDuration, false);
  const floorPps = parseRate('--floor', raw.floor ?? FIND_MAX_DEFAULTS.floor, sizeBytes);
  if (floorPps === null) throw new OptionError('--floor', '"max" is not a floor; give a rate such as 1k');
  let ceilingPps: number | null = null;
  if (raw.ceiling !== undefined) {
    ceilingPps = parseRate('--ceiling', raw.ceiling, sizeBytes);
    if (ceilingPps === null) throw new OptionError('--ceiling', '"max" is the default: leave --ceiling out to measure it with an unpaced flood');
    if (ceilingPps < floorPps) throw new OptionError('--ceiling', `"${raw.ceiling}" is below --floor (${formatPps(floorPps)} datagrams/s)`);
  }
  const maxTrials = parseIntIn('--max-trials', raw.maxTrials ?? FIND_MAX_DEFAULTS.maxTrials, 1, 1000);
  return { lossThresholdPercent, floorPps, ceilingPps, trialSeconds, maxTrials };
}

/** What a progress display shows besides the counts. */
export interface ProgressPlan {
  job: string;
  unit: string;
  total: number;
  totalIsUpperBound: boolean;
  unitSecondsEstimate: number;
}

/** How often the TTY line is redrawn between events (elapsed and estimate move on). */
const PROGRESS_REDRAW_MS = 1000;

/**
 * The progress of a sweep or search on stderr. On a TTY: one line updated in
 * place with `\r` (and redrawn every second), cleared before any other line
 * is printed so lines never interleave. Otherwise (pipes, logs, CI): a plain
 * line each time a unit starts. Time is the monotonic clock.
 */
export class ProgressDisplay {
  private readonly t0 = process.hrtime.bigint();
  private done = 0;
  private lastDoneSeconds = 0;
  private current = '';
  private drawn = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly plan: ProgressPlan,
    /** `--no-progress` turns the display off; notes are still printed. */
    private readonly enabled: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = out.isTTY === true;
  }

  /** A unit (cell, trial) starts. */
  startUnit(current: string): void {
    this.current = current;
    if (!this.enabled) return;
    if (this.tty) {
      if (this.timer === null) this.timer = setInterval(() => this.draw(), PROGRESS_REDRAW_MS).unref();
      this.draw();
    } else this.out.write(`${formatProgress(this.state())}\n`);
  }

  /** Changes what the running unit is said to be doing (TTY only; plain output stays one line per unit). */
  detail(current: string): void {
    this.current = current;
    if (this.enabled && this.tty) this.draw();
  }

  /** A unit finished. */
  finishUnit(): void {
    this.done += 1;
    this.lastDoneSeconds = this.elapsed();
    this.current = ''; // the finished unit's label would otherwise sit next to the next unit's number
  }

  /** Prints a line of its own (a trial, a warning) without breaking the progress line. */
  note(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    if (this.enabled && this.tty && this.timer !== null) this.draw();
  }

  /** Removes the progress line and stops redrawing. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private state(): ProgressState {
    return {
      ...this.plan,
      done: this.done,
      elapsedSeconds: this.elapsed(),
      elapsedAtLastDoneSeconds: this.lastDoneSeconds,
      current: this.current,
    };
  }

  private elapsed(): number {
    return Number(process.hrtime.bigint() - this.t0) / 1e9;
  }

  private draw(): void {
    // Wider than the terminal would wrap, and `\r` would then only return to the last row.
    // Some pseudo-terminals report 0 columns: assume 80 then.
    const columns = this.out.columns > 0 ? this.out.columns : 80;
    const width = Math.max(20, columns - 1);
    const text = [...formatProgress(this.state())];
    const line = text.length > width ? `${text.slice(0, width - 1).join('')}…` : text.join('');
    this.out.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\u001b[K');
    this.drawn = false;
  }
}

/** Prints a warning on stderr (results also record it; the table shows it on stdout). */
export function warningLine(warning: RunWarning): string {
  return `bench: ${formatWarning(warning)}`;
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
