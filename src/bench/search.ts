import type { DirectionKey } from '../result/types.js';
/**
 * The search behind `bench duplex --find-max`: find, in duplex, the highest
 * offered rate PER DIRECTION at which loss stays within a threshold.
 *
 * With `lossThresholdPercent: 0` this is the throughput of RFC 2544 §26.1 (the
 * highest rate at which no frame is lost). A positive threshold (e.g. 0.5) gives
 * a partial-drop rate in the sense of MLRsearch (RFC 9971): the highest rate
 * whose loss ratio does not exceed the target.
 *
 * This module is pure: it never touches a socket or a clock. The caller injects
 * a {@link TrialRunner} (one real duplex run of N seconds per call) and, when no
 * ceiling is given, a {@link CeilingProbe} (an unpaced flood). Tests inject
 * simulated loss-vs-rate curves instead, which is why everything the search
 * decides is recorded in plain data ({@link SearchOutcome}).
 *
 * Why both directions share each trial: a full-duplex endpoint sends and
 * receives on the same port, so the rate one direction sustains depends on the
 * load of the other (shared CPU, socket buffers, NIC queues). Searching one
 * direction while the other is idle would measure a half-duplex figure.
 */

/** The two directions of a duplex session: A→B and B→A. */
export type Direction = DirectionKey;

/** The directions, in the order results are built and printed. */
export const DIRECTIONS: readonly Direction[] = ['ab', 'ba'];

/** One rate per direction, packets per second. */
export interface DirectionRates {
  abPps: number;
  baPps: number;
}

/** What one direction of one trial measured. */
export interface DirectionOutcome {
  /** The rate the pacer was asked for (as the runner reports it). */
  offeredPps: number;
  /** The rate the sender actually achieved; `null` when nobody observed it. */
  sentPps: number | null;
  /** Share of sent datagrams that were not received, 0..100; `null` when it could not be derived. */
  lossPercent: number | null;
}

/** What one duplex trial measured, per direction. */
export interface TrialOutcome {
  ab: DirectionOutcome;
  ba: DirectionOutcome;
}

/**
 * Runs one duplex trial with both directions paced at the given rates, and
 * reports what each direction sent and lost. Errors it throws end the search
 * (they propagate from {@link findMaxRate}).
 */
export type TrialRunner = (rates: DirectionRates) => Promise<TrialOutcome>;

/**
 * Measures what an unpaced duplex flood achieves: the SENT rate per direction.
 * Used to pick a ceiling when none is given, since no paced rate above what the
 * sender can emit can be sustained anyway.
 */
export type CeilingProbe = () => Promise<DirectionRates>;

/** Why the trial sat where it did, per direction. */
export type DirectionRole =
  /** The first trial: the ceiling itself (one trial decides "passes at the ceiling"). */
  | 'ceiling'
  /**
   * A bisection step (including the final check of the floor), or a step down
   * after a refutation (see `REBRACKET_STEPS`: fresh trials below the refuted
   * rate; the failing 'confirm' or 'hold' record just before them is the refutation).
   */
  | 'search'
  /** A re-check of the rate the direction converged to. */
  | 'confirm'
  /** The direction is finished; it is held at its result rate (or the floor) to keep the duplex load realistic. */
  | 'hold';

/** What a trial was mainly for: the most "searching" role among its directions. */
export type TrialPhase = 'ceiling' | 'search' | 'confirm';

/** Why a direction passed or failed a trial. */
export type TrialVerdict =
  /** Loss within the threshold and the rate was actually sent. */
  | 'pass'
  /** Loss above the threshold. */
  | 'loss'
  /** The sender could not emit the offered rate: that rate is not sustained, whatever the loss. */
  | 'undersent'
  /**
   * A figure the verdict needs (sent rate or loss) was not observed (`null`) or is
   * not a number: nothing vouches for the rate, so it fails. Never read as 0 % loss.
   */
  | 'unobserved';

/** One direction of one recorded trial. */
export interface DirectionTrialRecord {
  role: DirectionRole;
  /** The rate the search asked for. */
  offeredPps: number;
  outcome: DirectionOutcome;
  pass: boolean;
  verdict: TrialVerdict;
  /** Why a failing direction failed, in words (e.g. `sent 80,000 pps < 95 % of 100,000`); `null` when it passed. */
  reason: string | null;
}

