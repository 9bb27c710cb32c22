/**
 * Printers for `bench sweep` (kind `sweep`) and `bench duplex --find-max`
 * (kind `search`): terminal tables, Markdown, CSV, and the one-line trial and
 * cell summaries printed while they run. Pure: (result, options) → string.
 */

import Table from 'cli-table3';
import type {
  DirectionResult,
  DuplexResult,
  EndpointResult,
  RunConfig,
  SearchDirectionResult,
  SearchResult,
  SearchTrial,
  SearchTrialDirection,
  SweepCell,
  SweepResult,
} from '../result/types.js';
import { formatBitsPerSecond, formatBytes, formatInteger, formatPercent, formatPps, formatSeconds, paint } from './format.js';
import { formatAttribution, formatHeadlineLines, formatWarning, type TableOptions } from './table.js';
import { fitGroupedTable, fitTable, maxLineWidth, UNLIMITED_WIDTH, wrapLine, wrapPainted, type TableGroup } from './fit.js';
import { lossCheckOf, observedFigures } from './observed.js';
import { csvRecords, type CsvValue } from './csv.js';
import { escapeMarkdown } from './markdown.js';

// ---------------------------------------------------------------------------
// Shared pieces

/** `A→B` / `B→A` with the endpoint that sends first. */
const DIRS = [
  { key: 'ab', from: 'A', to: 'B', label: 'A→B', csv: 'A->B' },
  { key: 'ba', from: 'B', to: 'A', label: 'B→A', csv: 'B->A' },
] as const;

function directionOf(run: DuplexResult | null, from: 'A' | 'B'): DirectionResult | null {
  return run?.directions.find((d) => d.from === from) ?? null;
}

/** What marks a cell whose sender fell short of the offered rate. */
export const UNDERSENT_LABEL = 'UNDERSENT';

/**
 * The achieved rate with the offered one beside it: `34.7k (60.0k) UNDERSENT`,
 * `10.0k (10.0k)`, `310k (max)`; `n/a` without a run. The achieved rate comes
 * first because it is the rate the loss figures belong to.
 */
export function formatAchievedRate(direction: DirectionResult | null): string {
  if (direction === null) return 'n/a';
  const offered = direction.offeredPps === null ? 'max' : formatPps(direction.offeredPps);
  const mark = direction.undersent ? ` ${UNDERSENT_LABEL}` : '';
  return `${formatPps(observedFigures(direction).sentPps)} (${offered})${mark}`;
}

/**
 * A buffer as `requested → effective`: one effective size when both
 * endpoints agree, else both (`A … / B …`), since a mismatch is worth seeing.
 * `default` when the OS default was kept.
 */
export function formatBufferPair(requested: number | null, endpoints: readonly EndpointResult[] | null, kind: 'rcvbuf' | 'sndbuf'): string {
  const req = requested === null ? 'default' : formatBytes(requested);
  if (endpoints === null || endpoints.length === 0) return req;
  const sizes = endpoints.map((e) => formatBytes(e[kind].effective));
  const eff = sizes.every((s) => s === sizes[0]) ? (sizes[0] ?? 'n/a') : endpoints.map((e, i) => `${e.id} ${sizes[i] ?? ''}`).join(' / ');
  return `${req} → ${eff}`;
}

/** `split`, or `split (auto)` when `auto` picked it. */
function threadsLabel(requested: 'single' | 'split' | 'auto', config: RunConfig | null): string {
  if (config === null) return requested;
  return requested === 'auto' ? `${config.threads} (auto)` : config.threads;
}

/** What a loss threshold means, in the words of the RFCs. */
export function thresholdLabel(lossThresholdPercent: number): string {
  return lossThresholdPercent === 0
    ? 'loss 0 % (RFC 2544 throughput)'
    : `loss ≤ ${formatPercent(lossThresholdPercent)} (partial-drop rate, RFC 9971)`;
}

/** `pass`, `LOSS`, `UNDERSENT`. */
function verdictLabel(d: SearchTrialDirection): string {
  // Failures in capitals: they are what moved the bracket down.
  return d.verdict === 'pass' ? 'pass' : d.verdict === 'loss' ? 'LOSS' : d.verdict === 'undersent' ? 'UNDERSENT' : 'UNOBSERVED';
}

