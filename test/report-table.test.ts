import { describe, it, expect } from 'vitest';
import { formatDuplexTable, formatIntervalLine } from '../src/report/table.js';
import { buildDuplexResult } from './report-fixture.js';
import { expectGolden } from './report-golden.js';

const ANSI = /\u001b\[[0-9;]*m/g;

/** The table line of a direction, e.g. `│ A→B │ 50,000 │ …`, split into trimmed cells. */
function rowCells(text: string, direction: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`│ ${direction} `));
  if (line === undefined) throw new Error(`no row for ${direction}`);
  return line.split('│').slice(1, -1).map((c) => c.trim());
}

describe('formatDuplexTable', () => {
  it('matches the golden summary of the fixture', () => {
    expectGolden(`${formatDuplexTable(buildDuplexResult())}\n`, 'duplex-table.txt');
  });

  it('emits no ANSI escapes unless color is true', () => {
    const plain = formatDuplexTable(buildDuplexResult());
    expect(plain).not.toMatch(ANSI);
    expect(formatDuplexTable(buildDuplexResult(), { color: false })).toBe(plain);

    const colored = formatDuplexTable(buildDuplexResult(), { color: true });
    expect(colored).toMatch(ANSI);
    // Colour changes nothing but the escapes: same text, same column widths.
    expect(colored.replace(ANSI, '')).toBe(plain);
  });

  it('shows one row per direction with the figures of the result', () => {
    const text = formatDuplexTable(buildDuplexResult());
    expect(rowCells(text, 'A→B')).toEqual([
      'A→B', '50,000', '49,988', '12', '0.02 %', '0', '3', '0', '10.0k', '10.0k', '5.12', '0.012', '48/112', '10', '0/10/2',
    ]);
    const ba = rowCells(text, 'B→A');
    expect(ba[1]).toBe('612,345');
    expect(ba[3]).toBe('13,580');
    expect(ba[4]).toBe('2.22 %');
    // Delay was not measured in B→A: n/a, not 0.
    expect(ba[12]).toBe('n/a');
    expect(ba[14]).toBe('1,234/13,000/580');
  });

  it('says PARTIAL with the reason when the run is incomplete', () => {
    const text = formatDuplexTable(buildDuplexResult({ complete: false, incompleteReason: 'interrupted' }));
    expect(text.split('\n')[0]).toMatch(/PARTIAL \(interrupted\)$/);
  });

  it('prints each warning on one line with its hint, and the endpoint buffers', () => {
    const lines = formatDuplexTable(buildDuplexResult()).split('\n');
    expect(lines).toContain(
      'warning [rcvbuf-clamped]: rcvbuf: requested 4 MiB, kernel gave 416 KiB (net.core.rmem_max = 212992) (hint: sudo sysctl -w net.core.rmem_max=4194304)',
    );
    expect(lines).toContain('warning [sndbuf-clamped]: sndbuf: requested 4 MiB, kernel gave 416 KiB (net.core.wmem_max = 212992)');
    expect(lines.some((l) => /127\.0\.0\.1:40001 .* 4 MiB → 416 KiB .* default → 208 KiB .* 0 │$/.test(l))).toBe(true);
  });
});

describe('formatIntervalLine', () => {
  it('prints an iperf3-like progress line', () => {
    expect(
      formatIntervalLine({ direction: 'A→B', fromSeconds: 2, toSeconds: 3, sent: 10000, received: 10000, lost: 0, sizeBytes: 64, omitted: false }),
    ).toBe('[A→B]   2.00-3.00 s sent  10000/s recv  10000/s lost     0  0.00 % 5.12 Mbit/s');
  });

  it('divides by the interval length, computes loss against what was expected, and marks omitted lines', () => {
    const line = formatIntervalLine({
      direction: 'B→A', fromSeconds: 0, toSeconds: 0.5, sent: 5000, received: 4900, lost: 100, sizeBytes: 1000, omitted: true,
    });
    expect(line).toBe('[B→A]   0.00-0.50 s sent  10000/s recv   9800/s lost   100  2.00 %   (omitted)');
  });
});
