/**
 * Sweep and find-max printers with schema 2: the achieved rate with the
 * offered one beside it, undersent cells marked in tables and charts, the
 * chart's x axis at the achieved rate, and `limitedBy: 'undersent'` explained.
 */
import { describe, it, expect } from 'vitest';
import { formatSweepCsv, formatSweepMarkdown, formatSweepTable, formatSearchTable, formatCellLine } from '../src/report/sweep.js';
import { renderChart, sweepLossSeries } from '../src/report/render.js';
import type { DuplexResult, SearchResult, SweepCell, SweepResult } from '../src/result/types.js';
import { buildDuplexResult } from './report-fixture.js';

/** A paced run at `offeredPps` both ways whose A→B sender reached `abSentPps`. */
function pacedRun(offeredPps: number, abSentPps: number): DuplexResult {
  const run = buildDuplexResult();
  run.config.rateAbPps = offeredPps;
  run.config.rateBaPps = offeredPps;
  run.config.rateAbText = run.config.rateBaText = `${offeredPps / 1000}k`;
  for (const d of run.directions) {
    d.offeredPps = offeredPps;
    d.sentPps = d.from === 'A' ? abSentPps : offeredPps;
    d.undersent = d.sentPps < 0.95 * offeredPps;
    d.lossPercent = 0;
  }
  return run;
}

function cell(index: number, run: DuplexResult): SweepCell {
  return { index, rcvbufBytes: null, sndbufBytes: null, sizeBytes: 64, rateText: `${(run.config.rateAbPps ?? 0) / 1000}k`, threads: 'split', run, search: null, error: null };
}

/** A two-cell rate sweep: 50k (reached) and 60k (A→B sent only 34.7k). */
function sweep(): SweepResult {
  const base = buildDuplexResult();
  const cells = [cell(0, pacedRun(50000, 50010)), cell(1, pacedRun(60000, 34700))];
  return {
    ...base,
    kind: 'sweep',
    axes: { rcvbufBytes: [null], sndbufBytes: [null], sizeBytes: [64], rates: ['50k', '60k'], threads: ['split'] },
    findMax: null,
    plannedCells: 2,
    cells,
  } as SweepResult;
}

describe('sweep printers', () => {
  it('show the achieved rate with the offered one beside it, undersent cells marked', () => {
    const table = formatSweepTable(sweep());
    expect(table).toContain('34.7k (60.0k) UNDERSENT');
    expect(table).toContain('50.0k (50.0k)');
    expect(table.match(/UNDERSENT/g)).toHaveLength(1);
    const markdown = formatSweepMarkdown(sweep());
    expect(markdown).toContain('A→B sent (offered) pps');
    expect(markdown).toContain('34.7k (60.0k) UNDERSENT');
  });

  it('write offeredPps and undersent to the CSV', () => {
    const [header, ...rows] = formatSweepCsv(sweep()).trimEnd().split('\r\n').map((l) => l.split(','));
    const at = (row: string[] | undefined, name: string): string | undefined => row?.[header?.indexOf(name) ?? -1];
    expect(at(rows[2], 'direction')).toBe('A->B');
    expect(at(rows[2], 'offeredPps')).toBe('60000');
    expect(at(rows[2], 'sentPps')).toBe('34700');
    expect(at(rows[2], 'undersent')).toBe('true');
    expect(at(rows[3], 'undersent')).toBe('false');
  });

  it('mark the cell line printed while running', () => {
    expect(formatCellLine(sweep().cells[1]!, 2)).toMatch(/^cell 2\/2 done: A→B sent 34\.7k \(60\.0k\) UNDERSENT recv /);
  });

  it('plot loss at the achieved rate, flagging undersent points', () => {
    const series = sweepLossSeries(sweep());
    const ab = series.find((s) => s.label === 'A→B');
    expect(ab?.points.map((p) => p.sentPps)).toEqual([34700, 50010]);
    expect(ab?.points.map((p) => p.undersent)).toEqual([true, false]);
    const svg = renderChart(sweep());
    expect(svg.match(/class="point-flag" data-flag="undersent"/g)).toHaveLength(1);
    expect(svg).toContain('hollow: undersent');
    // The flagged A→B point sits left of B→A's 60k point: it is drawn at 34.7k, not at the 60k asked for.
    const flagged = /<g class="flagged" data-flagged-series="A→B"[^>]*>\s*<(?:rect x="([\d.]+)"|circle cx="([\d.]+)"|path d="M([\d.]+))/.exec(svg);
    const flagX = Number(flagged?.[1] ?? flagged?.[2] ?? flagged?.[3]);
    const baGroup = /<g class="markers" data-series="B→A"[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    const baXs = [...baGroup.matchAll(/(?:x="|cx="|d="M)([\d.]+)/g)].map((m) => Number(m[1]));
    expect(baXs).toHaveLength(2);
    expect(flagX).toBeLessThan(Math.max(...baXs) - 20);
  });
});

describe('find-max printers', () => {
  it('explain limitedBy undersent', () => {
    const base = buildDuplexResult();
    const answer = { ratePps: 40000, lossPercentAtRate: 0, lowestFailingPps: 45000, limitedBy: 'undersent' as const, confirmed: true, trials: 6 };
    const search = {
      ...base,
      kind: 'search',
      search: { lossThresholdPercent: 0, floorPps: 1000, ceilingPps: 100000, trialSeconds: 2, maxTrials: 20, confirmTrials: 2, resolutionPercent: 1, minSentFraction: 0.95, ceilingHeadroom: 1.05 },
      ceiling: { source: 'option', rates: { abPps: 100000, baPps: 100000 }, measured: null },
      directions: { ab: answer, ba: { ...answer, limitedBy: 'loss' as const } },
      trials: [],
      trialRuns: [],
      ceilingRun: null,
    } as SearchResult;
    const table = formatSearchTable(search);
    expect(table).toContain('undersent: the sender could not reach higher rates');
    expect(table).toContain('loss above it');
  });
});
