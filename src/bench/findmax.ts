/**
 * `bench duplex --find-max`: the pure search of `search.ts` driven by real
 * duplex runs. Every trial (and the unpaced flood that finds the ceiling when
 * none is given) is one full `runDuplex`, so it works in local and remote
 * mode alike, and every trial's full result is kept next to the search's
 * verdict on it.
 */
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { SCHEMA_VERSION } from '../result/types.js';
import type {
  IncompleteReason,
  DirectionResult,
  DuplexResult,
  RunConfig,
  RunWarning,
  SearchCeiling,
  SearchDirectionResult,
  SearchResult,
  SearchSettings,
  SearchTrial,
} from '../result/types.js';
import { TOOL } from '../version.js';
import { collectEnvironment } from './environment.js';
import { runDuplex } from './run.js';
import { baseHooksOf, type BaseHooks, type RunHooks } from './hooks.js';
import { findMaxRate, planTotalTrials, type DirectionRates, type SearchOptions, type TrialOutcome, type TrialRecord } from './search.js';
import { makeWarning } from '../result/warnings.js';

/** What the user chose for a search (resolved and validated by the CLI). */
export interface FindMaxOptions {
  /** 0 = RFC 2544 throughput; > 0 = partial-drop rate. */
  lossThresholdPercent: number;
  floorPps: number;
  /** `null`: measure it with an unpaced flood of `trialSeconds`. */
  ceilingPps: number | null;
  trialSeconds: number;
  maxTrials: number;
}

/**
 * The search knobs this tool does not expose as options, made explicit so a
 * result file records them (they equal `search.ts`'s own defaults).
 */
export const SEARCH_FIXED = {
  confirmTrials: 2,
  resolutionPercent: 1,
  minSentFraction: 0.95,
  ceilingHeadroom: 1.05,
} as const;

/** The settings a search with these options runs with, as recorded in its result. */
export function searchSettings(options: FindMaxOptions): SearchSettings {
  return { ...options, ...SEARCH_FIXED };
}

/**
 * Runs (trials plus the flood, if any) a search needs at most: an upper bound
 * for a progress display (see `planTotalTrials`).
 */
export function plannedSearchRuns(options: FindMaxOptions): number {
  const plan = planTotalTrials({
    floorPps: options.floorPps,
    ...(options.ceilingPps === null ? {} : { ceilingPps: options.ceilingPps }),
    resolutionPercent: SEARCH_FIXED.resolutionPercent,
    maxTrials: options.maxTrials,
    confirmTrials: SEARCH_FIXED.confirmTrials,
  });
  return plan + (options.ceilingPps === null ? 1 : 0);
}

/** What is about to run: the flood (`index: null`) or trial `index` at `rates`. */
export interface SearchRunStart {
  index: number | null;
  rates: DirectionRates | null;
}

/** Hooks of a search; none touches the terminal. */
export interface FindMaxHooks extends BaseHooks {
  /** Before each run (the flood, then every trial). */
  onRunStart?: (start: SearchRunStart) => void;
  /** After the flood, with its run and the sent rates it measured. */
  onCeilingMeasured?: (run: DuplexResult, measured: DirectionRates) => void;
  /** After each trial, with the search's verdict and the trial's run. */
  onTrial?: (trial: SearchTrial, run: DuplexResult) => void;
}

/** Ends the search early, keeping what was measured (not an error of the tool). */
class SearchStopped extends Error {
  /** @param detail - what exactly stopped it, kept as a warning of the search */
  constructor(
    readonly reason: IncompleteReason,
    readonly detail: string | null = null,
  ) {
    super(detail ?? reason);
  }
}

/**
 * Runs a `--find-max` search with `cfg` as the template of every trial (its
 * rates and duration are replaced per trial). Resolves with the result,
 * complete or partial (interrupted, or a trial that could not finish: a
 * trial that did not run to its end cannot vouch for a rate). Rejects only
 * when a run could not start (bind failures and the like), like `runDuplex`.
 */