/**
 * A search rate in whole datagrams/s (`17,062`), or `none`. Not the 3-digit
 * `17.1k` of the other tables: the search resolves to 1 %, and a found rate
 * and the failing rate above it must not print the same.
 */
function rateOrNone(ratePps: number | null): string {
  return ratePps === null ? 'none' : formatInteger(ratePps);
}

/** `loss`, `ceiling`, … with what each means for the reader. */
function limitLabel(limit: SearchDirectionResult['limitedBy']): string {
  switch (limit) {
    case 'loss':
      return 'loss above it';
    case 'undersent':
      // The tool's limit, not the path's: say so, or the rate reads as a network ceiling.
      return 'undersent: the sender could not reach higher rates';
    case 'ceiling':
      return 'ceiling (may go higher)';
    case 'floor':
      return 'floor (lossy at floor)';
    case 'max-trials':
      return 'max trials';
    case 'unobserved':
      return 'unobserved: trials above could not be judged';
  }
}

function newTable(head: string[], colAligns: Table.HorizontalAlignment[], color: boolean): Table.Table {
  return new Table({
    head: head.map((h) => paint(h, 'bold', color)),
    colAligns,
    // Empty styles keep cli-table3's own colouring out; `paint` colours instead.
    style: { head: [], border: [], compact: true },
  });
}

function completion(result: { complete: boolean; incompleteReason: string | null }): string {
  return result.complete ? 'complete' : `PARTIAL (${result.incompleteReason ?? 'unknown reason'})`;
}

// ---------------------------------------------------------------------------
// Lines printed while running (stderr)

/**
 * One finished trial, e.g.
 * `trial 3 search  A→B 12.3k pps: sent 12.3k, loss 0.00 % pass | B→A 12.3k pps: sent 12.3k, loss 0.12 % LOSS`.
 */
export function formatTrialLine(trial: SearchTrial): string {
  const side = (label: string, d: SearchTrialDirection): string =>
    `${label} ${formatInteger(d.offeredPps)} pps${d.role === 'hold' ? ' (held)' : ''}: sent ${formatInteger(d.outcome.sentPps)}, loss ${formatPercent(d.outcome.lossPercent)} ${verdictLabel(d)}`;
  return `trial ${trial.index + 1} ${trial.phase.padEnd(7)} ${side('A→B', trial.ab)} | ${side('B→A', trial.ba)}`;
}

/** The ceiling flood's outcome: `ceiling flood: A→B sent 310k pps, B→A sent 305k pps`. */
export function formatFloodLine(measured: { abPps: number; baPps: number }): string {
  return `ceiling flood (unpaced): A→B sent ${formatInteger(measured.abPps)} pps, B→A sent ${formatInteger(measured.baPps)} pps`;
}

/** What a cell is, e.g. `rcvbuf 208 KiB, sndbuf default, size 64 B, rate 50k, threads auto`. */
export function formatCellLabel(cell: Pick<SweepCell, 'rcvbufBytes' | 'sndbufBytes' | 'sizeBytes' | 'rateText' | 'threads' | 'clients' | 'stall'>): string {
  const buf = (v: number | null): string => (v === null ? 'default' : formatBytes(v));
  const parts = [`rcvbuf ${buf(cell.rcvbufBytes)}`, `sndbuf ${buf(cell.sndbufBytes)}`, `size ${cell.sizeBytes} B`];
  if (cell.rateText !== null) parts.push(`rate ${cell.rateText}`);
  parts.push(`threads ${cell.threads}`);
  if (cell.clients !== undefined) parts.push(`clients ${cell.clients}`);
  if (cell.stall !== undefined) parts.push(stallLabel(cell.stall));
  return parts.join(', ');
}

/** A swept stall: `stall 20 ms/1 s` or `no stall`. */
function stallLabel(stall: SweepCell['stall']): string {
  return stall == null ? 'no stall' : `stall ${stall.ms} ms/${stall.everySeconds} s`;
}

