/**
 * `bench sweep`: a matrix of full duplex runs (or `--find-max` searches), one
 * per combination of socket buffers, datagram size, rate and thread layout,
 * run one after another so no cell's traffic disturbs another's. Every cell
 * goes through `runDuplex`, so sweeps work in local and remote mode alike.
 */
import { createMonotonicClock } from '../udp/clock.js';
import { SCHEMA_VERSION } from '../result/types.js';
import type { DuplexResult, RunConfig, SearchTrial, StallConfig, SweepAxes, SweepCell, SweepResult } from '../result/types.js';
import { TOOL } from '../version.js';
import { collectEnvironment } from './environment.js';
import { runDuplex } from './run.js';
import { baseHooksOf, type BaseHooks, type RunHooks } from './hooks.js';
import { runFindMax, searchSettings, WarningSet, type FindMaxHooks, type FindMaxOptions, type SearchRunStart } from './findmax.js';

/** One combination of the axes, before it is resolved into a run config. */
export interface SweepCombination {
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
  sizeBytes: number;
  /** The rate as written; `null` with `--find-max`. */
  rateText: string | null;
  threads: 'single' | 'split' | 'auto';
  /** Clients on the one server port (1 = the two-endpoint run). */
  clients: number;
  /** The receivers' stall (`null` = none). */
  stall: StallConfig | null;
}

/** One planned cell: its combination and the fully resolved config (and search options) it runs with. */
export interface SweepCellPlan extends SweepCombination {
  config: RunConfig;
  /** Set for `--find-max` sweeps (the floor and ceiling depend on the size when given in bits/s). */
  findMax: FindMaxOptions | null;
}

/** A resolved sweep: the axes as requested and every cell, in run order. */
export interface SweepPlan {
  axes: SweepAxes;
  cells: SweepCellPlan[];
}

/**
 * Every combination of the axes, in run (and table) order: buffers outermost,
 * then size, rate and thread layout, so rows that differ only in the last
 * axes sit together. With no rates (a `--find-max` sweep) `rateText` is `null`.
 * Empty axes stand for "not swept" and give the default (`null` buffers,
 * `auto` threads); `sizeBytes` must not be empty.
 */
export function sweepCombinations(axes: SweepAxes): SweepCombination[] {
  const orDefault = <T>(values: readonly T[], fallback: T): readonly T[] => (values.length === 0 ? [fallback] : values);
  const out: SweepCombination[] = [];
  for (const rcvbufBytes of orDefault(axes.rcvbufBytes, null)) {
    for (const sndbufBytes of orDefault(axes.sndbufBytes, null)) {
      for (const sizeBytes of axes.sizeBytes) {
        for (const rateText of orDefault<string | null>(axes.rates, null)) {
          for (const threads of orDefault(axes.threads, 'auto' as const)) {
            for (const clients of orDefault(axes.clients ?? [], 1)) {
              for (const stall of orDefault<StallConfig | null>(axes.stalls ?? [], null)) out.push({ rcvbufBytes, sndbufBytes, sizeBytes, rateText, threads, clients, stall });
            }
          }
        }
      }
    }
  }
  return out;
}

/** What the sweep is about to run or has run, for progress displays. */
export interface SweepCellStart {
  /** 0-based position in the plan. */
  index: number;
  total: number;
  cell: SweepCellPlan;
}

/** Hooks of a sweep; none touches the terminal. */
export interface SweepHooks extends BaseHooks {
  onCellStart?: (start: SweepCellStart) => void;
  onCellDone?: (cell: SweepCell, total: number) => void;
  /** `--find-max` cells: before each run of the search. */
  onSearchRunStart?: (index: number, start: SearchRunStart) => void;
  /** `--find-max` cells: after each trial. */
  onTrial?: (index: number, trial: SearchTrial, run: DuplexResult) => void;
}

