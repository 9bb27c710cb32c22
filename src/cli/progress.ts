/**
 * Progress of a multi-run job (a sweep's cells, a search's trials) as one
 * line of text. Pure: the caller measures the elapsed time (monotonic clock)
 * and decides where and how the line goes (the CLI: `\r` on a TTY, plain
 * lines otherwise).
 */

/** Where a multi-run job stands. */
export interface ProgressState {
  /** What is running, e.g. `sweep` or `find-max`. */
  job: string;
  /** What one unit is called, e.g. `cell` or `trial`. */
  unit: string;
  /** Units finished. */
  done: number;
  /** Units planned. */
  total: number;
  /**
   * True when `total` is only an upper bound (a search may stop early, or
   * take up to its trial cap after a failed re-check): shown as `of at most
   * total`, without a percentage (it would understate how far along it is).
   */
  totalIsUpperBound: boolean;
  /** Seconds since the job started (monotonic). */
  elapsedSeconds: number;
  /** `elapsedSeconds` when the last unit finished (0 before any): the running unit's time is the difference. */
  elapsedAtLastDoneSeconds: number;
  /** Expected seconds per unit, used until the first unit has finished. */
  unitSecondsEstimate: number;
  /** What the running unit is (e.g. `rcvbuf 4 MiB, size 64 B, rate 50k`), or `''`. */
  current: string;
}

/**
 * Seconds left: the average time of the finished units (or the a-priori
 * estimate before any has finished) times the units left, minus the time
 * already spent on the running unit, so the estimate counts down between
 * unit boundaries instead of jumping. Never negative.
 */
export function estimateRemainingSeconds(state: ProgressState): number {
  const left = Math.max(0, state.total - state.done);
  if (left === 0) return 0;
  const finished = Math.min(state.elapsedAtLastDoneSeconds, state.elapsedSeconds);
  const perUnit = state.done > 0 ? finished / state.done : state.unitSecondsEstimate;
  const spentOnCurrent = state.elapsedSeconds - finished;
  return Math.max(0, perUnit * left - spentOnCurrent);
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The progress line, e.g.
 * `sweep: cell 3/8 (25 % done), 0:12 elapsed, ~0:36 left — rcvbuf 4 MiB, size 64 B, rate 50k`.
 * With an upper-bound total no percentage (it would understate) and bounds:
 * `find-max: trial 3 of at most 12, 0:05 elapsed, at most ~0:20 left — …`.
 */
export function formatProgress(state: ProgressState): string {
  const running = state.done < state.total ? state.done + 1 : state.done;
  const left = formatClock(estimateRemainingSeconds(state));
  const position = state.totalIsUpperBound
    ? `${state.unit} ${running} of at most ${state.total}, ${formatClock(state.elapsedSeconds)} elapsed, at most ~${left} left`
    : `${state.unit} ${running}/${state.total} (${state.total > 0 ? Math.floor((state.done / state.total) * 100) : 0} % done), ${formatClock(state.elapsedSeconds)} elapsed, ~${left} left`;
  const head = `${state.job}: ${position}`;
  return state.current === '' ? head : `${head} — ${state.current}`;
}

/**
 * Seconds one duplex run is expected to take before any has been timed:
 * warm-up and measured time, plus about a second for starting the workers,
 * the synchronised start and the drain.
 */
export function estimateRunSeconds(run: { omitSeconds: number; durationSeconds: number }): number {
  return run.omitSeconds + run.durationSeconds + 1;
}