/** One finished cell, e.g. `cell 2/8 done: A→B loss 0.00 %, B→A loss 1.20 % (rcvbuf …)`. */
export function formatCellLine(cell: SweepCell, total: number): string {
  const head = `cell ${cell.index + 1}/${total}`;
  if (cell.error !== null) return `${head} FAILED: ${cell.error} (${formatCellLabel(cell)})`;
  if (cell.search !== null) {
    const dirs = cell.search.directions;
    const summary =
      dirs === null
        ? completion(cell.search)
        : DIRS.map((d) => `${d.label} max ${rateOrNone(dirs[d.key].ratePps)} pps`).join(', ');
    return `${head} done: ${summary} (${formatCellLabel(cell)})`;
  }
  const summary = DIRS.map((d) => {
    const dir = directionOf(cell.run, d.from);
    const figures = dir === null ? null : observedFigures(dir);
    return `${d.label} sent ${formatAchievedRate(dir)} recv ${formatPps(figures?.receivedPps ?? null)} pps, loss ${formatPercent(figures?.lossPercent ?? null)}`;
  }).join('; ');
  const partial = cell.run !== null && !cell.run.complete ? ` [${completion(cell.run)}]` : '';
  return `${head} done: ${summary}${partial} (${formatCellLabel(cell)})`;
}

// ---------------------------------------------------------------------------
// Search (`bench duplex --find-max`)

/** `find-max: local, threads single, 64 B datagrams, 2 s trials, loss 0 % (RFC 2544 throughput), floor 1.00k, ceiling …`. */
export function formatSearchHeadline(result: SearchResult): string {
  const { config, search } = result;
  const threads = config.threadsRequested === 'auto' ? `threads ${config.threads} (auto)` : `threads ${config.threads}`;
  return [
    `bench duplex --find-max: ${result.mode}`,
    threads,
    `${config.sizeBytes} B datagrams`,
    `${formatSeconds(search.trialSeconds)} trials`,
    thresholdLabel(search.lossThresholdPercent),
    `floor ${formatInteger(search.floorPps)} pps`,
    ceilingLabel(result),
  ].join(', ');
}

function ceilingLabel(result: SearchResult): string {
  const c = result.ceiling;
  if (c === null) return 'ceiling not measured';
  const rates = c.rates.abPps === c.rates.baPps ? `${formatInteger(c.rates.abPps)}` : `A→B ${formatInteger(c.rates.abPps)} B→A ${formatInteger(c.rates.baPps)}`;
  if (c.source === 'option' || c.measured === null) return `ceiling ${rates} pps (given)`;
  return `ceiling ${rates} pps (flood sent ${formatInteger(c.measured.abPps)}/${formatInteger(c.measured.baPps)} × ${result.search.ceilingHeadroom})`;
}

/** The search's answer per direction, as table rows (shared by the terminal and Markdown printers). */
function searchAnswerRows(result: SearchResult): { head: string[]; rows: string[][] } {
  const head = ['dir', 'max rate pps', 'payload', 'loss at rate', 'limited by', 'confirmed', 'lowest failing pps', 'trials'];
  const rows: string[][] = [];
  for (const d of DIRS) {
    const r = result.directions?.[d.key];
    if (r === undefined) {
      rows.push([d.label, 'n/a', 'n/a', 'n/a', completion(result), 'no', 'n/a', 'n/a']);
      continue;
    }
    const bits = r.ratePps === null ? null : r.ratePps * result.config.sizeBytes * 8;
    rows.push([
      d.label,
      rateOrNone(r.ratePps),
      formatBitsPerSecond(bits),
      formatPercent(r.lossPercentAtRate),
      limitLabel(r.limitedBy),
      r.confirmed ? 'yes' : 'no',
      rateOrNone(r.lowestFailingPps),
      formatInteger(r.trials),
    ]);
  }
  return { head, rows };
}

/** The trials as table rows: offered, sent, loss and verdict per direction. */
function searchTrialRows(result: SearchResult): { head: string[]; rows: string[][] } {
  const head = ['#', 'phase'];
  for (const d of DIRS) head.push(`${d.label} offered`, `${d.label} sent pps`, `${d.label} loss %`, `${d.label} verdict`);
  const rows = result.trials.map((t) => {
    const row = [String(t.index + 1), t.phase];
    for (const d of DIRS) {
      const x = t[d.key];
      row.push(`${formatInteger(x.offeredPps)}${x.role === 'hold' ? ' (held)' : ''}`, formatInteger(x.outcome.sentPps), formatPercent(x.outcome.lossPercent), verdictLabel(x));
    }
    return row;
  });
  return { head, rows };
}

