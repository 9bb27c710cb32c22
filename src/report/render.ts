/**
 * One entry point from any saved result to text or a chart: dispatches on
 * the result's `kind` to the pure printers. Used by `bench report` and by the
 * results index script.
 */
import type { AnyResult, DuplexResult, SearchResult, SweepCell, SweepResult } from '../result/types.js';
import { formatDuplexMarkdown } from './markdown.js';
import { formatDuplexCsv } from './csv.js';
import { formatComparison } from './compare.js';
import { formatSearchCsv, formatSearchMarkdown, formatSearchTable, formatSweepCsv, formatSweepMarkdown, formatSweepTable } from './sweep.js';
import { bufferChartSeries, chartFooter, renderBufferChart, renderLossChart, renderPeersChart, renderRunChart, renderSearchChart, sweepDuration, type LossPoint, type LossSeries } from './svg.js';
import { hasFramedPattern } from './media.js';
import { observedFigures } from './observed.js';
import { formatDuplexTable } from './table.js';
import { formatBytes } from './format.js';
import { formatHtmlReport } from './html.js';
import { directionLabel } from './labels.js';

/** Output formats of `bench report`. */
export type ReportFormat = 'table' | 'md' | 'csv' | 'json' | 'html';

type TextFormat = Exclude<ReportFormat, 'json' | 'html'>;
type Printer<R> = (result: R, options: { color?: boolean; width?: number }) => string;

/** Which printer draws which kind in which text format: one table (JSON and HTML take every kind alike). */
const PRINTERS: { readonly [K in AnyResult['kind']]: { readonly [F in TextFormat]: Printer<Extract<AnyResult, { kind: K }>> } } = {
  duplex: { table: (r, o) => `${formatDuplexTable(r, o)}\n`, md: (r) => formatDuplexMarkdown(r), csv: (r) => formatDuplexCsv(r) },
  sweep: { table: (r, o) => `${formatSweepTable(r, o)}\n`, md: (r) => formatSweepMarkdown(r), csv: (r) => formatSweepCsv(r) },
  search: { table: (r, o) => `${formatSearchTable(r, o)}\n`, md: (r) => formatSearchMarkdown(r), csv: (r) => formatSearchCsv(r) },
};