/** One trial as the search saw it. */
export interface TrialRecord {
  /** 0-based position among the runner calls of this search. */
  index: number;
  phase: TrialPhase;
  /** The rates the runner was called with. */
  rates: DirectionRates;
  ab: DirectionTrialRecord;
  ba: DirectionTrialRecord;
}

/** Why a direction's search stopped where it did. */
export type SearchLimit =
  /** The normal case: the rate passes, the next rate up (within the resolution) fails, and at least one failure above was on loss. */
  | 'loss'
  /**
   * Every failure above the result was the sender falling short of the offered
   * rate (at whatever loss): the sender, not the path, is the limit. Reporting
   * this as `loss` would blame the path for what the sender could not emit.
   */
  | 'undersent'
  /** No failure above was on loss, and at least one could not be judged (a figure was not observed). */
  | 'unobserved'
  /** Passing (loss within the threshold, rate sent) even at the ceiling: the true limit may lie higher. */
  | 'ceiling'
  /** Failing even at the floor: no rate in range passes. */
  | 'floor'
  /** The trial budget ran out: the rate is the best passing one so far. */
  | 'max-trials';

/** The search result of one direction. */
export interface DirectionSearchResult {
  /** The highest rate that passed (and was re-checked, see `confirmed`); `null` when none did. */
  ratePps: number | null;
  /**
   * The worst loss seen in the passing trials at `ratePps`; with `limitedBy:
   * 'floor'`, the loss of the failing floor trial. `null` when no trial measured it.
   */
  lossPercentAtRate: number | null;
  /** The lowest rate that failed (the top of the final bracket), `null` when none did. */
  lowestFailingPps: number | null;
  limitedBy: SearchLimit;
  /** True when `ratePps` passed `confirmTrials` re-checks after first passing, with no failure at it. */
  confirmed: boolean;
  /** Trials this direction searched or re-checked in (trials it was only held in are not counted). */
  trials: number;
  /**
   * Re-checks (or held trials) that failed at a rate that then passed its
   * re-checks by majority (see `SearchOptions.confirmTrials`); absent when
   * none did, and in results before the majority rule.
   */
  recheckFailures?: number;
}

/** Where the ceiling came from. */
export interface CeilingInfo {
  source: 'option' | 'measured';
  /** The ceiling used per direction. */
  rates: DirectionRates;
  /** The flood's sent rates when `source` is `measured`, else `null`. */
  measured: DirectionRates | null;
}

/** The whole search, as plain data (safe to serialise into a result file). */
export interface SearchOutcome {
  kind: 'search';
  lossThresholdPercent: number;
  floorPps: number;
  ceiling: CeilingInfo;
  directions: { ab: DirectionSearchResult; ba: DirectionSearchResult };
  trials: TrialRecord[];
}

/** Options of {@link findMaxRate}. */
export interface SearchOptions {
  /** Lowest rate searched, per direction (> 0). A direction failing here (loss, undersent or unobserved) is reported `limitedBy: 'floor'`. */
  floorPps: number;
  /** Highest rate searched: one for both directions or one each. Without it, `measureCeiling` is required. */
  ceilingPps?: number | DirectionRates;
  /** Measures the ceiling when `ceilingPps` is absent (see {@link CeilingProbe}). */
  measureCeiling?: CeilingProbe;
  /** Factor applied to the measured flood rates to get the ceiling (default 1.05, so the flood rate itself lies inside the range). */
  ceilingHeadroom?: number;
  /** Highest loss (percent, 0..100) at which a trial still passes. Default 0 (RFC 2544 throughput). */
  lossThresholdPercent?: number;
  /** Absolute resolution: stop when the bracket is at most this wide (pps). */
  resolutionPps?: number;
  /**
   * Relative resolution: stop when the bracket is at most this percentage of
   * its upper end. When both resolutions are given the coarser one wins; when
   * neither is, 1 % is used. Never finer than 1 pps.
   */
  resolutionPercent?: number;
  /** A passing rate counts as not sustained if the sender emitted less than this share of it (default 0.95). */
  minSentFraction?: number;
  /** Hard cap on runner calls (not counting the ceiling probe). */
  maxTrials: number;
  /**
   * Extra passing trials required at the final rate before it is accepted
   * (default 2). A failed re-check refutes the rate only when failures
   * reach a majority of what it needs (⌊confirmTrials / 2⌋ + 1: 2 by default);
   * a lone failure costs one more trial.
   */
  confirmTrials?: number;
  /** Failed re-checks that refute a rate (default ⌊confirmTrials / 2⌋ + 1; 1 is the strict rule of earlier versions: any failure refutes). */
  refuteFails?: number;
  /** Called after every trial, e.g. for progress output. */
  onTrial?: (trial: TrialRecord) => void;
}