/** Alignment of the answer table's columns: labels left, figures right. */
const ANSWER_ALIGN: Table.HorizontalAlignment[] = ['left', 'right', 'right', 'right', 'left', 'left', 'right', 'right'];

/**
 * The trials: one row per trial when it fits `width`; otherwise one row per
 * trial and direction (the trial's number and phase on its first row), which
 * fits 80 columns; at narrower widths `fitTable`'s own fallbacks.
 */
function searchTrialsTable(result: SearchResult, width: number, color: boolean): string {
  const trials = searchTrialRows(result);
  const full = fitTable({ head: trials.head, rows: trials.rows, align: trials.head.map((_, i) => (i === 1 || (i >= 2 && (i - 2) % 4 === 3) ? 'left' : 'right')) }, width, color);
  if (full.layout === 'full') return full.text;
  const head = ['#', 'phase', 'dir', 'offered', 'sent pps', 'loss %', 'verdict'];
  const align: Table.HorizontalAlignment[] = ['right', 'left', 'left', 'right', 'right', 'right', 'left'];
  // The figures of a direction sit at the same offsets in every full row: after `#` and phase, four per direction.
  const perDirection = (row: readonly string[], k: number): string[] => row.slice(2 + 4 * k, 6 + 4 * k);
  const rows = (repeat: boolean): string[][] =>
    trials.rows.flatMap((row) => DIRS.map((d, k) => [k === 0 || repeat ? (row[0] ?? '') : '', k === 0 || repeat ? (row[1] ?? '') : '', d.label, ...perDirection(row, k)]));
  // A blank # and phase on a trial's second row reads well in a grid; the narrower layouts need them on every row.
  const compact = fitTable({ head, rows: rows(false), align }, width, color);
  return compact.layout === 'full' ? compact.text : fitTable({ head, rows: rows(true), align }, width, color).text;
}

/**
 * The summary printed at the end of `bench duplex --find-max`: the headline,
 * the rate found per direction with its loss, the trials, the warnings.
 * Every line fits `options.width`: the tables fall back to narrower layouts
 * (see `fitTable`) and prose lines wrap.
 */
export function formatSearchTable(result: SearchResult, options: TableOptions = {}): string {
  const color = options.color === true;
  const width = options.width ?? UNLIMITED_WIDTH;
  const lines = formatHeadlineLines(formatSearchHeadline(result), result.complete, completion(result), width, color);
  const answer = searchAnswerRows(result);
  lines.push(fitTable({ head: answer.head, rows: answer.rows, align: ANSWER_ALIGN }, width, color).text);
  if (result.trials.length > 0) lines.push(searchTrialsTable(result, width, color));
  for (const warning of result.warnings) lines.push(...wrapPainted(formatWarning(warning), width, 'yellow', color));
  return lines.join('\n');
}

