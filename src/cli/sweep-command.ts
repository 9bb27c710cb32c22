/**
 * `bench sweep`: comma-separated lists of buffers, sizes, rates and thread
 * layouts; every combination is one full duplex run (or, with `--find-max`,
 * one search). All list values are validated, and every cell's config
 * resolved, before the first cell runs.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { OptionError } from '../errors.js';
import { parseIntIn, parseSize, resolveDuplexOptions, type RawDuplexOptions } from './options.js';
import { MAX_CLIENTS } from '../result/types.js';
import { finishResult, interruptible, planSave, stdoutWidth, tableOnStdout, type OutputOptions } from './common.js';
import { withOutputOptions } from './iperf-compat.js';
import { addOptions, FIND_MAX_OPTIONS, OUTPUT_OPTIONS, PATTERN_OPTIONS, type OptionName } from './option-table.js';
import { DEFAULT_SIZE, parseStall } from './pattern-options.js';
import { rateGiven, resolveFindMaxOptions, type RawFindMaxOptions } from './findmax-options.js';
import { ProgressDisplay, warningLine } from './progress-display.js';
import { runSweep, sweepCombinations, type SweepCellPlan, type SweepPlan } from '../bench/sweep.js';
import { plannedSearchRuns } from '../bench/findmax.js';
import { estimateRunSeconds } from './progress.js';
import type { SweepAxes } from '../result/types.js';
import { formatCellLabel, formatCellLine, formatSweepTable, formatTrialLine } from '../report/sweep.js';
import { formatInteger } from '../report/format.js';

/** More cells than this is almost certainly a typo (and hours of traffic). */
const MAX_CELLS = 1000;

/** Raw `bench sweep` options: the swept ones are comma-separated lists. */
interface RawSweepOptions extends Omit<RawDuplexOptions, 'rateAb' | 'rateBa'>, RawFindMaxOptions, OutputOptions {}

/** Splits `a,b,c`; an empty item (`4m,,8m`, a trailing comma) is an error naming the option. */
function splitList(option: string, text: string): string[] {
  const items = text.split(',').map((t) => t.trim());
  if (items.some((t) => t === '')) throw new OptionError(option, `"${text}" has an empty item (write values separated by single commas)`);
  return items;
}

/** A buffer list: sizes (`208k`, `4m`) or `default` for the OS default. */
function bufferList(option: string, text: string | undefined): (number | null)[] {
  if (text === undefined) return [];
  return splitList(option, text).map((t) => (t.toLowerCase() === 'default' ? null : parseSize(option, t)));
}

function threadList(text: string): ('single' | 'split' | 'auto')[] {
  return splitList('--threads', text).map((t) => {
    if (t !== 'single' && t !== 'split' && t !== 'auto') throw new OptionError('--threads', `"${t}" must be single, split or auto`);
    return t;
  });
}

/**
 * Parses the lists and resolves every cell through the same validation as
 * `bench duplex` (sizes against the address family, rates against each
 * size, find-max floors and ceilings per size). Any bad value is an
 * {@link OptionError} naming its option, raised before anything runs.
 */
/** The `--clients` axis; not swept (absent) when it is the default single client. */
function clientsAxis(text: string | undefined): Pick<SweepAxes, 'clients'> {
  if (text === undefined) return {};
  const list = splitList('--clients', text).map((t) => parseIntIn('--clients', t, 1, MAX_CLIENTS));
  return list.length === 1 && list[0] === 1 ? {} : { clients: list };
}

/** The `--stall` axis; not swept (absent) without the option. */
function stallAxis(text: string | undefined): Pick<SweepAxes, 'stalls'> {
  if (text === undefined) return {};
  return { stalls: splitList('--stall', text).map((t) => parseStall('--stall', t)) };
}

/** True when neither direction runs `cbr` (the rate list would change nothing). */
function onlyPatterns(raw: RawSweepOptions): boolean {
  const kind = (t: string | undefined): string => (t ?? raw.pattern ?? 'cbr').trim().toLowerCase();
  return kind(raw.patternAb) !== 'cbr' && kind(raw.patternBa) !== 'cbr';
}

