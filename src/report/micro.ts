/**
 * The terminal table of a `bench micro` result (src/result/micro.ts). Pure: the caller prints the returned string.
 */
import { UNLIMITED_WIDTH, maxLineWidth, wrapLine } from './fit.js';
import Table from 'cli-table3';
import type { MicroResult } from '../result/micro.js';
import { formatInteger, formatPps } from './format.js';

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