/**
 * Runs every cell of `plan` in order and returns the sweep's result.
 *
 * A cell whose run cannot start is recorded with its `error` and the sweep
 * moves on (a bad combination should not cost the rest of the matrix), except
 * for errors that name an option (a port in use, a socket option refused):
 * those would fail every cell the same way, so they end the sweep by
 * rejecting, as `runDuplex` does.
 *
 * @throws RangeError for an empty plan
 */
export async function runSweep(plan: SweepPlan, hooks: SweepHooks = {}): Promise<SweepResult> {
  const first = plan.cells[0];
  if (first === undefined) throw new RangeError('a sweep needs at least one cell');
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only; never used to measure
  const t0 = clock.nowNs();
  const warnings = new WarningSet(hooks.onWarning);
  const total = plan.cells.length;
  const cells: SweepCell[] = [];
  let interrupted = false;

  const common: BaseHooks = { ...baseHooksOf(hooks), clock };

  for (const [index, planned] of plan.cells.entries()) {
    if (hooks.signal?.aborted) {
      interrupted = true;
      break;
    }
    hooks.onCellStart?.({ index, total, cell: planned });
    const base: SweepCell = {
      index,
      rcvbufBytes: planned.rcvbufBytes,
      sndbufBytes: planned.sndbufBytes,
      sizeBytes: planned.sizeBytes,
      rateText: planned.rateText,
      threads: planned.threads,
      ...(planned.clients > 1 || (plan.axes.clients?.length ?? 0) > 0 ? { clients: planned.clients } : {}),
      ...(plan.axes.stalls !== undefined ? { stall: planned.stall } : {}),
      run: null,
      search: null,
      error: null,
    };
    let cell: SweepCell;
    try {
      if (planned.findMax !== null) {
        const searchHooks: FindMaxHooks = {
          ...common,
          onRunStart: (start) => hooks.onSearchRunStart?.(index, start),
          onTrial: (trial, run) => hooks.onTrial?.(index, trial, run),
          onWarning: (w) => warnings.addAll([w]),
        };
        cell = { ...base, search: await runFindMax(planned.config, planned.findMax, searchHooks) };
      } else {
        const runHooks: RunHooks = common;
        const run = await runDuplex(planned.config, runHooks);
        warnings.addAll(run.warnings);
        cell = { ...base, run };
      }
    } catch (err) {
      if (namesAnOption(err)) throw err;
      cell = { ...base, error: messageOf(err) };
    }
    cells.push(cell);
    hooks.onCellDone?.(cell, total);
    if (hooks.signal?.aborted) {
      interrupted = true;
      break;
    }
  }

  const failed = cells.some((c) => c.error !== null);
  const incomplete = cells.some((c) => c.error === null && !(c.run?.complete ?? c.search?.complete ?? false));
  const complete = !interrupted && cells.length === total && !failed && !incomplete;
  const firstRun: DuplexResult | null = cells.map((c) => c.run ?? c.search?.trialRuns[0] ?? c.search?.ceilingRun ?? null).find((r) => r !== null) ?? null;
  return {
    kind: 'sweep',
    schemaVersion: SCHEMA_VERSION,
    tool: { ...TOOL },
    startedAt,
    complete,
    incompleteReason: complete ? null : interrupted ? 'interrupted' : failed ? 'cell-failed' : 'cell-incomplete',
    mode: first.config.peer === null ? 'local' : 'remote',
    config: first.config,
    environment: firstRun?.environment ?? collectEnvironment(first.config.host),
    axes: plan.axes,
    findMax: first.findMax === null ? null : searchSettings(first.findMax),
    plannedCells: total,
    cells,
    warnings: warnings.list(),
    elapsedSeconds: (clock.nowNs() - t0) / 1e9,
  };
}

/** Errors that blame an option (a `SocketError` with `option`, or a worker's error object carrying one). */
function namesAnOption(err: unknown): boolean {
  const option = (err as { option?: unknown } | null)?.option;
  return typeof option === 'string' && option !== '';
}

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
