/**
 * Several `bench duplex` runs side by side, per direction, each figure with
 * its difference from the first run (the baseline): e.g. the same test with
 * two rcvbuf sizes. Output as a terminal table, Markdown or CSV.
 */

import Table from 'cli-table3';
import { fitTable, maxLineWidth } from './fit.js';
import type { DirectionResult, DuplexResult, EndpointResult } from '../result/types.js';
import {
  NOT_AVAILABLE,
  formatBitsPerSecond,
  formatBytes,
  formatInteger,
  formatMs,
  formatPercent,
  formatPps,
  formatSeconds,
  formatUs,
  paint,
  withSign,
} from './format.js';

import { observedFigures } from './observed.js';
import { escapeMarkdown } from './markdown.js';
import { csvDirection, csvRecords, type CsvValue } from './csv.js';
import { completionLabel, directionLabel } from './labels.js';

/** One run to compare, labelled for the column headers (typically its file name). */
export interface ComparisonRun {
  label: string;
  result: DuplexResult;
}

/** Output formats of `formatComparison`. */
export type ComparisonFormat = 'table' | 'md' | 'csv';

/** Options of `formatComparison`. */
export interface ComparisonOptions {
  /** ANSI colour in the `table` format; off unless exactly `true`. */
  color?: boolean;
  /** Terminal columns for the `table` format: a table wider than this falls back to a narrower layout (see fit.ts). */
  width?: number;
}

/** How a figure is printed and which way is an improvement. */
type FigureKind = 'count' | 'percent' | 'pps' | 'bits' | 'ms' | 'us';

interface Figure {
  /** Name in CSV (matches the JSON / `formatDuplexCsv` column). */
  key: string;
  /** Name in the table and Markdown. */
  title: string;
  kind: FigureKind;
  /** Which change is better, for colouring; `null` when neither is. */
  better: 'higher' | 'lower' | null;
  value: (direction: DirectionResult) => number | null;
  /** A word after the human-readable figure (not in CSV), e.g. `UNDERSENT` beside the sent rate. */
  mark?: (direction: DirectionResult) => string | null;
}

/** The compared figures: the numbers of the duplex table, one per row; unobserved ones are `null` (n/a, no difference). */
const FIGURES: readonly Figure[] = [
  { key: 'sent', title: 'sent', kind: 'count', better: 'higher', value: (d) => observedFigures(d).sent },
  { key: 'received', title: 'received', kind: 'count', better: 'higher', value: (d) => observedFigures(d).received },
  { key: 'lost', title: 'lost', kind: 'count', better: 'lower', value: (d) => observedFigures(d).lost },
  { key: 'lossPercent', title: 'loss %', kind: 'percent', better: 'lower', value: (d) => observedFigures(d).lossPercent },
  { key: 'duplicates', title: 'duplicates', kind: 'count', better: 'lower', value: (d) => observedFigures(d).duplicates },
  { key: 'reordered', title: 'reordered', kind: 'count', better: 'lower', value: (d) => observedFigures(d).reordered },
  { key: 'foreign', title: 'foreign', kind: 'count', better: null, value: (d) => observedFigures(d).foreign },
  // Offered beside achieved: a higher sent rate is only better if it was asked for.
  { key: 'offeredPps', title: 'offered pps', kind: 'pps', better: null, value: (d) => d.offeredPps },
  {
    key: 'sentPps',
    title: 'sent pps',
    kind: 'pps',
    better: 'higher',
    value: (d) => observedFigures(d).sentPps,
    mark: (d) => (d.undersent ? 'UNDERSENT' : null),
  },
  { key: 'receivedPps', title: 'recv pps', kind: 'pps', better: 'higher', value: (d) => observedFigures(d).receivedPps },
  { key: 'bitsPerSecond', title: 'throughput', kind: 'bits', better: 'higher', value: (d) => observedFigures(d).bitsPerSecond },
  { key: 'jitterMs', title: 'jitter ms', kind: 'ms', better: 'lower', value: (d) => observedFigures(d).jitterMs },
  { key: 'latencyP50Us', title: 'delay p50 µs', kind: 'us', better: 'lower', value: (d) => observedFigures(d).latencyUs.p50 },
  { key: 'latencyP99Us', title: 'delay p99 µs', kind: 'us', better: 'lower', value: (d) => observedFigures(d).latencyUs.p99 },
  { key: 'kernelDrops', title: 'kernel drops', kind: 'count', better: 'lower', value: (d) => d.kernelDrops },
  { key: 'lossSender', title: 'loss at sender', kind: 'count', better: 'lower', value: (d) => observedFigures(d).lossAttribution?.sender ?? null },
  { key: 'lossKernel', title: 'loss at kernel', kind: 'count', better: 'lower', value: (d) => observedFigures(d).lossAttribution?.kernel ?? null },
  { key: 'lossNetwork', title: 'loss at network', kind: 'count', better: 'lower', value: (d) => observedFigures(d).lossAttribution?.network ?? null },
];