/** The subset of options {@link planTotalTrials} needs. */
export type PlanOptions = Pick<
  SearchOptions,
  'floorPps' | 'ceilingPps' | 'resolutionPps' | 'resolutionPercent' | 'maxTrials' | 'confirmTrials'
>;

const DEFAULT_CONFIRM_TRIALS = 2;
const DEFAULT_RESOLUTION_PERCENT = 1;
const DEFAULT_MIN_SENT_FRACTION = 0.95;
const DEFAULT_CEILING_HEADROOM = 1.05;

/** Options after defaults and validation. */
interface Params {
  floorPps: number;
  threshold: number;
  resolution: Resolution;
  minSentFraction: number;
  maxTrials: number;
  confirmTrials: number;
  /**
   * Failed re-checks that refute a converged rate: a majority of the
   * `confirmTrials + 1` passes it needs (2 with the default 2 re-checks). One
   * noisy re-check then costs a trial instead of the bracket: on a shared
   * machine a single failure below the knee is common, and refuting on it
   * walked the search down rate by rate until the budget ran out.
   */
  refuteFails: number;
}

/** Evidence gathered at one passing rate. */
interface PassRecord {
  /** How many trials passed at this rate (the first one plus re-checks). */
  count: number;
  /** The worst passing loss seen at this rate. */
  maxLoss: number;
  /** Re-checks (or held trials) at this rate that failed, fewer than {@link Params.refuteFails} so far. */
  fails: number;
}

/** The search state of one direction. */
interface DirectionState {
  floor: number;
  ceiling: number;
  /**
   * Rates that passed and have not been contradicted by a failure at or below
   * them. The best one is the lower end of the bracket. Kept as a set (not one
   * number) so that when a re-check refutes the best, the search falls back to
   * the next-best evidence instead of starting over from the floor.
   */
  passes: Map<number, PassRecord>;
  /** Lowest rate that failed: the upper end of the bracket (`null`: nothing failed yet). */
  hi: number | null;
  /** Set when the floor failed; final (see `plan`). */
  floorFailure: { lossPercent: number | null } | null;
  /** The verdict and rate of every failing trial, to tell what limited the direction (see `limitOf`). */
  failures: { ratePps: number; verdict: Exclude<TrialVerdict, 'pass'> }[];
  trials: number;
  /** Failed re-checks that did not refute their rate (fewer than `refuteFails` at it). */
  recheckFailures: number;
  /**
   * Set when re-checks refuted a rate that had passed: the search steps down
   * from `top` in growing steps (`REBRACKET_STEPS`, the `step`-th next) until
   * a fresh pass, then bisects as usual; `null` otherwise. `nearest` is the
   * highest pass older than the refutation that lay within the first step
   * below `top` (`null`: none did): the first step re-tests it instead of
   * the 5 % point (see {@link plan}). See {@link update}.
   */
  rebracket: { top: number; step: number; nearest: number | null } | null;
}

/**
 * Downward steps after a refutation, as fractions of the refuted rate: 5 %,
 * 10 %, 20 %, 40 %, then the floor. Why: on a shared machine capacity drifts
 * down within a search (measured in a bench:perf run: iperf3's sender reached
 * 152k/s at trial 10 and only 121–125k/s from trial 16 on). The passes below
 * the refuted rate were measured before the drop and are as suspect as the
 * refuted one; falling back on them one at a time cost a majority of failed
 * re-checks each and ran the search out of trials. Fresh trials in growing
 * steps find a rate that passes now within a few trials (a 20 % drop: three),
 * and the bisection between it and the lowest fresh failure is short.
 * The first step re-tests the nearest older pass instead when one lies
 * within 5 % below the refuted rate: after a refutation by noise alone (no
 * fall) it usually passes again, and the bracket it leaves is as narrow as
 * falling back on it used to be (without this, a noise-only refutation cost
 * about three more trials than before: 8 of 200 searches with 25 % noisy
 * trials ran out of their budget, against none before; with it, 4 of 200
 * and 1.6 trials more on average, the price of not trusting stale passes);
 * after a fall of more
 * than 5 % it fails exactly as the 5 % point would. Only that first step:
 * an older pass deeper down, re-tested instead of a deeper step, would fail
 * after a fall the step itself would have passed.
 * Limits: capacity that drifts back up is not chased (the result is then
 * conservative); a fall during the final re-checks still costs their
 * failures plus this re-bracket; a fall of more than 20 % costs a fourth
 * step and a wider bisection (60–80 % of the refuted rate) than the budget
 * ({@link searchBudget}) reserves; and a noisy failure during the steps
 * sends the search one step lower than it had to go (the result is then
 * conservative, never above what passed after the refutation).
 */
