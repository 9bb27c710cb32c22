import { describe, it, expect } from 'vitest';
import { figureDelta, formatComparison, type ComparisonRun } from '../src/report/compare.js';
import { buildDuplexResult } from './report-fixture.js';

/** Two runs of the same test: the second with a bigger rcvbuf and far less B→A loss. */
function runs(): ComparisonRun[] {
  const small = buildDuplexResult();
  const big = buildDuplexResult();
  for (const e of big.endpoints) e.rcvbuf = { requested: 8388608, effective: 16777216 };
  const ba = big.directions[1];
  if (ba === undefined) throw new Error('fixture lacks B→A');
  ba.received = ba.sent - 120;
  ba.lost = 120;
  ba.lossPercent = (120 / ba.sent) * 100;
  return [
    { label: 'rcvbuf-416k.json', result: small },
    { label: 'rcvbuf-16m.json', result: big },
  ];
}

describe('formatComparison', () => {
  it('shows runs side by side per direction with absolute and relative differences (table)', () => {
    const text = formatComparison(runs(), 'table');
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toContain('rcvbuf-416k.json (baseline)');
    expect(text).toContain('Δ rcvbuf-16m.json');
    expect(text).toContain('8 MiB → 16 MiB');
    const baSection = text.slice(text.indexOf('\nB→A\n'));
    const lost = baSection.split('\n').find((l) => l.startsWith('│ lost '));
    expect(lost?.split('│').map((c) => c.trim())).toEqual(['', 'lost', '13,580', '120', '-13,460 (-99.1 %)', '']);
    const loss = baSection.split('\n').find((l) => l.startsWith('│ loss % '));
    expect(loss).toContain('-2.20 pp (-99.1 %)');
  });

  it('fits the width it is given: the settings turn into one block per run, the figures keep theirs', () => {
    const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l].length));
    const full = formatComparison(runs(), 'table');
    expect(widest(full)).toBeGreaterThan(80);
    const fitted = formatComparison(runs(), 'table', { width: 80 });
    expect(widest(fitted)).toBeLessThanOrEqual(80);
    for (const figure of ['rcvbuf-416k.json', 'rcvbuf-16m.json', '8 MiB → 16 MiB', '-13,460 (-99.1 %)']) expect(fitted).toContain(figure);
  });

  it('writes Markdown tables with the same figures', () => {
    const md = formatComparison(runs(), 'md');
    expect(md).toContain('**B→A**');
    expect(md).toContain('| lost | 13,580 | 120 | -13,460 (-99.1 %) |');
  });

  it('writes long-format CSV with raw numbers', () => {
    const csv = formatComparison(runs(), 'csv');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('direction,figure,run,value,baselineRun,delta,deltaPercent');
    const delta = ((120 - 13580) / 13580) * 100;
    expect(lines).toContain(`B->A,lost,rcvbuf-16m.json,120,rcvbuf-416k.json,-13460,${delta}`);
    expect(lines).toContain('B->A,lost,rcvbuf-416k.json,13580,rcvbuf-416k.json,0,0');
    // Not measured: empty fields, not 0.
    expect(lines).toContain('B->A,latencyP50Us,rcvbuf-16m.json,,rcvbuf-416k.json,,');
  });

  it('refuses an empty list', () => {
    expect(() => formatComparison([], 'table')).toThrow(RangeError);
  });
});

describe('figureDelta', () => {
  it('handles a zero or missing baseline', () => {
    expect(figureDelta(5, 0)).toEqual({ value: 5, delta: 5, deltaPercent: null });
    expect(figureDelta(0, 0)).toEqual({ value: 0, delta: 0, deltaPercent: 0 });
    expect(figureDelta(null, 3)).toEqual({ value: null, delta: null, deltaPercent: null });
    expect(figureDelta(15, 10)).toEqual({ value: 15, delta: 5, deltaPercent: 50 });
  });
});