/** Renders one result in a format. Pure. */
export function renderResult(result: AnyResult, format: ReportFormat, options: { color?: boolean; width?: number } = {}): string {
  if (format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (format === 'html') return formatHtmlReport([{ label: result.kind, result }], renderChart);
  return (PRINTERS[result.kind][format] as Printer<AnyResult>)(result, options);
}

export function renderResults(runs: readonly { label: string; result: AnyResult }[], format: ReportFormat, options: { color?: boolean; width?: number } = {}): string {
  // One page for any number of results, each under its label.
  if (format === 'html') return formatHtmlReport(runs, renderChart);
  if (runs.length === 1 && runs[0] !== undefined) return renderResult(runs[0].result, format, options);
  if (format === 'json') return `${JSON.stringify(runs.map((r) => r.result), null, 2)}\n`;
  const duplex = runs.filter((r): r is { label: string; result: DuplexResult } => r.result.kind === 'duplex');
  if (duplex.length === runs.length) return ensureNewline(formatComparison(duplex, format, options));
  return runs.map((r) => (format === 'md' ? `### ${r.label}\n\n` : format === 'csv' ? '' : `== ${r.label}\n`) + renderResult(r.result, format, options)).join('\n');
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * A buffer as the chart legend shows it: the EFFECTIVE size the kernel
 * reported (what the run had), the requested one in brackets:
 * `rcvbuf 416 KiB (asked 208 KiB)`, `rcvbuf 208 KiB (default)`; both
 * endpoints' sizes when they differ. Requested only when the cell has no run.
 */
function bufferLegend(kind: 'rcvbuf' | 'sndbuf', requested: number | null, cell: SweepCell): string {
  const run = cell.run ?? cell.search?.trialRuns[0] ?? null;
  const asked = requested === null ? 'default' : `asked ${formatBytes(requested)}`;
  if (run === null || run.endpoints.length === 0) return `${kind} ${requested === null ? 'default' : formatBytes(requested)}`;
  const sizes = run.endpoints.map((e) => formatBytes(e[kind].effective));
  const effective = sizes.every((s) => s === sizes[0]) ? (sizes[0] ?? '') : run.endpoints.map((e, i) => `${e.id} ${sizes[i] ?? ''}`).join(' / ');
  return `${kind} ${effective} (${asked})`;
}

/** The sweep axes that vary across cells, except the rate (the chart's x axis). */
function groupLabel(cell: SweepCell, sweep: SweepResult): string {
  const parts: string[] = [];
  if (sweep.axes.rcvbufBytes.length > 1) parts.push(bufferLegend('rcvbuf', cell.rcvbufBytes, cell));
  if (sweep.axes.sndbufBytes.length > 1) parts.push(bufferLegend('sndbuf', cell.sndbufBytes, cell));
  if (sweep.axes.sizeBytes.length > 1) parts.push(`${cell.sizeBytes} B`);
  if (sweep.axes.threads.length > 1) parts.push(cell.threads);
  if ((sweep.axes.clients?.length ?? 0) > 1) parts.push(`${cell.clients ?? 1} client${cell.clients === 1 ? '' : 's'}`);
  if ((sweep.axes.stalls?.length ?? 0) > 1) parts.push(cell.stall == null ? 'no stall' : `stall ${cell.stall.ms} ms/${cell.stall.everySeconds} s`);
  return parts.length > 0 ? parts.join(', ') : 'all cells';
}

/** `A→B` alone when nothing else varies, else `rcvbuf 1 MiB, A→B`. */
function seriesLabel(group: string, direction: string): string {
  return group === 'all cells' ? direction : `${group}, ${direction}`;
}

/**
 * Loss-vs-rate series of a sweep: one line per direction and combination of
 * the other axes, each point at the rate the sender ACHIEVED (an undersent
 * cell flagged). Directions that nobody fully observed (no sent rate or no
 * loss) are left out rather than drawn at 0.
 */
export function sweepLossSeries(sweep: SweepResult): LossSeries[] {
  const groups = new Map<string, LossPoint[]>();
  for (const cell of sweep.cells) {
    const runs: DuplexResult[] = cell.run !== null ? [cell.run] : cell.search !== null ? cell.search.trialRuns : [];
    for (const run of runs) {
      for (const direction of run.directions) {
        const { sentPps, lossPercent } = observedFigures(direction);
        if (sentPps === null || lossPercent === null) continue;
        const key = seriesLabel(groupLabel(cell, sweep), directionLabel(direction));
        const point: LossPoint = { sentPps, offeredPps: direction.offeredPps, lossPercent, undersent: direction.undersent === true };
        groups.set(key, [...(groups.get(key) ?? []), point]);
      }
    }
  }
  return [...groups.entries()].map(([label, points]) => ({ label, points: [...points].sort((a, b) => a.sentPps - b.sentPps) }));
}

/** Loss-vs-rate series of a search: each direction's trials at their achieved rate, undersent ones flagged. */
export function searchLossSeries(search: SearchResult): LossSeries[] {
  return (['ab', 'ba'] as const).map((dir) => ({
    label: dir === 'ab' ? 'A→B' : 'B→A',
    points: search.trials
      .filter((t) => t.phase !== 'ceiling')
      .map((t) => ({
        sentPps: t[dir].outcome.sentPps,
        offeredPps: t[dir].offeredPps,
        lossPercent: t[dir].outcome.lossPercent,
        undersent: t[dir].verdict === 'undersent',
      }))
      // An unobserved figure has no place on the axes (plotting it as 0 would show a pass).
      .filter((p): p is { sentPps: number; offeredPps: number; lossPercent: number; undersent: boolean } => p.sentPps !== null && p.lossPercent !== null)
      .sort((a, b) => a.sentPps - b.sentPps),
  }));
}

/**
 * True when a sweep's chart is frame loss against receive buffer
 * (`renderBufferChart`) rather than loss against rate: its cells run a
 * framed pattern (voice, video, trace) in some direction, it swept at least
 * two receive buffers, and some cell has frame figures to plot.
 */
export function prefersBufferChart(sweep: SweepResult): boolean {
  if (sweep.axes.rcvbufBytes.length < 2) return false;
  const configs = sweep.cells.flatMap((c) => (c.run !== null ? [c.run.config] : []));
  if (!(configs.length > 0 ? configs : [sweep.config]).some(hasFramedPattern)) return false;
  return bufferChartSeries(sweep).series.some((s) => s.points.length > 0);
}

/** A standalone SVG chart of any result. Pure. */
export function renderChart(result: AnyResult): string {
  switch (result.kind) {
    case 'duplex':
      // Many clients: who got what share is the question; one client: the run over time.
      return result.peers !== undefined && result.peers.length > 0 ? renderPeersChart(result) : renderRunChart(result);
    case 'sweep':
      // A framed pattern over several buffers: what buffer it takes is the question, not the rate.
      if (prefersBufferChart(result)) return renderBufferChart(result);
      return renderLossChart(sweepLossSeries(result), 'Loss against achieved (sent) rate, per direction and setting', { footer: chartFooter(result, sweepDuration(result)) });
    case 'search':
      return renderSearchChart(result);
  }
}