const REBRACKET_STEPS = [0.05, 0.1, 0.2, 0.4] as const;

/** What a direction wants from the next trial. */
interface Step {
  role: DirectionRole;
  ratePps: number;
  /** True when the direction has its answer and is only held. */
  done: boolean;
}

/**
 * Finds, per direction, the highest rate whose loss stays within
 * `lossThresholdPercent`, running both directions in every trial.
 *
 * Outline: one trial at the ceiling; then each direction bisects its own
 * [highest pass, lowest fail] bracket until it is within the resolution (a
 * direction that never passes ends with a trial at the floor); the top of the
 * bracket is then re-checked `confirmTrials` times, and a failed re-check
 * lowers the bracket and resumes the bisection. A finished direction is held at
 * its result rate while the other continues, and is still judged in those
 * trials, so its result holds under the final duplex load.
 *
 * Assumes loss does not fall as a direction's own rate rises (what makes
 * bisection valid). When the directions are coupled (one direction's loss
 * depends on the other's rate), results stay safe (passed under the final
 * load) but may be conservative: a failure seen while the partner was probing
 * a rate above its final one still caps the bracket.
 *
 * @throws RangeError on inconsistent options; TypeError when neither
 *   `ceilingPps` nor `measureCeiling` is given. Errors of `runner` and
 *   `measureCeiling` propagate unchanged.
 */
export async function findMaxRate(runner: TrialRunner, options: SearchOptions): Promise<SearchOutcome> {
  const params = resolveParams(options);
  const ceiling = await resolveCeiling(options, params.floorPps);
  const states: Record<Direction, DirectionState> = {
    ab: newState(params.floorPps, ceiling.rates.abPps),
    ba: newState(params.floorPps, ceiling.rates.baPps),
  };
  const trials: TrialRecord[] = [];

  while (trials.length < params.maxTrials) {
    const steps: Record<Direction, Step> = { ab: plan(states.ab, params), ba: plan(states.ba, params) };
    if (steps.ab.done && steps.ba.done) break;

    const rates: DirectionRates = { abPps: steps.ab.ratePps, baPps: steps.ba.ratePps };
    const outcome = await runner(rates);
    const record: TrialRecord = {
      index: trials.length,
      phase: phaseOf(steps.ab.role, steps.ba.role),
      rates,
      ab: judge(steps.ab, outcome.ab, params),
      ba: judge(steps.ba, outcome.ba, params),
    };
    for (const dir of DIRECTIONS) update(states[dir], record[dir], params);
    trials.push(record);
    options.onTrial?.(record);
  }

  const ranOut = (dir: Direction): boolean => !plan(states[dir], params).done;
  return {
    kind: 'search',
    lossThresholdPercent: params.threshold,
    floorPps: params.floorPps,
    ceiling,
    directions: {
      ab: resultOf(states.ab, params, ranOut('ab')),
      ba: resultOf(states.ba, params, ranOut('ba')),
    },
    trials,
  };
}

/**
 * The number of trials a search needs when no re-check fails, capped by
 * `maxTrials`: an upper bound for a progress display. A failed re-check (noise,
 * or a held direction failing under a heavier partner load) resumes the
 * bisection and can take more, never more than `maxTrials`; so a display should
 * clamp its progress below 100 % until the search returns. When the ceiling is
 * not known in advance (it will be measured), the answer is `maxTrials`.
 */
