/**
 * `bench duplex`: one run (table, JSON or NDJSON), or with `--find-max` the
 * search for the highest rate within a loss threshold.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { resolveDuplexOptions, type RawDuplexOptions } from './options.js';
import { finishResult, interruptible, planSave, stderrLine, stderrWrapped, stdoutWidth, tableOnStdout, type OutputOptions } from './common.js';
import { bitrateToRate, intervalAggregator, jsonStreamLine, withOutputOptions } from './iperf-compat.js';
import { addOptions, FIND_MAX_OPTIONS, MEDIA_OPTIONS, OUTPUT_OPTIONS, PATTERN_OPTIONS, type OptionName } from './option-table.js';
import { rateGiven, resolveFindMaxOptions, type RawFindMaxOptions } from './findmax-options.js';
import { ProgressDisplay, progressLine, warningLine } from './progress-display.js';
import { OptionError } from '../errors.js';
import { runDuplex } from '../bench/run.js';
import type { ProgressSample } from '../bench/run.js';
import { plannedSearchRuns, runFindMax } from '../bench/findmax.js';
import { estimateRunSeconds } from './progress.js';
import { formatDuplexTable } from '../report/table.js';
import { formatFloodLine, formatSearchTable, formatTrialLine } from '../report/sweep.js';
import { formatInteger } from '../report/format.js';

async function findMaxAction(raw: RawDuplexOptions & RawFindMaxOptions & OutputOptions, cmd: Command): Promise<number> {
  const cfg = await resolveDuplexOptions(raw);
  if (cfg.patternAb?.kind !== 'cbr' || cfg.patternBa?.kind !== 'cbr') {
    throw new OptionError('--find-max', 'searches the rate of --pattern cbr; a real-time pattern has its own rate (sweep --rcvbuf or --stall instead)');
  }
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
      // Said as they happen only when stdout will not show them in the table (-J): once, never twice.
      onWarning: (w) => {
        if (!tableOnStdout(raw)) display.note(warningLine(w));
      },
    });
    display.stop();
    return finishResult(result, raw, plan, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, () => formatSearchTable(result, { width: stdoutWidth(raw.wide) }), intr.received());
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
  return withOutputOptions(raw, async (interval) => {
    applyBitrate(raw, cmd);
    if (raw.findMax === true) return findMaxAction(raw, cmd);
    return runAction(raw, interval);
  });
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
    // The table on stdout lists the warnings; with -J or --json-stream they are said on stderr too.
    if (!tableOnStdout(raw)) for (const w of result.warnings) stderrWrapped(warningLine(w));
    return finishResult(result, raw, plan, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, () => formatDuplexTable(result, { width: stdoutWidth(raw.wide) }), intr.received());
  } finally {
    intr.dispose();
  }
}

/** The options of `bench duplex`, in `--help` order. */
const DUPLEX_OPTIONS: readonly OptionName[] = [
  'host', 'port', 'peer', 'size', 'rate', 'bitrate', 'rateAb', 'rateBa', 'duration', 'omit', 'threads', 'rcvbuf', 'sndbuf', 'secret', 'peerTimeout', 'clients', 'serverReceivers', 'batch',
  ...PATTERN_OPTIONS,
  ...MEDIA_OPTIONS,
  ...FIND_MAX_OPTIONS,
  ...OUTPUT_OPTIONS,
];

/** Registers `bench duplex`. */
export function registerDuplex(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command('duplex').description('flood both directions between endpoints A and B at once, each on one UDP port').addHelpText('after', examplesText('duplex'));
  addOptions(cmd, 'duplex', DUPLEX_OPTIONS).action(async (opts: RawDuplexOptions & RawFindMaxOptions & OutputOptions & { bitrate?: string }, command: Command) => {
    setExit(await duplexAction(opts, command));
  });
}
