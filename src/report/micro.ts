/**
 * The result of `bench micro` (micro-benchmarks of the per-datagram hot paths)
 * and its terminal table. Pure: the caller prints the returned string.
 */
import { UNLIMITED_WIDTH, maxLineWidth, wrapLine } from './fit.js';
import Table from 'cli-table3';
import type { Environment } from './schema.js';
import { formatInteger, formatPps } from './format.js';

/** One micro-benchmark. Times are per operation (one datagram, one tick, one read). */
export interface MicroRow {
  name: string;
  /** Mean time per operation, ns (mean over batches of {@link MicroResult.batchSize} operations). */
  nsPerOp: number;
  /** `1e9 / nsPerOp`. */
  opsPerSecond: number;
  /** Timed batches (each of {@link MicroResult.batchSize} operations). */
  samples: number;
  /** Relative margin of error of the mean, percent (95 % confidence). */
  rme: number;
  /** 99th percentile of the per-batch mean time per operation, ns (not of single operations). */
  p99Ns?: number;
}

/** The issue's budget: header decode + receive accounting per datagram. */
export interface MicroTarget {
  /** Name of the row it is judged on. */
  name: string;
  limitNs: number;
  measuredNs: number;
  pass: boolean;
  /**
   * Heap bytes allocated per operation of that row, from `heapUsed` over
   * windows with no garbage collection (checked), the least of a few (steady
   * state); absent when every attempt saw a collection.
   */
  heapBytesPerOp?: number;
}

/** The result of one `bench micro` run. */
export interface MicroResult {
  kind: 'micro';
  schemaVersion: number;
  tool: { name: string; version: string };
  /** Wall-clock ISO time the run started. */
  startedAt: string;
  /** Always true: a micro run has no partial state. */
  complete: boolean;
  environment: Environment;
  /** Time budget per benchmark, ms. */
  timeMs: number;
  /** Operations per timed batch (timer overhead amortised over them). */
  batchSize: number;
  rows: MicroRow[];
  target: MicroTarget;
}

/** Nanoseconds with a precision that suits the magnitude: `3.21`, `42.1`, `1,234`. */
export function formatNs(ns: number | undefined): string {
  if (ns === undefined || !Number.isFinite(ns)) return 'n/a';
  if (ns < 10) return ns.toFixed(2);
  if (ns < 1000) return ns.toFixed(1);
  return formatInteger(ns);
}

/**
 * The terminal table of a micro run (no colour), fitted to `options.width`:
 * the full table when it fits, else each benchmark's name on a line and its
 * figures on the next (the names are long, and they are what a reader looks for).
 */
export function formatMicroTable(result: MicroResult, options: { width?: number } = {}): string {
  const width = options.width ?? UNLIMITED_WIDTH;
  const t = result.target;
  const table = new Table({
    head: ['benchmark', 'ns/op', 'ops/s', '± rme', 'p99 ns*', 'batches', `target ≤ ${t.limitNs} ns`],
    style: { head: [], border: [] },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const r of result.rows) {
    table.push([
      r.name,
      formatNs(r.nsPerOp),
      formatPps(r.opsPerSecond),
      Number.isFinite(r.rme) ? `${r.rme.toFixed(1)} %` : 'n/a',
      formatNs(r.p99Ns),
      formatInteger(r.samples),
      r.name === t.name ? (t.pass ? 'PASS' : 'FAIL') : '',
    ]);
  }
  const verdict = `${t.name}: ${formatNs(t.measuredNs)} ns per datagram, limit ${t.limitNs} ns: ${t.pass ? 'PASS' : 'FAIL'}`;
  const heap = t.heapBytesPerOp === undefined ? 'heap per op: not measured (a GC ran during every attempt)' : `heap allocated per op (${t.name}): ${t.heapBytesPerOp.toFixed(2)} bytes`;
  const full = table.toString();
  const body =
    maxLineWidth(full) <= width
      ? [full]
      : result.rows.flatMap((r) => [
          ...wrapLine(`${r.name}${r.name === t.name ? ` (target ≤ ${t.limitNs} ns: ${t.pass ? 'PASS' : 'FAIL'})` : ''}`, width),
          ...wrapLine(
            `    ${formatNs(r.nsPerOp)} ns/op, ${formatPps(r.opsPerSecond)} ops/s, ± ${Number.isFinite(r.rme) ? `${r.rme.toFixed(1)} %` : 'n/a'}, p99* ${formatNs(r.p99Ns)} ns, ${formatInteger(r.samples)} batches`,
            width,
          ),
        ]);
  return [
    ...body,
    ...wrapLine(`target  ${verdict}`, width),
    ...wrapLine(heap, width),
    ...wrapLine(`* p99 of per-batch means over batches of ${formatInteger(result.batchSize)} ops; ${result.timeMs} ms per benchmark; node ${result.environment.nodeVersion}, ${result.environment.cpuModel}`, width),
  ].join('\n');
}