export function planTotalTrials(options: PlanOptions): number {
  const maxTrials = options.maxTrials;
  if (options.ceilingPps === undefined) return maxTrials;
  const confirmTrials = options.confirmTrials ?? DEFAULT_CONFIRM_TRIALS;
  const ceilings = typeof options.ceilingPps === 'number' ? [options.ceilingPps] : [options.ceilingPps.abPps, options.ceilingPps.baPps];
  // The resolution is finest at the bottom of the range; using it there makes the estimate conservative.
  const finest = resolutionAt(options.floorPps, resolutionOf(options));
  let worst = 0;
  for (const ceilingPps of ceilings) {
    const width = ceilingPps - options.floorPps;
    const halvings = width > finest ? Math.ceil(Math.log2(width / finest)) : 0;
    // ceiling trial + halvings + 1 for integer rounding of midpoints + a floor trial + re-checks.
    worst = Math.max(worst, 1 + halvings + 1 + 1 + confirmTrials);
  }
  return Math.min(maxTrials, worst);
}

/**
 * A trial budget sized from the range and the resolution (issue 24): the
 * trials a clean search needs ({@link planTotalTrials} without a cap), plus
 * room for one failed re-check absorbed by the majority rule (its failures
 * and a trial more) and one refutation that stands, followed by a downward
 * re-bracket (`REBRACKET_STEPS`) after a fall in capacity of up to 20 %:
 * the failures that refute, three steps down (5, 10, 20 % below the refuted
 * rate), a bisection of the 10 % bracket between the last two steps to the
 * resolution, and the re-checks again.
 *
 * What it assumes: one such event of each kind per search, and a fall of at
 * most 20 % (the 20 % measured in a bench:perf run). A fall of 20–40 % costs
 * one step more and a bisection twice as wide, a second refutation costs the
 * same again: a search that still runs out of the budget met more drift or
 * noise than it reserves, and says so (`max-trials`) instead of guessing.
 */
export function searchBudget(options: Omit<PlanOptions, 'maxTrials'> & { ceilingPps: number | DirectionRates; refuteFails?: number }): number {
  const confirmTrials = options.confirmTrials ?? DEFAULT_CONFIRM_TRIALS;
  const refuteFails = options.refuteFails ?? Math.floor(confirmTrials / 2) + 1;
  const res = resolutionOf(options);
  const ceilings = typeof options.ceilingPps === 'number' ? [options.ceilingPps] : [options.ceilingPps.abPps, options.ceilingPps.baPps];
  // The re-bracket's bisection: [80 %, 90 %] of a refuted rate R, stopped at the resolution at its lower
  // end (conservative, as in planTotalTrials). A relative resolution makes it independent of R (4 halvings
  // at 1 %, 3 at 2 %); an absolute one needs most at the top of the range, so R is taken at the ceiling.
  let halvings = 0;
  for (const top of ceilings) {
    const width = 0.1 * top;
    const stop = resolutionAt(0.8 * top, res);
    if (width > stop) halvings = Math.max(halvings, Math.ceil(Math.log2(width / stop)));
  }
  const steps = REBRACKET_STEPS.indexOf(0.2) + 1;
  const absorbed = refuteFails + 1;
  const rebracket = refuteFails + steps + halvings + confirmTrials;
  return planTotalTrials({ ...options, maxTrials: Number.MAX_SAFE_INTEGER }) + absorbed + rebracket;
}

// ---------------------------------------------------------------------------
// Internals

/** Absolute (pps) and relative (percent of the bracket's upper end) resolution. */
interface Resolution {
  pps: number;
  percent: number;
}

function resolutionOf(options: Pick<SearchOptions, 'resolutionPps' | 'resolutionPercent'>): Resolution {
  const bothAbsent = options.resolutionPps === undefined && options.resolutionPercent === undefined;
  return {
    pps: options.resolutionPps ?? 0,
    percent: bothAbsent ? DEFAULT_RESOLUTION_PERCENT : (options.resolutionPercent ?? 0),
  };
}

/** The bracket width at which the search stops, for a bracket whose upper end is `upperPps`. */
function resolutionAt(upperPps: number, res: Resolution): number {
  // At least 1 pps: finer rates are below what a pacer can honour and would only burn trials.
  return Math.max(1, res.pps, (res.percent / 100) * upperPps);
}