/** A figure of one run against the baseline. `null` where not measured or not defined. */
export interface FigureDelta {
  value: number | null;
  /** `value − baseline`. */
  delta: number | null;
  /** `delta / baseline × 100`; `0` when both are 0, `null` when only the baseline is 0. */
  deltaPercent: number | null;
}

/** The difference of `value` from `baseline`, absolute and relative. */
export function figureDelta(value: number | null, baseline: number | null): FigureDelta {
  if (value === null || baseline === null) return { value, delta: null, deltaPercent: null };
  const delta = value - baseline;
  let deltaPercent: number | null;
  if (baseline !== 0) deltaPercent = (delta / Math.abs(baseline)) * 100;
  else deltaPercent = delta === 0 ? 0 : null;
  return { value, delta, deltaPercent };
}

/**
 * Compares runs per direction against the first one.
 *
 * @param runs - at least one run; the first is the baseline
 * @param format - `table` (cli-table3, terminal), `md` (GitHub Markdown) or `csv` (RFC 4180, raw numbers)
 * @param options - `color: true` for ANSI colour in the `table` format
 * @throws RangeError when `runs` is empty
 */
export function formatComparison(
  runs: readonly ComparisonRun[],
  format: ComparisonFormat,
  options: ComparisonOptions = {},
): string {
  const baseline = runs[0];
  if (baseline === undefined) throw new RangeError('formatComparison: no runs to compare');
  switch (format) {
    case 'csv':
      return comparisonCsv(runs, baseline);
    case 'md':
      return comparisonMarkdown(runs, baseline);
    case 'table':
      return comparisonTable(runs, baseline, options.color === true, options.width ?? Number.POSITIVE_INFINITY);
  }
}

/** Direction labels present in any run, in order of first appearance (normally A→B, B→A). */
function directionKeys(runs: readonly ComparisonRun[]): string[] {
  const keys: string[] = [];
  for (const { result } of runs) {
    for (const d of result.directions) {
      const key = directionLabel(d);
      if (!keys.includes(key)) keys.push(key);
    }
  }
  return keys;
}

function findDirection(result: DuplexResult, key: string): DirectionResult | undefined {
  return result.directions.find((d) => directionLabel(d) === key);
}

function figureValue(result: DuplexResult, key: string, figure: Figure): number | null {
  const direction = findDirection(result, key);
  return direction === undefined ? null : figure.value(direction);
}

function formatFigure(kind: FigureKind, value: number | null): string {
  switch (kind) {
    case 'count':
      return formatInteger(value);
    case 'percent':
      return formatPercent(value);
    case 'pps':
      return formatPps(value);
    case 'bits':
      return formatBitsPerSecond(value);
    case 'ms':
      return formatMs(value);
    case 'us':
      return formatUs(value);
  }
}

/**
 * `+120 (+1.20 %)`. A percent figure's absolute change is in percentage
 * points (`pp`) so it is not confused with its relative change.
 */