/** The size a sweep runs without `--size`: the default of the pattern A→B (as `bench duplex`). */
function defaultSweepSize(raw: RawSweepOptions): string {
  const kind = (raw.patternAb ?? raw.pattern ?? 'cbr').trim().toLowerCase();
  return String(DEFAULT_SIZE[kind as keyof typeof DEFAULT_SIZE] ?? DEFAULT_SIZE.cbr);
}

async function resolveSweepPlan(raw: RawSweepOptions, cmd: Command): Promise<SweepPlan> {
  const findMax = raw.findMax === true;
  const explicitRate = rateGiven(cmd);
  if (raw.bitrate !== undefined && ![raw.pattern, raw.patternAb, raw.patternBa].some((p) => p?.trim().toLowerCase() === 'video')) {
    throw new OptionError('-b', 'in a sweep, -b is the video bit rate (--pattern video); give cbr rates with --rate (e.g. 20Mbit)');
  }
  const axes: SweepAxes = {
    rcvbufBytes: bufferList('--rcvbuf', raw.rcvbuf),
    sndbufBytes: bufferList('--sndbuf', raw.sndbuf),
    sizeBytes: splitList('--size', raw.size ?? defaultSweepSize(raw)).map((t) => parseIntIn('--size', t, 0, Number.MAX_SAFE_INTEGER)),
    // With --find-max the search picks the rates; a given --rate is rejected by resolveFindMaxOptions below.
    // Real-time patterns in both directions set their own rates: no rate axis.
    rates: findMax || onlyPatterns(raw) ? [] : splitList('--rate', raw.rate),
    threads: threadList(raw.threads),
    ...clientsAxis(raw.clients),
    ...stallAxis(raw.stall),
  };
  const lengths: [string, number][] = [
    ['--rcvbuf', axes.rcvbufBytes.length],
    ['--sndbuf', axes.sndbufBytes.length],
    ['--size', axes.sizeBytes.length],
    ['--rate', axes.rates.length],
    ['--threads', axes.threads.length],
    ['--clients', axes.clients?.length ?? 0],
    ['--stall', axes.stalls?.length ?? 0],
  ];
  const cellCount = lengths.reduce((n, [, len]) => n * Math.max(1, len), 1);
  if (cellCount > MAX_CELLS) {
    const longest = lengths.reduce((a, b) => (b[1] > a[1] ? b : a));
    throw new OptionError(longest[0], `the lists make ${cellCount} cells, more than ${MAX_CELLS}; shorten a list`);
  }

  const cells: SweepCellPlan[] = [];
  // Resolve the host (and peer) once; later cells reuse the literal so a name is looked up once.
  let host = raw.host;
  let peer = raw.peer;
  for (const combo of sweepCombinations(axes)) {
    const cellRaw: RawDuplexOptions = {
      // Without --size each pattern keeps its own default (a trace has none).
      ...(raw.size === undefined ? {} : { size: String(combo.sizeBytes) }),
      rate: combo.rateText ?? raw.rate,
      duration: raw.duration,
      omit: raw.omit,
      threads: combo.threads,
      clients: String(combo.clients),
      ...(host === undefined ? {} : { host }),
      ...(raw.port === undefined ? {} : { port: raw.port }),
      ...(peer === undefined ? {} : { peer }),
      ...(combo.rcvbufBytes === null ? {} : { rcvbuf: String(combo.rcvbufBytes) }),
      ...(combo.sndbufBytes === null ? {} : { sndbuf: String(combo.sndbufBytes) }),
      ...(raw.batch === undefined ? {} : { batch: raw.batch }),
      peerTimeout: raw.peerTimeout,
      pattern: raw.pattern,
      ...patternRaw(raw),
      ...(combo.stall === null ? {} : { stall: `${combo.stall.ms}@${combo.stall.everySeconds}` }),
    };
    const config = await resolveDuplexOptions(cellRaw);
    host = config.host;
    if (config.peer !== null) peer = config.peer;
    if (findMax && (config.patternAb?.kind !== 'cbr' || config.patternBa?.kind !== 'cbr')) {
      throw new OptionError('--find-max', 'searches the rate of --pattern cbr; a real-time pattern has its own rate (sweep --rcvbuf or --stall instead)');
    }
    cells.push({ ...combo, sizeBytes: config.sizeBytes, config, findMax: resolveFindMaxOptions(raw, config.sizeBytes, explicitRate) });
  }
  return { axes, cells };
}