/** The search as GitHub Markdown: headline, answer table, trials table, warnings. */
export function formatSearchMarkdown(result: SearchResult): string {
  const lines = [`**${escapeMarkdown(formatSearchHeadline(result))}** — ${escapeMarkdown(completion(result))}`, ''];
  const answer = searchAnswerRows(result);
  lines.push(...markdownTable(answer.head, answer.rows, answer.head.map((_, i) => (i === 0 || i === 4 || i === 5 ? 'left' : 'right'))), '');
  if (result.trials.length > 0) {
    const trials = searchTrialRows(result);
    lines.push(...markdownTable(trials.head, trials.rows, trials.head.map((_, i) => (i === 1 || (i >= 2 && (i - 2) % 4 === 3) ? 'left' : 'right'))), '');
  }
  lines.push(...environmentMarkdown(result.environment.nodeVersion, result.environment.kernel, result.environment.sysctls));
  for (const w of result.warnings) lines.push(`- ⚠ ${escapeMarkdown(formatWarning(w))}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The CSV header of {@link formatSearchCsv}. */
export const SEARCH_CSV_HEADER: readonly string[] = [
  'trial', 'phase', 'direction', 'role', 'offeredPps', 'sentPps', 'receivedPps', 'sent', 'received', 'lost', 'lossPercent',
  'verdict', 'pass', 'kernelDrops', 'senderLoss', 'kernelLoss', 'networkLoss', 'sizeBytes', 'trialSeconds', 'lossThresholdPercent',
];

/**
 * The search as CSV: one row per trial and direction, raw JSON numbers
 * (RFC 4180, CRLF). The answer is not a row: it is derived from these.
 */
export function formatSearchCsv(result: SearchResult): string {
  const rows: CsvValue[][] = [[...SEARCH_CSV_HEADER]];
  for (const trial of result.trials) {
    const run = result.trialRuns[trial.index] ?? null;
    for (const d of DIRS) {
      const x = trial[d.key];
      const dir = directionOf(run, d.from);
      // Unobserved figures are empty fields, as in every CSV of this tool.
      const f = dir === null ? null : observedFigures(dir);
      rows.push([
        trial.index + 1, trial.phase, d.csv, x.role, x.offeredPps, x.outcome.sentPps, f?.receivedPps ?? null,
        f?.sent ?? null, f?.received ?? null, f?.lost ?? null, x.outcome.lossPercent, x.verdict, x.pass,
        dir?.kernelDrops ?? null, f?.lossAttribution?.sender ?? null, f?.lossAttribution?.kernel ?? null,
        f?.lossAttribution?.network ?? null, result.config.sizeBytes, result.search.trialSeconds, result.search.lossThresholdPercent,
      ]);
    }
  }
  return csvRecords(rows);
}

// ---------------------------------------------------------------------------
// Sweep (`bench sweep`)

/** `bench sweep: local, 8 cells of 3 s, rcvbuf × size × rate`. */
export function formatSweepHeadline(result: SweepResult): string {
  const swept = (
    [
      ['rcvbuf', result.axes.rcvbufBytes.length],
      ['sndbuf', result.axes.sndbufBytes.length],
      ['size', result.axes.sizeBytes.length],
      ['rate', result.axes.rates.length],
      ['threads', result.axes.threads.length],
      ['clients', result.axes.clients?.length ?? 0],
      ['stall', result.axes.stalls?.length ?? 0],
    ] as const
  )
    .filter(([, n]) => n > 1)
    .map(([name]) => name);
  const what = result.findMax === null
    ? `${formatSeconds(result.config.durationSeconds)} per cell`
    : `find-max per cell (${formatSeconds(result.findMax.trialSeconds)} trials, ${thresholdLabel(result.findMax.lossThresholdPercent)})`;
  const ran = result.cells.length === result.plannedCells ? `${result.plannedCells} cells` : `${result.cells.length} of ${result.plannedCells} cells`;
  return [`bench sweep: ${result.mode}`, ran, what, swept.length > 0 ? `swept ${swept.join(' × ')}` : 'nothing swept'].join(', ');
}

/** The cell columns every sweep table starts with. */
function cellHead(): string[] {
  return ['#', 'rcvbuf req → eff', 'sndbuf req → eff', 'size', 'rate', 'threads'];
}

/** The endpoints (for effective buffers) and config of a cell: its run's, or its search's first run's. */
function cellRun(cell: SweepCell): DuplexResult | null {
  return cell.run ?? cell.search?.trialRuns[0] ?? cell.search?.ceilingRun ?? null;
}

function cellColumns(cell: SweepCell): string[] {
  const run = cellRun(cell);
  return [
    String(cell.index + 1),
    formatBufferPair(cell.rcvbufBytes, run?.endpoints ?? null, 'rcvbuf'),
    formatBufferPair(cell.sndbufBytes, run?.endpoints ?? null, 'sndbuf'),
    `${cell.sizeBytes} B`,
    cell.rateText ?? (run?.config.patternAb !== undefined && run.config.patternAb.kind !== 'cbr' ? run.config.patternAb.kind : 'find-max'),
    // `--clients` and `--stall` ride in the threads column (the layout of endpoints), so the table keeps its columns.
    [
      threadsLabel(cell.threads, run?.config ?? null),
      ...(cell.clients === undefined ? [] : [`${cell.clients} client${cell.clients === 1 ? '' : 's'}`]),
      ...(cell.stall === undefined ? [] : [stallLabel(cell.stall)]),
    ].join(', '),
  ];
}

/** A sweep's cells as data, before any layout: the cell columns, then figures per direction, then per cell. */
interface SweepTableData {
  /** Heads of one direction's figures, e.g. `loss %` (the tables prefix `A→B ` or show a `dir` column). */
  directionHeads: string[];
  /** Heads of the figures of a whole cell after the directions (a search's `trials`). */
  cellHeads: string[];
  cells: {
    /** {@link cellColumns}: #, rcvbuf, sndbuf, size, rate, threads. */
    columns: string[];
    /** Per direction (A→B, B→A), its figures. */
    directions: string[][];
    /** The figures of the whole cell. */
    figures: string[];
    /** Why the cell has no figures, or `null`. */
    error: string | null;
    partial: boolean;
  }[];
}

/**
 * A plain sweep: per direction the achieved rate with the offered one beside
 * it (undersent marked), received pps, loss, attribution, kernel drops.
 */
function plainSweepData(result: SweepResult): SweepTableData {
  return {
    directionHeads: ['sent (offered) pps', 'recv pps', 'loss %', 'loss at snd/kern/net', 'kernel drops'],
    cellHeads: [],
    cells: result.cells.map((cell) => ({
      columns: cellColumns(cell),
      directions: DIRS.map((d) => {
        const dir = directionOf(cell.run, d.from);
        const figures = dir === null ? null : observedFigures(dir);
        return [
          formatAchievedRate(dir),
          formatPps(figures?.receivedPps ?? null),
          formatPercent(figures?.lossPercent ?? null),
          dir === null ? 'n/a' : formatAttribution(dir),
          formatInteger(dir?.kernelDrops ?? null),
        ];
      }),
      figures: [],
      error: cell.error,
      partial: cell.run !== null && !cell.run.complete,
    })),
  };
}

/** A `--find-max` sweep: per direction the rate found, its loss and what limited it; the trials per cell. */
function searchSweepData(result: SweepResult): SweepTableData {
  return {
    directionHeads: ['max pps', 'loss at rate', 'limited by'],
    cellHeads: ['trials'],
    cells: result.cells.map((cell) => {
      const dirs = cell.search?.directions ?? null;
      return {
        columns: cellColumns(cell),
        directions: DIRS.map((d) => {
          const r = dirs?.[d.key] ?? null;
          return [r === null ? 'n/a' : rateOrNone(r.ratePps), formatPercent(r?.lossPercentAtRate ?? null), r === null ? 'n/a' : limitLabel(r.limitedBy)];
        }),
        figures: [formatInteger(cell.search?.trials.length ?? null)],
        error: cell.error,
        partial: cell.search !== null && !cell.search.complete,
      };
    }),
  };
}

function sweepData(result: SweepResult): SweepTableData {
  return result.findMax === null ? plainSweepData(result) : searchSweepData(result);
}

/** Text columns are left-aligned, figures right-aligned so digits line up. */
function sweepAlign(head: readonly string[]): ('left' | 'right')[] {
  return head.map((h) => (h === '#' || h === 'dir' || h === 'rate' || h === 'threads' || h.endsWith('limited by') ? 'left' : 'right'));
}

/** One row per cell: the cell columns, each direction's figures (heads prefixed `A→B `), the cell's figures; failed cells named. */
function sweepRows(result: SweepResult): { head: string[]; rows: string[][]; failed: Map<number, string> } {
  const data = sweepData(result);
  const head = [...cellHead(), ...DIRS.flatMap((d) => data.directionHeads.map((h) => `${d.label} ${h}`)), ...data.cellHeads];
  const failed = new Map<number, string>();
  const rows = data.cells.map((cell, i) => {
    if (cell.error !== null) failed.set(i, `FAILED: ${cell.error}`);
    const row = [...cell.columns, ...cell.directions.flat(), ...cell.figures];
    if (cell.partial) row[0] = `${row[0] ?? ''} (partial)`;
    return row;
  });
  return { head, rows, failed };
}

/** The full sweep table: one row per cell, every figure in a column of its own. */
function fullSweepTable(result: SweepResult, color: boolean): string {
  const { head, rows, failed } = sweepRows(result);
  const table = newTable(head.map(terminalHead), sweepAlign(head), color);
  rows.forEach((row, i) => {
    const error = failed.get(i);
    if (error !== undefined) {
      // A failed cell has no figures: one spanning cell says why.
      table.push([...row.slice(0, 6), { colSpan: head.length - 6, content: paint(error, 'red', color) }]);
    } else table.push(row);
  });
  return table.toString();
}

/** Names of the cell columns after `#`, as a cell label says them. */
const CELL_COLUMN_NAMES = ['rcvbuf', 'sndbuf', 'size', 'rate', 'threads'] as const;

/**
 * The compact sweep table, for terminals narrower than the full one: what
 * every cell shares on one line above the table; then per cell a label with
 * what varies (and its trials, for a search) across the table, and a row
 * per direction below it. Fits `width` (see `fitGroupedTable`).
 */
function compactSweepTable(result: SweepResult, width: number, color: boolean): string[] {
  const data = sweepData(result);
  // A find-max sweep has no rate per cell: the headline says the search picked them.
  const shown = CELL_COLUMN_NAMES.map((name, i) => ({ name, i: i + 1 })).filter(({ name }) => !(name === 'rate' && result.findMax !== null));
  // Judged by the cells that ran: a failed cell has no effective buffer sizes, only the requested ones the others share.
  const ran = data.cells.filter((c) => c.error === null);
  const reference = ran[0] ?? data.cells[0];
  const same = shown.filter(({ i }) => ran.every((c) => c.columns[i] === reference?.columns[i]));
  const varying = shown.filter((c) => !same.includes(c));
  const lines: string[] = [];
  if (same.length > 0 && data.cells.length > 1) {
    lines.push(...wrapLine(`every cell: ${same.map(({ name, i }) => `${name} ${reference?.columns[i] ?? ''}`).join(', ')}`, width));
  }
  const groups: TableGroup[] = data.cells.map((cell) => {
    const what = (data.cells.length > 1 ? varying : shown).map(({ name, i }) => `${name} ${cell.columns[i] ?? ''}`);
    what.push(...data.cellHeads.map((h, i) => `${cell.figures[i] ?? ''} ${h}`));
    const label = `cell ${cell.columns[0] ?? ''}${cell.partial ? ' (partial)' : ''}${what.length > 0 ? `: ${what.join(', ')}` : ''}`;
    return {
      label,
      alert: cell.error === null ? null : `FAILED: ${cell.error}`,
      rows: cell.error === null ? DIRS.map((d, k) => [d.label, ...(cell.directions[k] ?? [])]) : [],
    };
  });
  const head = ['dir', ...data.directionHeads];
  lines.push(fitGroupedTable({ head: head.map(terminalHead), align: sweepAlign(head), groups }, width, color).text);
  return lines;
}

/**
 * The summary printed at the end of `bench sweep`: a headline, one row per
 * cell (effective buffers, rates, loss and where it happened, per direction),
 * then the warnings. Column heads are split over two lines to keep it narrow.
 * Every line fits `options.width`: below the full table's width, the compact
 * one (a label per cell and a row per direction), and prose lines wrap.
 */
export function formatSweepTable(result: SweepResult, options: TableOptions = {}): string {
  const color = options.color === true;
  const width = options.width ?? UNLIMITED_WIDTH;
  const lines = formatHeadlineLines(formatSweepHeadline(result), result.complete, completion(result), width, color);
  const full = fullSweepTable(result, color);
  if (maxLineWidth(full) <= width) lines.push(full);
  else lines.push(...compactSweepTable(result, width, color));
  for (const warning of result.warnings) lines.push(...wrapPainted(formatWarning(warning), width, 'yellow', color));
  return lines.join('\n');
}

/** The sweep as GitHub Markdown: headline, one table row per cell, environment, warnings. */
export function formatSweepMarkdown(result: SweepResult): string {
  const lines = [`**${escapeMarkdown(formatSweepHeadline(result))}** — ${escapeMarkdown(completion(result))}`, ''];
  const { head, rows, failed } = sweepRows(result);
  const mdRows = rows.map((row, i) => {
    const error = failed.get(i);
    return error === undefined ? row : [...row.slice(0, 6), error, ...row.slice(7).map(() => '')];
  });
  lines.push(...markdownTable(head, mdRows, sweepAlign(head)), '');
  lines.push(...environmentMarkdown(result.environment.nodeVersion, result.environment.kernel, result.environment.sysctls));
  for (const w of result.warnings) lines.push(`- ⚠ ${escapeMarkdown(formatWarning(w))}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The CSV header of {@link formatSweepCsv}. */
export const SWEEP_CSV_HEADER: readonly string[] = [
  'cell', 'rcvbufRequestedBytes', 'rcvbufEffectiveBytes', 'sndbufRequestedBytes', 'sndbufEffectiveBytes', 'sizeBytes', 'rateText', 'ratePps',
  'threadsRequested', 'threads', 'direction', 'complete', 'error', 'sent', 'received', 'lost', 'lossPercent', 'sentPps', 'receivedPps',
  'senderLoss', 'kernelLoss', 'networkLoss', 'kernelDrops', 'maxRatePps', 'lossPercentAtRate', 'limitedBy', 'confirmed', 'trials',
  // Schema 2, appended so scripts reading the earlier columns by position keep working.
  'offeredPps', 'undersent', 'checkAgree',
  // --clients: clients on the server port (the figures are the sums over them).
  'clients',
];

/**
 * The sweep as CSV: one row per cell and direction, raw JSON numbers (RFC
 * 4180, CRLF). Buffer sizes are those of the direction's receiver (rcvbuf)
 * and sender (sndbuf), the ones that shape its figures. Search columns are
 * empty in plain sweeps and the run columns empty in `--find-max` sweeps.
 */
export function formatSweepCsv(result: SweepResult): string {
  const rows: CsvValue[][] = [[...SWEEP_CSV_HEADER]];
  for (const cell of result.cells) {
    const run = cellRun(cell);
    for (const d of DIRS) {
      const receiver = run?.endpoints.find((e) => e.id === d.to) ?? null;
      const sender = run?.endpoints.find((e) => e.id === d.from) ?? null;
      const dir = directionOf(cell.run, d.from);
      // Unobserved figures are empty fields, never 0.
      const f = dir === null ? null : observedFigures(dir);
      const answer = cell.search?.directions?.[d.key] ?? null;
      const ratePps = cell.run === null ? null : d.from === 'A' ? cell.run.config.rateAbPps : cell.run.config.rateBaPps;
      rows.push([
        cell.index + 1, cell.rcvbufBytes, receiver?.rcvbuf.effective ?? null, cell.sndbufBytes, sender?.sndbuf.effective ?? null,
        cell.sizeBytes, cell.rateText, ratePps, cell.threads, run?.config.threads ?? null, d.csv,
        cell.error === null && (cell.run?.complete ?? cell.search?.complete ?? false), cell.error,
        f?.sent ?? null, f?.received ?? null, f?.lost ?? null, f?.lossPercent ?? null, f?.sentPps ?? null, f?.receivedPps ?? null,
        f?.lossAttribution?.sender ?? null, f?.lossAttribution?.kernel ?? null, f?.lossAttribution?.network ?? null, dir?.kernelDrops ?? null,
        answer?.ratePps ?? null, answer?.lossPercentAtRate ?? null, answer?.limitedBy ?? null, answer?.confirmed ?? null,
        cell.search === null ? null : cell.search.trials.length,
        dir?.offeredPps ?? null, dir?.undersent ?? null, dir === null ? null : lossCheckOf(dir).agree,
        cell.clients ?? 1,
      ]);
    }
  }
  return csvRecords(rows);
}

/**
 * A column head over up to three short lines to keep the table narrow:
 * `A→B loss at snd/kern/net` → `A→B` / `loss at` / `snd/kern/net`.
 */
function terminalHead(head: string): string {
  return head
    .replace(/^(A→B|B→A) /, '$1\n')
    .replace(' req → eff', '\nreq → eff')
    .replace('loss at ', 'loss at\n')
    .replace('kernel drops', 'kernel\ndrops')
    .replace(' pps', '\npps');
}

// ---------------------------------------------------------------------------
// Markdown helpers

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[]): string[] {
  const cell = (text: string): string => escapeMarkdown(text.replace(/\n/g, ' '));
  const out = [`| ${head.map(cell).join(' | ')} |`, `| ${align.map((a) => (a === 'right' ? '---:' : ':---')).join(' | ')} |`];
  for (const row of rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  return out;
}

/** The OS settings that shape buffer figures, as one Markdown line. */
function environmentMarkdown(nodeVersion: string, kernel: string, sysctls: Record<string, string | null>): string[] {
  const keys = ['net.core.rmem_max', 'net.core.wmem_max', 'net.core.rmem_default', 'net.core.wmem_default'];
  const settings = keys.map((k) => `${k} = ${sysctls[k] ?? 'n/a'}`).join(', ');
  return [escapeMarkdown(`Node ${nodeVersion}, ${kernel}; ${settings}`), ''];
}