function formatDelta(kind: FigureKind, d: FigureDelta): string {
  if (d.delta === null) return NOT_AVAILABLE;
  const absolute =
    kind === 'percent' ? `${withSign(d.delta, d.delta.toFixed(2))} pp` : withSign(d.delta, formatFigure(kind, d.delta));
  // One decimal is plenty for a relative change, and unlike `formatPercent` it is symmetric around 0.
  const relative = d.deltaPercent === null ? NOT_AVAILABLE : `${withSign(d.deltaPercent, d.deltaPercent.toFixed(1))} %`;
  return `${absolute} (${relative})`;
}

/** Colours a delta green when it is an improvement, red when it is a regression. */
function paintDelta(text: string, figure: Figure, d: FigureDelta, color: boolean): string {
  if (!color || d.delta === null || d.delta === 0 || figure.better === null) return text;
  const improved = figure.better === 'higher' ? d.delta > 0 : d.delta < 0;
  return paint(text, improved ? 'green' : 'red', true);
}

function rcvbufOf(result: DuplexResult, id: EndpointResult['id']): string {
  const endpoint = result.endpoints.find((e) => e.id === id);
  if (endpoint === undefined) return NOT_AVAILABLE;
  const requested = endpoint.rcvbuf.requested === null ? 'default' : formatBytes(endpoint.rcvbuf.requested);
  return `${requested} → ${formatBytes(endpoint.rcvbuf.effective)}`;
}

/** The settings that usually differ between compared runs, one column each. */
const RUN_COLUMNS: readonly { title: string; cell: (run: ComparisonRun) => string }[] = [
  { title: 'run', cell: (r) => r.label },
  { title: 'started', cell: (r) => r.result.startedAt },
  { title: 'mode', cell: (r) => r.result.mode },
  { title: 'threads', cell: (r) => r.result.config.threads },
  { title: 'size', cell: (r) => `${r.result.config.sizeBytes} B` },
  { title: 'duration', cell: (r) => formatSeconds(r.result.config.durationSeconds) },
  { title: 'rate A→B', cell: (r) => r.result.config.rateAbText },
  { title: 'rate B→A', cell: (r) => r.result.config.rateBaText },
  { title: 'rcvbuf A', cell: (r) => rcvbufOf(r.result, 'A') },
  { title: 'rcvbuf B', cell: (r) => rcvbufOf(r.result, 'B') },
  { title: 'status', cell: (r) => completionLabel(r.result) },
];

/** Header of a per-direction figures table: figure, baseline, then each run with its delta. */
function figureHeader(runs: readonly ComparisonRun[], baseline: ComparisonRun): string[] {
  return ['figure', `${baseline.label} (baseline)`, ...runs.slice(1).flatMap((r) => [r.label, `Δ ${r.label}`])];
}

/** A figure formatted for humans, with its mark (`UNDERSENT`) when it has one. */
function markedFigure(result: DuplexResult, key: string, figure: Figure, value: number | null): string {
  const text = formatFigure(figure.kind, value);
  const direction = findDirection(result, key);
  const mark = direction === undefined || figure.mark === undefined ? null : figure.mark(direction);
  return mark === null ? text : `${text} ${mark}`;
}

/** Rows of a per-direction figures table, formatted for humans. */
function figureRows(runs: readonly ComparisonRun[], baseline: ComparisonRun, key: string, color: boolean): string[][] {
  return FIGURES.map((figure) => {
    const base = figureValue(baseline.result, key, figure);
    const row = [figure.title, markedFigure(baseline.result, key, figure, base)];
    for (const run of runs.slice(1)) {
      const d = figureDelta(figureValue(run.result, key, figure), base);
      row.push(markedFigure(run.result, key, figure, d.value), paintDelta(formatDelta(figure.kind, d), figure, d, color));
    }
    return row;
  });
}