function resolveParams(options: SearchOptions): Params {
  const threshold = options.lossThresholdPercent ?? 0;
  const res = resolutionOf(options);
  const confirmTrials = options.confirmTrials ?? DEFAULT_CONFIRM_TRIALS;
  const minSentFraction = options.minSentFraction ?? DEFAULT_MIN_SENT_FRACTION;
  if (!(Number.isFinite(options.floorPps) && options.floorPps > 0)) {
    throw new RangeError(`floorPps must be a positive number, got ${options.floorPps}`);
  }
  if (!(threshold >= 0 && threshold <= 100)) {
    throw new RangeError(`lossThresholdPercent must be within 0..100, got ${threshold}`);
  }
  if (!(res.pps >= 0 && Number.isFinite(res.pps)) || !(res.percent >= 0 && res.percent < 100)) {
    throw new RangeError(`resolution must be >= 0 pps and within 0..100 %, got ${res.pps} pps / ${res.percent} %`);
  }
  if (!(Number.isInteger(options.maxTrials) && options.maxTrials >= 1)) {
    throw new RangeError(`maxTrials must be a positive integer, got ${options.maxTrials}`);
  }
  if (!(Number.isInteger(confirmTrials) && confirmTrials >= 0)) {
    throw new RangeError(`confirmTrials must be a non-negative integer, got ${confirmTrials}`);
  }
  if (options.refuteFails !== undefined && !(Number.isInteger(options.refuteFails) && options.refuteFails >= 1)) {
    throw new RangeError(`refuteFails must be a positive integer, got ${options.refuteFails}`);
  }
  if (!(minSentFraction >= 0 && minSentFraction <= 1)) {
    throw new RangeError(`minSentFraction must be within 0..1, got ${minSentFraction}`);
  }
  return {
    floorPps: options.floorPps,
    threshold,
    resolution: res,
    minSentFraction,
    maxTrials: options.maxTrials,
    confirmTrials,
    refuteFails: options.refuteFails ?? Math.floor(confirmTrials / 2) + 1,
  };
}

async function resolveCeiling(options: SearchOptions, floorPps: number): Promise<CeilingInfo> {
  const given = options.ceilingPps;
  if (given !== undefined) {
    const rates = typeof given === 'number' ? { abPps: given, baPps: given } : { ...given };
    for (const dir of DIRECTIONS) {
      const value = rates[`${dir}Pps`];
      if (!(Number.isFinite(value) && value >= floorPps)) {
        throw new RangeError(`ceilingPps (${dir}) must be a finite number >= floorPps (${floorPps}), got ${value}`);
      }
    }
    return { source: 'option', rates, measured: null };
  }
  if (options.measureCeiling === undefined) {
    throw new TypeError('findMaxRate needs ceilingPps or measureCeiling');
  }
  const headroom = options.ceilingHeadroom ?? DEFAULT_CEILING_HEADROOM;
  if (!(Number.isFinite(headroom) && headroom >= 1)) {
    throw new RangeError(`ceilingHeadroom must be >= 1, got ${headroom}`);
  }
  const measured = await options.measureCeiling();
  // A flood slower than the floor (or a broken probe) leaves ceiling = floor: the
  // one-point range then yields a clear 'floor' or 'ceiling' verdict instead of an error.
  const pick = (sent: number): number => (Number.isFinite(sent) ? Math.max(floorPps, Math.round(sent * headroom)) : floorPps);
  return {
    source: 'measured',
    rates: { abPps: pick(measured.abPps), baPps: pick(measured.baPps) },
    measured: { abPps: measured.abPps, baPps: measured.baPps },
  };
}

function newState(floor: number, ceiling: number): DirectionState {
  return { floor, ceiling, passes: new Map(), hi: null, floorFailure: null, failures: [], trials: 0, recheckFailures: 0, rebracket: null };
}

/** The highest surviving passing rate, or `null`. */
function bestPass(state: DirectionState): number | null {
  let best: number | null = null;
  for (const rate of state.passes.keys()) if (best === null || rate > best) best = rate;
  return best;
}