export async function runFindMax(cfg: RunConfig, options: FindMaxOptions, hooks: FindMaxHooks = {}): Promise<SearchResult> {
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only; never used to measure
  const t0 = clock.nowNs();
  const settings = searchSettings(options);
  const warnings = new WarningSet(hooks.onWarning);
  const trials: SearchTrial[] = [];
  const trialRuns: DuplexResult[] = [];
  // Written by the callbacks below; a holder object so the compiler does not narrow them to their initial `null`.
  const runs: { ceiling: DuplexResult | null; ceilingSent: DirectionRates | null; last: DuplexResult | null } = { ceiling: null, ceilingSent: null, last: null };

  const run = trialRunner(hooks, clock, warnings);

  const runner = async (rates: DirectionRates): Promise<TrialOutcome> => {
    hooks.onRunStart?.({ index: trials.length, rates });
    const result = await run(trialConfig(cfg, options.trialSeconds, rates));
    runs.last = result;
    return { ab: { offeredPps: rates.abPps, ...figures(result, 'A') }, ba: { offeredPps: rates.baPps, ...figures(result, 'B') } };
  };

  const searchOptions: SearchOptions = {
    floorPps: options.floorPps,
    lossThresholdPercent: options.lossThresholdPercent,
    maxTrials: options.maxTrials,
    ...SEARCH_FIXED,
    onTrial: (record: TrialRecord) => {
      // `findMaxRate` calls this right after the runner returned: `runs.last` is this trial's run.
      const trial: SearchTrial = record;
      const trialRun = runs.last;
      if (trialRun === null) return;
      trials.push(trial);
      trialRuns.push(trialRun);
      hooks.onTrial?.(trial, trialRun);
    },
    ...(options.ceilingPps !== null
      ? { ceilingPps: options.ceilingPps }
      : {
          measureCeiling: () => measureCeiling(async () => {
            hooks.onRunStart?.({ index: null, rates: null });
            const flood = await run(trialConfig(cfg, options.trialSeconds, null));
            runs.ceiling = flood;
            return flood;
          }, (flood, measured) => {
            runs.ceilingSent = measured;
            hooks.onCeilingMeasured?.(flood, measured);
          }),
        }),
  };

  let stopped: IncompleteReason | null = null;
  let ceiling: SearchCeiling | null = null;
  let directions: { ab: SearchDirectionResult; ba: SearchDirectionResult } | null = null;
  try {
    const outcome = await findMaxRate(runner, searchOptions);
    ceiling = outcome.ceiling;
    // Record what the flood really sent (the search was given the faster of the two for both).
    if (ceiling.source === 'measured' && runs.ceilingSent !== null) {
      ceiling = { ...ceiling, measured: { ...runs.ceilingSent } };
    }
    directions = outcome.directions;
  } catch (err) {
    if (!(err instanceof SearchStopped)) throw err;
    stopped = err.reason;
    if (err.detail !== null) warnings.addAll([makeWarning('search-stopped', { detail: err.detail })]);
    ceiling = ceilingSoFar(options.ceilingPps, trials[0], runs.ceilingSent);
  }

  return {
    kind: 'search',
    schemaVersion: SCHEMA_VERSION,
    tool: { ...TOOL },
    startedAt,
    complete: stopped === null,
    incompleteReason: stopped,
    mode: cfg.peer === null ? 'local' : 'remote',
    config: searchTemplate(cfg, options.trialSeconds),
    search: settings,
    environment: (runs.ceiling ?? trialRuns[0])?.environment ?? collectEnvironment(cfg.host),
    ceiling,
    directions,
    trials,
    trialRuns,
    ceilingRun: runs.ceiling,
    warnings: warnings.list(),
    elapsedSeconds: (clock.nowNs() - t0) / 1e9,
  };
}

/**
 * Runs one trial (or the ceiling flood) with the search's hooks: its
 * warnings kept, and a trial that did not run to its end stops the search (it
 * cannot vouch for a rate), as does an interruption.
 */
function trialRunner(hooks: FindMaxHooks, clock: Clock, warnings: WarningSet): (trialCfg: RunConfig) => Promise<DuplexResult> {
  const runHooks: RunHooks = { ...baseHooksOf(hooks), clock };
  return async (trialCfg) => {
    if (hooks.signal?.aborted) throw new SearchStopped('interrupted');
    const result = await runDuplex(trialCfg, runHooks);
    warnings.addAll(result.warnings);
    if (!result.complete) {
      throw new SearchStopped(hooks.signal?.aborted ? 'interrupted' : 'trial-incomplete', `a trial run ended incomplete (${result.incompleteReason ?? 'unknown reason'})`);
    }
    return result;
  };
}

/**
 * Floods once (`flood`) and places the search's ceiling: both directions
 * start from the faster one's sent rate. In an unpaced duplex flood one
 * endpoint's sender can starve the other's (one event loop per endpoint on
 * shared cores), so the slower direction's flood understates what it can do
 * when paced. A flood whose sent rates nobody observed cannot place a
 * ceiling: reading a missing figure as 0 pps would collapse the range onto
 * the floor without saying why.
 */
