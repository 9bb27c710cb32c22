/**
 * Making terminal output fit the width it prints to: the width rule, line
 * wrapping for prose lines, and tables that fall back to narrower layouts.
 * Pure: the CLI reads the terminal and passes the numbers in.
 */

import Table from 'cli-table3';
import { paint } from './format.js';

/** A width that never forces a narrower layout (`--wide`, or a caller that does not care). */
export const UNLIMITED_WIDTH = Number.POSITIVE_INFINITY;

/** What the printed-to stream says about itself. */
export interface TerminalFacts {
  /** `process.stdout.isTTY`. */
  isTTY: boolean;
  /** `process.stdout.columns` (undefined when piped; some pseudo-terminals say 0). */
  columns: number | undefined;
  /** The `COLUMNS` environment variable, unparsed. */
  env: string | undefined;
  /** `--wide`: no limit at all. */
  wide: boolean;
}

/** Width of piped output: a log or a pasted report is read at 80 columns more often than at any other width. */
export const PIPED_WIDTH = 80;

/**
 * The width to fit: the terminal's own columns; else `COLUMNS`; else 80.
 * Piped output is never wider than 80 (a `COLUMNS` exported by a wide shell
 * says nothing about where a pipe ends up) unless `--wide`.
 */
export function outputWidth(facts: TerminalFacts): number {
  if (facts.wide) return UNLIMITED_WIDTH;
  if (facts.isTTY && facts.columns !== undefined && facts.columns > 0) return facts.columns;
  const env = facts.env !== undefined && /^\s*\d+\s*$/.test(facts.env) ? Number(facts.env) : null;
  const fromEnv = env !== null && env > 0 ? env : null;
  if (facts.isTTY) return fromEnv ?? PIPED_WIDTH;
  return Math.min(fromEnv ?? PIPED_WIDTH, PIPED_WIDTH);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes: ANSI escapes take none; every code point one (the printers emit no wide glyphs). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** The widest line of a block of text. */
export function maxLineWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map(visibleWidth));
}

/**
 * Wraps one plain (uncoloured) line to `width` at spaces, continuation lines
 * indented by two spaces so they read as one item. A line that is itself
 * indented (an item under a heading) keeps its indent, and its continuation
 * lines go two further. A word longer than the width (a path, a hint
 * command) is cut hard: a line past the edge would be wrapped by the
 * terminal anyway, and less tidily.
 */
export function wrapLine(text: string, width: number): string[] {
  if (!Number.isFinite(width) || visibleWidth(text) <= width) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  const indent = `${lead}  `;
  const out: string[] = [];
  let line = lead;
  // Nothing but the indent on the line yet.
  const bare = (): boolean => line === lead || line === indent;
  const flush = (): void => {
    out.push(line);
    line = indent;
  };
  for (const word of text.slice(lead.length).split(' ')) {
    const sep = bare() ? '' : ' ';
    if ([...line].length + sep.length + [...word].length <= width) {
      line += sep + word;
      continue;
    }
    if (!bare()) flush();
    let rest = [...word];
    while (line.length + rest.length > width) {
      const room = Math.max(1, width - line.length);
      line += rest.slice(0, room).join('');
      rest = rest.slice(room);
      flush();
    }
    line += rest.join('');
  }
  if (!bare()) out.push(line);
  return out;
}

/** Wraps then paints each line, so an escape never spans a line break. */
export function wrapPainted(text: string, width: number, style: Parameters<typeof paint>[1] | null, color: boolean): string[] {
  return wrapLine(text, width).map((l) => (style === null ? l : paint(l, style, color)));
}

/** A table as data, before any layout. */
export interface TableData {
  /** Column heads; may contain `\n` (the full layout stacks them; the others join them with a space). */
  head: readonly string[];
  /** Body rows; the first cell names the row (e.g. `A→B`, `A`). */
  rows: readonly (readonly string[])[];
  /** Alignment per column in the full layout. */
  align: readonly Table.HorizontalAlignment[];
}

/** Which layout `fitTable` chose (tests and callers may want to know). */
export type TableLayout = 'full' | 'transposed' | 'blocks' | 'lines';

/**
 * Renders a table in the widest layout that fits `width`:
 * 1. `full`: one row per item, as wide as the figures need;
 * 2. `transposed`: one row per figure, one column per item (few items, many figures);
 * 3. `blocks`: one small two-column table per item;
 * 4. `lines`: `head: value` lines, wrapped — always fits.
 * Heads are painted bold when `color`; cells are passed as given (they may carry colour).
 */