/** The pattern options a sweep passes to every cell unchanged (`--stall` is an axis). */
function patternRaw(raw: RawSweepOptions): Partial<RawDuplexOptions> {
  const out: Partial<RawDuplexOptions> = {};
  for (const key of ['pattern', 'patternAb', 'patternBa', 'ptime', 'fps', 'keyframeInterval', 'keyframeRatio', 'seed', 'trace', 'bitrate'] as const) {
    const v = raw[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

async function sweepAction(raw: RawSweepOptions, cmd: Command): Promise<number> {
  const plan = await resolveSweepPlan(raw, cmd);
  const first = plan.cells[0];
  if (first === undefined) throw new OptionError('--size', 'the lists make no cells');
  const savePlan = planSave(raw);
  const cellSeconds =
    first.findMax === null
      ? estimateRunSeconds(first.config)
      : // A search's length is only bounded: assume half its trial budget, which is typical.
        (plannedSearchRuns(first.findMax) / 2) * estimateRunSeconds({ omitSeconds: first.config.omitSeconds, durationSeconds: first.findMax.trialSeconds });
  const display = new ProgressDisplay({ job: 'sweep', unit: 'cell', total: plan.cells.length, totalIsUpperBound: false, unitSecondsEstimate: cellSeconds }, raw.progress);
  const intr = interruptible();
  const labels = plan.cells.map((c) => formatCellLabel(c));
  try {
    const result = await runSweep(plan, {
      signal: intr.signal,
      secret: raw.secret ?? process.env.BENCH_SECRET ?? null,
      onNotice: (line) => display.note(`bench: ${line}`),
      onCellStart: ({ index }) => display.startUnit(labels[index] ?? ''),
      onCellDone: (cell, total) => {
        display.finishUnit();
        if (raw.progress) display.note(formatCellLine(cell, total));
      },
      onSearchRunStart: (index, start) =>
        display.detail(
          `${labels[index] ?? ''} — ${start.rates === null ? 'ceiling flood' : `trial ${(start.index ?? 0) + 1} at ${formatInteger(start.rates.abPps)}/${formatInteger(start.rates.baPps)} pps`}`,
        ),
      onTrial: (index, trial) => {
        if (raw.progress) display.note(`  cell ${index + 1} ${formatTrialLine(trial)}`);
      },
      // Said as they happen only when stdout will not show them in the table (-J): once, never twice.
      onWarning: (w) => {
        if (!tableOnStdout(raw)) display.note(warningLine(w));
      },
    });
    display.stop();
    return finishResult(result, raw, savePlan, `${result.mode}-${result.plannedCells}cells`, () => formatSweepTable(result, { width: stdoutWidth(raw.wide) }), intr.received());
  } finally {
    display.stop();
    intr.dispose();
  }
}

/** The options of `bench sweep`, in `--help` order: the swept ones first. */
const SWEEP_OPTIONS: readonly OptionName[] = [
  'rcvbuf', 'sndbuf', 'size', 'rate', 'threads', 'clients', 'stall', 'duration', 'omit', 'host', 'port', 'peer', 'secret', 'peerTimeout', 'batch',
  ...PATTERN_OPTIONS.filter((n) => n !== 'stall'),
  'bitrate',
  ...FIND_MAX_OPTIONS,
  ...OUTPUT_OPTIONS,
];

/** Registers `bench sweep`. */
export function registerSweep(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('sweep')
    .addHelpText('after', examplesText('sweep'))
    .description('run a matrix of duplex tests over comma-separated lists of buffers, sizes, rates and thread layouts');
  addOptions(cmd, 'sweep', SWEEP_OPTIONS).action(async (opts: RawSweepOptions, command: Command) => {
    setExit(await withOutputOptions(opts, () => sweepAction(opts, command)));
  });
}