function comparisonTable(runs: readonly ComparisonRun[], baseline: ComparisonRun, color: boolean, width: number): string {
  const style = { head: [], border: [], compact: true };
  const sections: string[] = [];

  const settings = new Table({ head: RUN_COLUMNS.map((c) => paint(c.title, 'bold', color)), style });
  for (const run of runs) settings.push(RUN_COLUMNS.map((c) => c.cell(run)));
  const wide = settings.toString();
  // Eleven settings side by side run to ~150 columns: too wide, they turn into one block per run.
  sections.push(
    maxLineWidth(wide) <= width
      ? wide
      : fitTable({ head: RUN_COLUMNS.map((c) => c.title), rows: runs.map((run) => RUN_COLUMNS.map((c) => c.cell(run))), align: RUN_COLUMNS.map(() => 'left' as const) }, width, color).text,
  );

  for (const key of directionKeys(runs)) {
    const rows = figureRows(runs, baseline, key, color);
    const render = (header: readonly string[], tight = false): string => {
      const table = new Table({
        head: header.map((h) => paint(h, 'bold', color)),
        colAligns: header.map((_, i) => (i === 0 ? 'left' : 'right')),
        style: tight ? { ...style, 'padding-right': 0 } : style,
      });
      for (const row of rows) table.push(row);
      return table.toString();
    };
    // Too wide: the run labels go on a line of their own above "(baseline)" and "Δ";
    // still too wide (long labels, many runs): the narrower layouts of fit.ts.
    const header = figureHeader(runs, baseline);
    let text = render(header);
    if (maxLineWidth(text) > width) text = render(header.map((h) => h.replace(/ \(baseline\)$/, '\n(baseline)').replace(/^Δ /, 'Δ\n')), true);
    if (maxLineWidth(text) > width) text = fitTable({ head: header, rows, align: header.map((_, i) => (i === 0 ? 'left' : 'right')) }, width, color).text;
    sections.push(`${paint(key, 'bold', color)}\n${text}`);
  }
  return sections.join('\n\n');
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], alignRight: boolean): string[] {
  const cells = (row: readonly string[]): string => `| ${row.map(escapeMarkdown).join(' | ')} |`;
  const rule = `| ${header.map((_, i) => (alignRight && i > 0 ? '--:' : ':--')).join(' | ')} |`;
  return [cells(header), rule, ...rows.map(cells)];
}

function comparisonMarkdown(runs: readonly ComparisonRun[], baseline: ComparisonRun): string {
  const lines: string[] = [];
  lines.push(
    ...markdownTable(
      RUN_COLUMNS.map((c) => c.title),
      runs.map((run) => RUN_COLUMNS.map((c) => c.cell(run))),
      false,
    ),
  );
  for (const key of directionKeys(runs)) {
    lines.push('', `**${escapeMarkdown(key)}**`, '');
    lines.push(...markdownTable(figureHeader(runs, baseline), figureRows(runs, baseline, key, false), true));
  }
  return `${lines.join('\n')}\n`;
}

/** Long format: one record per direction, figure and run, with raw numbers. */
function comparisonCsv(runs: readonly ComparisonRun[], baseline: ComparisonRun): string {
  const rows: CsvValue[][] = [['direction', 'figure', 'run', 'value', 'baselineRun', 'delta', 'deltaPercent']];
  for (const key of directionKeys(runs)) {
    const direction = findDirection(baseline.result, key) ?? findAnyDirection(runs, key);
    for (const figure of FIGURES) {
      const base = figureValue(baseline.result, key, figure);
      for (const run of runs) {
        const d = figureDelta(figureValue(run.result, key, figure), base);
        rows.push([csvDirection(direction), figure.key, run.label, d.value, baseline.label, d.delta, d.deltaPercent]);
      }
    }
  }
  return csvRecords(rows);
}

/** The direction `key` from whichever run has it (`directionKeys` guarantees one does). */
function findAnyDirection(runs: readonly ComparisonRun[], key: string): Pick<DirectionResult, 'from' | 'to'> {
  for (const { result } of runs) {
    const found = findDirection(result, key);
    if (found !== undefined) return found;
  }
  throw new Error(`unreachable: direction ${key} in no run`);
}
