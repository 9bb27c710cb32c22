import { describe, it, expect } from 'vitest';
import { formatDuplexTable, formatIntervalLine } from '../src/report/table.js';
import { formatVerdict } from '../src/report/verdict.js';
import { fitTable, outputWidth, UNLIMITED_WIDTH, visibleWidth, wrapLine } from '../src/report/fit.js';
import { runWarnings } from '../src/report/direction-notes.js';
import { buildDuplexResult, undersentAb, unobservedReceiver } from './report-fixture.js';
import type { DuplexResult } from '../src/result/types.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l.replace(ANSI, '')].length));

/** A loss-free, symmetric run: both directions at 10k/s, every datagram received. */
function cleanResult(): DuplexResult {
  const result = buildDuplexResult({ warnings: [] });
  for (const d of result.directions) {
    Object.assign(d, {
      sent: 49975, received: 49975, lost: 0, lossPercent: 0, sentPps: 9995, receivedPps: 9995, kernelDrops: 0, offeredPps: 10000,
      sendErrors: {}, lossAttribution: { sender: 0, kernel: 0, network: 0 },
      check: { lostBySequence: 0, kernelDrops: 0, agree: true, note: null },
    });
  }
  return result;
}

describe('terminal width', () => {
  it.each([80, 100, 160])('renders every line of the fixture within %i columns, with and without colour', (width) => {
    for (const result of [buildDuplexResult(), undersentAb(true), unobservedReceiver(), cleanResult()]) {
      expect(widest(formatDuplexTable(result, { width }))).toBeLessThanOrEqual(width);
      expect(widest(formatDuplexTable(result, { width, color: true }))).toBeLessThanOrEqual(width);
    }
  });

  it('uses the full layout when there is room, a compact one below', () => {
    const wide = formatDuplexTable(buildDuplexResult(), { width: 160 });
    expect(wide.split('\n').some((l) => l.startsWith('│ A→B │'))).toBe(true);
    const narrow = formatDuplexTable(buildDuplexResult(), { width: 80 });
    expect(narrow).toMatch(/│ loss %\s+│ 0\.02 % │\s+2\.22 % │/);
    // No width: unlimited, the layout of the golden file.
    expect(formatDuplexTable(buildDuplexResult())).toBe(formatDuplexTable(buildDuplexResult(), { width: UNLIMITED_WIDTH }));
  });

  it('falls back to blocks and then to lines for very narrow widths', () => {
    const data = { head: ['dir', 'sent', 'received'], rows: [['A→B', '1,000,000', '999,999'], ['B→A', '2', '2']], align: ['left', 'right', 'right'] as const };
    expect(fitTable({ ...data, align: [...data.align] }, 200, false).layout).toBe('full');
    const lines = fitTable({ ...data, align: [...data.align] }, 12, false);
    expect(lines.layout).toBe('lines');
    expect(widest(lines.text)).toBeLessThanOrEqual(12);
  });

  it('wraps prose at spaces with an indent, and cuts words longer than the width', () => {
    expect(wrapLine('aaa bbb ccc', 7)).toEqual(['aaa bbb', '  ccc']);
    // An indented line (an item under a heading) keeps its indent; its continuation goes two further.
    expect(wrapLine('  aaa bbb ccc', 9)).toEqual(['  aaa bbb', '    ccc']);
    for (const l of wrapLine('x '.repeat(5) + 'y'.repeat(30), 10)) expect(visibleWidth(l)).toBeLessThanOrEqual(10);
  });

  it('takes the terminal columns, else COLUMNS, else 80; piped never above 80 unless --wide', () => {
    expect(outputWidth({ isTTY: true, columns: 132, env: '60', wide: false })).toBe(132);
    expect(outputWidth({ isTTY: true, columns: 0, env: '60', wide: false })).toBe(60);
    expect(outputWidth({ isTTY: true, columns: undefined, env: undefined, wide: false })).toBe(80);
    expect(outputWidth({ isTTY: false, columns: undefined, env: '200', wide: false })).toBe(80);
    expect(outputWidth({ isTTY: false, columns: undefined, env: '60', wide: false })).toBe(60);
    expect(outputWidth({ isTTY: false, columns: undefined, env: 'junk', wide: false })).toBe(80);
    expect(outputWidth({ isTTY: false, columns: undefined, env: '60', wide: true })).toBe(UNLIMITED_WIDTH);
  });
});

describe('formatIntervalLine width', () => {
  it('stays within 80 characters up to 99 s, 999,999/s and 99,999 lost, omitted or not', () => {
    for (const omitted of [false, true]) {
      const line = formatIntervalLine({ direction: 'B→A', fromSeconds: 98, toSeconds: 99, sent: 999999, received: 999999, lost: 99999, sizeBytes: 65507, omitted });
      expect([...line].length).toBeLessThanOrEqual(80);
    }
  });
});

describe('verdict', () => {
  it('says full duplex and one loss figure for a clean run, B likewise', () => {
    expect(formatVerdict(cleanResult())).toBe(
      'one port each: A 127.0.0.1:40001 sent 49,975 and received 49,975 datagrams in the same 5.0 s; B likewise — full duplex, 0.00 % loss',
    );
  });

  it('names loss per direction and the kernel drops of a lossy run', () => {
    expect(formatVerdict(buildDuplexResult())).toBe(
      'one port each: A 127.0.0.1:40001 sent 50,000 and received 598,765 datagrams in the same 5.0 s; ' +
        'B 127.0.0.1:40002 sent 612,345 and received 49,988 — full duplex, loss A→B 0.02 %, B→A 2.22 %; ' +
        'kernel drops A→B 10, B→A 13,000 (receive buffer full)',
    );
  });

  it('says which direction was undersent and by how much', () => {
    expect(formatVerdict(undersentAb(false))).toContain('; A→B undersent (82.7k/s of 300k/s offered: the sender was the limit)');
  });

  it('says a partial run is partial and does not claim full duplex without the receiver\'s figures', () => {
    const verdict = formatVerdict(unobservedReceiver());
    expect(verdict).toMatch(/^PARTIAL \(peer-timeout — the peer fell silent \(--peer-timeout\)\): one port each: /);
    expect(verdict).toContain("full duplex not confirmed: no figures for B's receiving");
  });

  it('says NOT full duplex when one port received nothing', () => {
    const result = cleanResult();
    Object.assign(result.directions[1]!, { received: 0, lost: 49975, lossPercent: 100 });
    expect(formatVerdict(result)).toContain('NOT full duplex: A received nothing');
  });

  it('is the last line of the table', () => {
    const lines = formatDuplexTable(cleanResult()).split('\n');
    expect(lines[lines.length - 1]).toBe(formatVerdict(cleanResult()));
  });
});

describe('warnings printed once', () => {
  it('drops an identical repeated warning (both endpoints clamped the same way)', () => {
    const result = buildDuplexResult();
    result.warnings.push({ ...result.warnings[0]! });
    expect(runWarnings(result).filter((w) => w.code === 'rcvbuf-clamped')).toHaveLength(1);
    expect(formatDuplexTable(result).split('\n').filter((l) => l.includes('rcvbuf-clamped'))).toHaveLength(1);
  });
});

describe('NAT: the address the listener saw', () => {
  it('is shown beside the local address when it differs', async () => {
    const { buildDuplexResult } = await import('./report-fixture.js');
    const { formatDuplexTable } = await import('../src/report/table.js');
    const r = buildDuplexResult();
    r.endpoints[0]!.observedAs = '203.0.113.7:61000';
    expect(formatDuplexTable(r, { width: 160 })).toContain('(seen as 203.0.113.7:61000)');
  });
});
