/**
 * The sweep and find-max tables fit the width they print to, as the duplex
 * table does (report-fit.test.ts): the full layout when there is room, a
 * compact one below it, never a line wider than the width. Rendered from the
 * published results, read by the project's own reader.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseResultFile } from '../src/result/read.js';
import { formatSearchTable, formatSweepTable } from '../src/report/sweep.js';
import { UNLIMITED_WIDTH, visibleWidth } from '../src/report/fit.js';
import type { AnyResult, SearchResult, SweepResult } from '../src/result/types.js';
import { runCli } from './cli.js';

const SWEEP_FILE = fileURLToPath(new URL('../results/sweep-rcvbuf-size-rate.json', import.meta.url));
const SEARCH_FILE = fileURLToPath(new URL('../results/findmax-single-64B.json', import.meta.url));

function read(file: string): AnyResult {
  return parseResultFile(readFileSync(file, 'utf8'), file);
}

function sweep(): SweepResult {
  const result = read(SWEEP_FILE);
  if (result.kind !== 'sweep') throw new Error(`${SWEEP_FILE} is not a sweep`);
  return result;
}

function search(): SearchResult {
  const result = read(SEARCH_FILE);
  if (result.kind !== 'search') throw new Error(`${SEARCH_FILE} is not a search`);
  return result;
}

/** The published sweep with cell 2 failed and cell 3 partial. */
function sweepWithFailures(): SweepResult {
  const result = sweep();
  const failed = result.cells[1];
  const partial = result.cells[2];
  if (failed === undefined || partial?.run == null) throw new Error('the fixture has fewer cells than expected');
  Object.assign(failed, { run: null, error: 'bind 127.0.0.1:40000: EADDRINUSE (the port is taken by another process)' });
  Object.assign(partial.run, { complete: false, incompleteReason: 'interrupted' });
  return result;
}

/** A two-cell `--find-max` sweep made of the published search. */
function findMaxSweep(): SweepResult {
  const base = sweep();
  const s = search();
  const cell = (index: number, rcvbufBytes: number): SweepResult['cells'][number] => ({
    index, rcvbufBytes, sndbufBytes: null, sizeBytes: 64, rateText: null, threads: 'single', run: null, search: s, error: null,
  });
  return {
    ...base,
    axes: { ...base.axes, rates: [], sizeBytes: [64], rcvbufBytes: [212992, 4194304] },
    findMax: s.search,
    plannedCells: 2,
    cells: [cell(0, 212992), cell(1, 4194304)],
  };
}

const lines = (text: string): string[] => text.split('\n');
const widest = (text: string): number => Math.max(...lines(text).map(visibleWidth));

describe('sweep and find-max tables fit the width', () => {
  const cases: [string, (o: { width?: number; color?: boolean }) => string][] = [
    ['the published sweep', (o) => formatSweepTable(sweep(), o)],
    ['a sweep with a failed and a partial cell', (o) => formatSweepTable(sweepWithFailures(), o)],
    ['a --find-max sweep', (o) => formatSweepTable(findMaxSweep(), o)],
    ['the published search', (o) => formatSearchTable(search(), o)],
  ];

  it.each(cases)('%s: every line within 80 columns, with and without colour', (_name, render) => {
    for (const color of [false, true]) {
      for (const line of lines(render({ width: 80, color }))) expect(visibleWidth(line), line).toBeLessThanOrEqual(80);
    }
  });

  it.each(cases)('%s: within 40, 60, 100 and 120 columns too', (_name, render) => {
    for (const width of [40, 60, 100, 120]) expect(widest(render({ width }))).toBeLessThanOrEqual(width);
  });

  it('the sweep: the full table when there is room, the same as without a width', () => {
    const full = formatSweepTable(sweep(), { width: 300 });
    expect(full).toBe(formatSweepTable(sweep()));
    expect(full).toBe(formatSweepTable(sweep(), { width: UNLIMITED_WIDTH }));
    expect(full).toMatch(/^│ 1 +│ 208 KiB → 416 KiB │ default → 208 KiB │ +64 B │ 50k +│ single +│/m);
    expect(widest(full)).toBeGreaterThan(100);
  });

  it('the sweep at 80 columns: what every cell shares once, a label per cell, a row per direction, no figure lost', () => {
    const text = formatSweepTable(sweep(), { width: 80 });
    expect(text).toContain('every cell: sndbuf default → 208 KiB, threads single');
    expect(text).toContain('cell 1: rcvbuf 208 KiB → 416 KiB, size 64 B, rate 50k');
    expect(text).toContain('cell 12: rcvbuf 4 MiB → 8 MiB, size 1400 B, rate 100k');
    expect(text).toMatch(/^│ A→B │ +80\.3k \(100k\) UNDERSENT │ +76\.6k │ +4\.58 % │ +0\/11,017\/0 │ +11,017 │$/m);
    expect(text).toMatch(/^│ B→A │ +43\.7k \(100k\) UNDERSENT │/m);
    // Every warning is still there, wrapped.
    expect(text.match(/^warning \[undersent\]/gm)).toHaveLength(sweep().warnings.length);
  });

  it('a failed cell says why and a partial one says so in the compact table', () => {
    const text = formatSweepTable(sweepWithFailures(), { width: 80 });
    expect(text).toContain('every cell: sndbuf default → 208 KiB, threads single');
    expect(text).toContain('cell 2: rcvbuf 208 KiB, size 64 B, rate 100k');
    expect(text.replace(/[\s│]+/g, ' ')).toContain('FAILED: bind 127.0.0.1:40000: EADDRINUSE (the port is taken by another process)');
    expect(text).toContain('cell 3 (partial): ');
  });

  it('a --find-max sweep at 80 columns: the rate found per direction, what limited it, the trials per cell', () => {
    const text = formatSweepTable(findMaxSweep(), { width: 80 });
    expect(text).toContain('every cell: sndbuf default → 8 MiB, size 64 B, threads single');
    // The fixture's search ran with a 4 MiB receive buffer: its effective size is what both cells show.
    expect(text).toContain('cell 1: rcvbuf 208 KiB → 8 MiB, 11 trials');
    expect(text).toMatch(/^│ A→B │ +56,868 │ +0\.00 % │ undersent: the sender could not reach higher rates │$/m);
  });

  it('the search: the full tables when there is room; at 80 columns the answer in blocks and a row per trial and direction', () => {
    expect(formatSearchTable(search(), { width: 300 })).toBe(formatSearchTable(search()));
    const text = formatSearchTable(search(), { width: 80 });
    expect(text).toMatch(/│ limited by +│ undersent: the sender could not reach higher rates │/);
    expect(text).toMatch(/^│ +1 │ ceiling │ A→B │ +129,846 │ +47,487 │ +0\.00 % │ UNDERSENT │$/m);
    expect(text).toMatch(/^│ +│ +│ B→A │ +129,846 │ +122,826 │ +44\.66 % │ UNDERSENT │$/m);
    expect(text).toMatch(/^│ +11 │ confirm │ A→B │/m);
  });
});

describe('bench report prints sweeps and searches to fit', () => {
  it.each([SWEEP_FILE, SEARCH_FILE])('%s: at most 80 columns when piped, the full table with --wide', async (file) => {
    const piped = await runCli(['report', file], { env: { ...process.env, COLUMNS: '200' } });
    expect(piped.code).toBe(0);
    expect(widest(piped.stdout)).toBeLessThanOrEqual(80);
    const wide = await runCli(['report', file, '--wide']);
    expect(wide.code).toBe(0);
    expect(widest(wide.stdout)).toBeGreaterThan(100);
  });
});