export function fitTable(data: TableData, width: number, color: boolean): { text: string; layout: TableLayout } {
  const full = renderGrid(data.head.map((h) => paint(h, 'bold', color)), data.rows, data.align);
  if (maxLineWidth(full) <= width) return { text: full, layout: 'full' };

  const flatHead = data.head.map((h) => h.replace(/\n/g, ' '));
  // The first column labels the items; it becomes the transposed table's head row.
  const items = data.rows.map((r) => r[0] ?? '');
  const figures = flatHead.slice(1).map((h, i) => [paint(h, 'bold', color), ...data.rows.map((r) => r[i + 1] ?? '')]);
  const transposed = renderGrid(
    [paint(flatHead[0] ?? '', 'bold', color), ...items.map((i) => paint(i, 'bold', color))],
    figures,
    ['left', ...items.map((): Table.HorizontalAlignment => 'right')],
  );
  if (maxLineWidth(transposed) <= width) return { text: transposed, layout: 'transposed' };

  const blocks = data.rows
    .map((row) =>
      renderGrid(
        [paint(`${flatHead[0] ?? ''} ${row[0] ?? ''}`, 'bold', color), ''],
        flatHead.slice(1).map((h, i) => [h, row[i + 1] ?? '']),
        ['left', 'right'],
      ),
    )
    .join('\n');
  if (maxLineWidth(blocks) <= width) return { text: blocks, layout: 'blocks' };

  const lines = data.rows.flatMap((row) => [
    paint(`${flatHead[0] ?? ''} ${row[0] ?? ''}`, 'bold', color),
    ...flatHead.slice(1).flatMap((h, i) => wrapLine(`  ${h}: ${(row[i + 1] ?? '').replace(ANSI, '')}`, width)),
  ]);
  return { text: lines.join('\n'), layout: 'lines' };
}

/** One group of rows under a label: a sweep's cell, with a row per direction. */
export interface TableGroup {
  /** What the rows are, e.g. `cell 1: rcvbuf 208 KiB → 416 KiB, size 64 B`. */
  label: string;
  /** Said in red under the label (why a cell has no figures), or `null`. */
  alert: string | null;
  rows: readonly (readonly string[])[];
}

/** Rows in labelled groups, before any layout. */
export interface GroupedTableData {
  /** Column heads of the rows; may contain `\n` (the grid stacks them; lines join them with a space). */
  head: readonly string[];
  align: readonly Table.HorizontalAlignment[];
  groups: readonly TableGroup[];
}

/** Which layout `fitGroupedTable` chose. */
export type GroupedLayout = 'grouped' | 'lines';

/**
 * Renders labelled groups of rows — the compact form of a table too wide for
 * one row per group — in the widest layout that fits `width`:
 * 1. `grouped`: one grid, each group's label on a row across all columns
 *    above its rows, wrapped to the grid's width rather than widening it;
 * 2. `lines`: each label, then one `head value, …` line per row, wrapped — always fits.
 */
export function fitGroupedTable(data: GroupedTableData, width: number, color: boolean): { text: string; layout: GroupedLayout } {
  const head = data.head.map((h) => paint(h, 'bold', color));
  const gridWidth = maxLineWidth(renderGrid(head, data.groups.flatMap((g) => g.rows), data.align));
  if (gridWidth <= width) {
    // `│ ` and ` │` around a cell that spans every column.
    const inner = Math.max(1, gridWidth - 4);
    const across = (text: string, style: Parameters<typeof paint>[1]): Table.CellOptions => ({
      colSpan: data.head.length,
      hAlign: 'left',
      content: wrapPainted(text, inner, style, color).join('\n'),
    });
    const rows = data.groups.flatMap((g) => [[across(g.label, 'bold')], ...(g.alert === null ? [] : [[across(g.alert, 'red')]]), ...g.rows]);
    const text = renderGrid(head, rows, data.align);
    if (maxLineWidth(text) <= width) return { text, layout: 'grouped' };
  }
  const flatHead = data.head.map((h) => h.replace(/\n/g, ' '));
  const lines = data.groups.flatMap((g) => [
    ...wrapPainted(g.label, width, 'bold', color),
    ...(g.alert === null ? [] : wrapPainted(`  ${g.alert}`, width, 'red', color)),
    ...g.rows.flatMap((row) => {
      const figures = row.slice(1).map((cell, i) => `${flatHead[i + 1] ?? ''} ${cell.replace(ANSI, '')}`);
      return wrapLine(`  ${(row[0] ?? '').replace(ANSI, '')}: ${figures.join(', ')}`, width);
    }),
  ]);
  return { text: lines.join('\n'), layout: 'lines' };
}

/** A cli-table3 grid whose own styling never emits ANSI codes. */
function renderGrid(head: readonly string[], rows: readonly (readonly Table.Cell[])[], align: readonly Table.HorizontalAlignment[]): string {
  const table = new Table({
    head: [...head],
    colAligns: [...align],
    // cli-table3 colours through @colors/colors, which decides by itself from
    // the terminal; empty styles keep it out, and `paint` colours instead.
    // `compact` drops the rule between body rows: a few rows need no separator.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}