/** Decides where a direction goes next. Pure: reads the state only. */
function plan(state: DirectionState, params: Params): Step {
  // A failing floor is final: re-checking it could only turn "no rate passes" into
  // "the floor passes sometimes", which is still not a sustained rate.
  if (state.floorFailure !== null) return { role: 'hold', ratePps: state.floor, done: true };

  const lo = bestPass(state);
  const hi = state.hi;

  // Nothing known yet (or everything refuted up to an untested ceiling): start at the ceiling,
  // so a system that passes over the whole range costs one trial plus the re-checks.
  if (hi === null && (lo === null || lo < state.ceiling)) {
    return { role: 'ceiling', ratePps: state.ceiling, done: false };
  }

  if (lo !== null && (hi === null || hi - lo <= resolutionAt(hi, params.resolution))) {
    // Converged at `lo`. One passing trial is not enough (noise, a lucky interval):
    // require `confirmTrials` more before accepting it.
    const rechecks = (state.passes.get(lo)?.count ?? 1) - 1;
    if (rechecks >= params.confirmTrials) return { role: 'hold', ratePps: lo, done: true };
    return { role: 'confirm', ratePps: lo, done: false };
  }

  // After a refutation, before any fresh pass: step down from the refuted rate (see REBRACKET_STEPS).
  if (state.rebracket !== null && lo === null && hi !== null) {
    const { top, step, nearest } = state.rebracket;
    const fraction = REBRACKET_STEPS[step];
    // First step: re-test the nearest older pass when it lies within it (see REBRACKET_STEPS).
    const probe = step === 0 && nearest !== null ? nearest : fraction === undefined ? state.floor : Math.round(top * (1 - fraction));
    if (probe > state.floor && probe < hi) return { role: 'search', ratePps: probe, done: false };
    if (probe <= state.floor) return { role: 'search', ratePps: state.floor, done: false };
    // A step that lands at or above a fresh failure: bisect below it instead (the code below).
  }

  // Here hi !== null (both null-hi cases returned above).
  const upper = hi ?? state.ceiling;
  const lower = lo ?? state.floor;
  if (lo === null && upper - lower <= resolutionAt(upper, params.resolution)) {
    // Everything tried so far failed and the bracket reached the floor: the floor itself
    // decides between "some rate in range passes" and `limitedBy: 'floor'`.
    return { role: 'search', ratePps: state.floor, done: false };
  }
  // Integer rates where possible (pacers take whole pps); fall back to the exact
  // midpoint if rounding would land on a bracket end.
  let mid = Math.round((lower + upper) / 2);
  if (!(mid > lower && mid < upper)) mid = (lower + upper) / 2;
  return { role: 'search', ratePps: mid, done: false };
}

/** Judges one direction of a trial against the threshold and the sent-rate check. */
function judge(step: Step, outcome: DirectionOutcome, params: Params): DirectionTrialRecord {
  // Judge against the rate the search asked for, not what the runner echoes back, so a
  // runner that silently clamps the rate cannot make an unsustained rate look sustained.
  const { sentPps, lossPercent } = outcome;
  const minSent = params.minSentFraction * step.ratePps;
  let verdict: TrialVerdict;
  let reason: string | null;
  // An unobserved figure fails the trial outright: a missing loss must never read as 0 %,
  // and a missing sent count cannot show that the rate was emitted.
  if (!isFiniteNumber(sentPps) || !isFiniteNumber(lossPercent)) {
    verdict = 'unobserved';
    const missing = [!isFiniteNumber(sentPps) ? 'sent rate' : null, !isFiniteNumber(lossPercent) ? 'loss' : null].filter((x) => x !== null);
    reason = `${missing.join(' and ')} not observed`;
  } else if (!(sentPps >= minSent)) {
    verdict = 'undersent';
    reason = `sent ${Math.round(sentPps)} pps < ${Math.round(params.minSentFraction * 100)} % of ${Math.round(step.ratePps)} pps offered`;
  } else if (!(lossPercent <= params.threshold)) {
    verdict = 'loss';
    // Four decimals: enough to compare with any threshold a user can type, short enough to read.
    reason = `loss ${Number(lossPercent.toFixed(4))} % > ${params.threshold} %`;
  } else {
    verdict = 'pass';
    reason = null;
  }
  return {
    role: step.role,
    offeredPps: step.ratePps,
    outcome: { offeredPps: outcome.offeredPps, sentPps, lossPercent },
    pass: verdict === 'pass',
    verdict,
    reason,
  };
}