async function measureCeiling(flood: () => Promise<DuplexResult>, onMeasured: (flood: DuplexResult, measured: DirectionRates) => void): Promise<DirectionRates> {
  const result = await flood();
  const measured = sentRates(result);
  if (measured === null) throw new SearchStopped('ceiling-unobserved', 'the flood reported no sent rate');
  onMeasured(result, measured);
  const top = Math.max(measured.abPps, measured.baPps);
  return { abPps: top, baPps: top };
}

/** What a stopped search had settled of its ceiling: a given one, or the rates of its first (ceiling) trial with what the flood sent. */
function ceilingSoFar(ceilingPps: number | null, first: SearchTrial | undefined, ceilingSent: DirectionRates | null): SearchCeiling | null {
  if (ceilingPps !== null) return { source: 'option', rates: { abPps: ceilingPps, baPps: ceilingPps }, measured: null };
  if (first !== undefined && ceilingSent !== null) return { source: 'measured', rates: { ...first.rates }, measured: { ...ceilingSent } };
  return null;
}

/**
 * The config recorded as the search's own: the template with the trial
 * duration, and rates marked `find-max` (they differ per trial; each trial's
 * run has its own). `null` pps is the schema's "max", and the text says why.
 */
function searchTemplate(cfg: RunConfig, trialSeconds: number): RunConfig {
  return { ...cfg, durationSeconds: trialSeconds, rateAbPps: null, rateBaPps: null, rateAbText: 'find-max', rateBaText: 'find-max' };
}

/** One trial's config: paced at `rates`, or unpaced (`null`: the ceiling flood). */
export function trialConfig(cfg: RunConfig, trialSeconds: number, rates: DirectionRates | null): RunConfig {
  return {
    ...cfg,
    durationSeconds: trialSeconds,
    rateAbPps: rates === null ? null : rates.abPps,
    rateBaPps: rates === null ? null : rates.baPps,
    rateAbText: rates === null ? 'max' : String(rates.abPps),
    rateBaText: rates === null ? 'max' : String(rates.baPps),
  };
}

function direction(result: DuplexResult, from: 'A' | 'B'): DirectionResult {
  const d = result.directions.find((x) => x.from === from);
  // A complete run always has both directions; a missing one means the run cannot be judged.
  if (d === undefined) throw new SearchStopped('trial-incomplete', `a trial run has no ${from} direction`);
  return d;
}

/**
 * The figures the search judges; `null` stays `null` (the search fails such
 * a trial as `unobserved`). With `--clients N` the rates are per client and
 * every client must pass: the slowest client's sent rate and the worst
 * client's loss are judged, so a rate passes only with all N loaded and
 * none left behind (an aggregate would let one client's shortfall hide).
 */
function figures(result: DuplexResult, from: 'A' | 'B'): { sentPps: number | null; lossPercent: number | null } {
  if (result.peers === undefined || result.peers.length === 0) {
    const d = direction(result, from);
    return { sentPps: d.sentPps, lossPercent: d.lossPercent };
  }
  const ds = result.peers.map((p) => p.directions.find((x) => x.from === from) ?? null);
  const sent = ds.map((d) => d?.sentPps ?? null);
  const loss = ds.map((d) => d?.lossPercent ?? null);
  return {
    sentPps: sent.some((v) => v === null) ? null : Math.min(...(sent as number[])),
    lossPercent: loss.some((v) => v === null) ? null : Math.max(...(loss as number[])),
  };
}

/** The flood's sent rate per direction (per client with `--clients N`: the slowest), or `null` when either was not observed. */
function sentRates(flood: DuplexResult): DirectionRates | null {
  const ab = figures(flood, 'A').sentPps;
  const ba = figures(flood, 'B').sentPps;
  return ab === null || ba === null ? null : { abPps: ab, baPps: ba };
}

/**
 * Collects warnings across runs, keeping each distinct one once (a sweep's
 * cells or a search's trials repeat the same clamp warning), and reports each
 * the first time it appears so the CLI can print it right away.
 */
export class WarningSet {
  private readonly seen = new Map<string, RunWarning>();

  constructor(private readonly onNew?: (warning: RunWarning) => void) {}

  addAll(warnings: readonly RunWarning[]): void {
    for (const w of warnings) {
      const key = `${w.code}\u0000${w.message}\u0000${w.hint ?? ''}`;
      if (this.seen.has(key)) continue;
      this.seen.set(key, w);
      this.onNew?.(w);
    }
  }

  list(): RunWarning[] {
    return [...this.seen.values()];
  }
}