function isFiniteNumber(x: number | null): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Folds one trial's verdict into a direction's state. */
function update(state: DirectionState, record: DirectionTrialRecord, params: Params): void {
  if (record.role !== 'hold') state.trials += 1;
  if (state.floorFailure !== null) return;
  const rate = record.offeredPps;
  if (record.pass) {
    // A pass at or above a known failure contradicts it; the search never asks for
    // such a rate, so this is only a guard against an inconsistent state.
    if (state.hi !== null && rate >= state.hi) return;
    // A fresh pass ends the downward steps: bisection between it and the lowest fresh failure.
    state.rebracket = null;
    const prior = state.passes.get(rate);
    // A pass always has an observed loss (see `judge`); the fallback only satisfies the type.
    const loss = record.outcome.lossPercent ?? Number.POSITIVE_INFINITY;
    state.passes.set(rate, {
      count: (prior?.count ?? 0) + 1,
      maxLoss: Math.max(prior?.maxLoss ?? loss, loss),
      fails: prior?.fails ?? 0,
    });
    return;
  }
  // A re-check (or a held trial) that fails at a rate that passed: refuted only by a majority of failures.
  const tally = state.passes.get(rate);
  if ((record.role === 'confirm' || record.role === 'hold') && tally !== undefined && tally.fails + 1 < params.refuteFails) {
    tally.fails += 1;
    state.recheckFailures += 1;
    return;
  }
  if (record.verdict !== 'pass') state.failures.push({ ratePps: rate, verdict: record.verdict });
  if ((record.role === 'confirm' || record.role === 'hold') && tally !== undefined) {
    // Re-checks refuted a rate that had passed: the machine may have lost capacity since the older
    // passes below it were measured. They no longer bound the search (REBRACKET_STEPS); only the
    // nearest one within the first step is kept, as a rate to re-test, not as a bound.
    let nearest: number | null = null;
    for (const passed of state.passes.keys()) {
      if (passed < rate && passed >= Math.round(rate * (1 - REBRACKET_STEPS[0])) && (nearest === null || passed > nearest)) nearest = passed;
    }
    state.passes.clear();
    state.rebracket = { top: rate, step: 0, nearest };
  } else if (state.rebracket !== null) state.rebracket.step += 1;
  // A failure at `rate` refutes every pass at or above it (assuming loss does not fall
  // as the rate rises): they were lucky, or the partner direction's load has grown since.
  state.hi = state.hi === null ? rate : Math.min(state.hi, rate);
  for (const passed of [...state.passes.keys()]) if (passed >= rate) state.passes.delete(passed);
  if (rate <= state.floor) state.floorFailure = { lossPercent: record.outcome.lossPercent };
}

function phaseOf(a: DirectionRole, b: DirectionRole): TrialPhase {
  if (a === 'ceiling' || b === 'ceiling') return 'ceiling';
  if (a === 'search' || b === 'search') return 'search';
  return 'confirm';
}

function resultOf(state: DirectionState, params: Params, ranOut: boolean): DirectionSearchResult {
  const base = { lowestFailingPps: state.hi, trials: state.trials, ...(state.recheckFailures > 0 ? { recheckFailures: state.recheckFailures } : {}) };
  if (state.floorFailure !== null) {
    return { ...base, ratePps: null, lossPercentAtRate: state.floorFailure.lossPercent, limitedBy: 'floor', confirmed: false };
  }
  const lo = bestPass(state);
  const pass = lo === null ? undefined : state.passes.get(lo);
  const confirmed = pass !== undefined && pass.count - 1 >= params.confirmTrials;
  const limitedBy: SearchLimit = ranOut ? 'max-trials' : lo !== null && lo >= state.ceiling ? 'ceiling' : limitOf(state, lo);
  return { ...base, ratePps: lo, lossPercentAtRate: pass?.maxLoss ?? null, limitedBy, confirmed };
}

/**
 * What stopped a converged direction below its ceiling, from the failures above
 * its result: `loss` when any of them was a loss failure, `undersent` when all
 * were the sender falling short, else `unobserved`. Only failures above the
 * result count (a failure at or below a rate refutes the pass there, so in a
 * converged search every failure lies above `lo`).
 */
function limitOf(state: DirectionState, lo: number | null): SearchLimit {
  const above = state.failures.filter((f) => lo === null || f.ratePps > lo);
  if (above.length === 0 || above.some((f) => f.verdict === 'loss')) return 'loss';
  if (above.every((f) => f.verdict === 'undersent')) return 'undersent';
  return 'unobserved';
}
