/**
 * Schema 2 in the printers: figures nobody observed print `n/a` (empty in
 * CSV), never 0; an undersent direction is marked and warned about exactly
 * once; a disagreeing loss check is printed with its three figures.
 */
import { describe, it, expect } from 'vitest';
import { formatDuplexTable } from '../src/report/table.js';
import { formatDuplexMarkdown } from '../src/report/markdown.js';
import { formatDuplexCsv } from '../src/report/csv.js';
import { formatComparison } from '../src/report/compare.js';
import { renderRunChart } from '../src/report/svg.js';
import { isUndersent, MIN_SENT_FRACTION } from '../src/result/undersent.js';
import { buildDuplexResult, disagreeingCheck, undersentAb, unobservedReceiver } from './report-fixture.js';
import { formatVerdict } from '../src/report/verdict.js';
import { undersentMessage } from '../src/report/direction-notes.js';
import { formatThreads } from '../src/report/table.js';
import { UNDERSENT_LEGEND } from '../src/report/labels.js';

/** Trimmed cells of the terminal table row whose direction cell starts with `direction`. */
function tableRow(text: string, direction: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`│ ${direction} `));
  if (line === undefined) throw new Error(`no row for ${direction}`);
  return line.split('│').slice(1, -1).map((c) => c.trim());
}

/** Cells of the Markdown row whose direction cell starts with `direction`. */
function markdownRow(markdown: string, direction: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${direction}`));
  if (line === undefined) throw new Error(`no row for ${direction}`);
  return line.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, ''));
}

/** CSV records as objects (the fixture's fields need no quoting except where tested elsewhere). */
function csvRows(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trimEnd().split('\r\n').map((l) => l.split(','));
  return rows.map((row) => Object.fromEntries((header ?? []).map((name, i) => [name, row[i] ?? ''])));
}

// Column order of DIRECTION_COLUMNS: dir, sent, received, lost, loss %, dup, reord, foreign,
// sent pps, recv pps, Mbit/s, jitter, delay, kernel drops, loss at snd/kern/net.
const RECEIVER_COLUMNS = [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14];

describe('unobserved figures', () => {
  it('print n/a in the table, never 0, while the sender figures stay', () => {
    const cells = tableRow(formatDuplexTable(unobservedReceiver()), 'A→B');
    for (const i of RECEIVER_COLUMNS) expect(cells[i], `column ${i}`).toBe('n/a');
    expect(cells[1]).toBe('50,000');
    expect(cells[8]).toBe('10.0k');
  });

  it('print n/a in the Markdown, never 0', () => {
    const cells = markdownRow(formatDuplexMarkdown(unobservedReceiver()), 'A→B');
    for (const i of RECEIVER_COLUMNS) expect(cells[i], `column ${i}`).toBe('n/a');
    expect(cells[1]).toBe('50,000');
  });

  it('are empty CSV fields, never 0', () => {
    const row = csvRows(formatDuplexCsv(unobservedReceiver()))[0] ?? {};
    for (const key of ['received', 'lost', 'lossPercent', 'duplicates', 'reordered', 'late', 'foreign', 'receivedPps', 'bitsPerSecond', 'kernelDrops', 'lossSender', 'lossKernel', 'lossNetwork', 'lostBySequence']) {
      expect(row[key], key).toBe('');
    }
    expect(row['sent']).toBe('50000');
  });

  it('include the receiver-measured jitter and delay of a schema-1 style partial result', () => {
    // Schema 1 wrote the receiver's side as 0 with observedBy 'sender'; nothing of it may show.
    const result = buildDuplexResult();
    Object.assign(result.directions[0]!, { observedBy: 'sender', received: 0, lost: 0, lossPercent: 0, jitterMs: 0 });
    const cells = tableRow(formatDuplexTable(result), 'A→B');
    for (const i of [2, 3, 4, 11, 12]) expect(cells[i], `column ${i}`).toBe('n/a');
  });

  it('are not printed when a producer left a stale 0 beside a missing count', () => {
    // lost = sent − received: without `received` no `lost` or loss %, whatever the file says.
    const result = buildDuplexResult();
    Object.assign(result.directions[0]!, { received: null, lost: 0, lossPercent: 0 });
    const cells = tableRow(formatDuplexTable(result), 'A→B');
    expect(cells.slice(2, 5)).toEqual(['n/a', 'n/a', 'n/a']);
    expect(csvRows(formatDuplexCsv(result))[0]?.['lost']).toBe('');
  });

  it('make no difference in a comparison and no 0 point on the run chart', () => {
    const text = formatComparison([{ label: 'full', result: buildDuplexResult() }, { label: 'partial', result: unobservedReceiver() }], 'csv');
    const lines = text.split('\r\n');
    // direction,figure,run,value,baselineRun,delta,deltaPercent: no value, no difference.
    expect(lines).toContain('A->B,lost,partial,,full,,');
    expect(lines).toContain('A->B,lossPercent,partial,,full,,');
    const svg = renderRunChart(unobservedReceiver());
    const received = /data-series="A→B received"/.test(svg);
    expect(received).toBe(false);
    expect(svg).toContain('data-series="A→B sent"');
  });
});

describe('undersent', () => {
  // Warning lines only: the verdict line also names an undersent direction, by design.
  const undersentLines = (text: string): string[] => text.split('\n').filter((l) => /undersent/i.test(l) && !l.startsWith('one port each') && !l.includes(UNDERSENT_LEGEND));

  it('explains the ! mark once, under the table and in the Markdown, only when a row carries it', () => {
    for (const text of [formatDuplexTable(undersentAb(false)), formatDuplexMarkdown(undersentAb(false))]) {
      expect(text.split('\n').filter((l) => l.includes(UNDERSENT_LEGEND))).toHaveLength(1);
    }
    expect(formatDuplexTable(buildDuplexResult())).not.toContain(UNDERSENT_LEGEND);
    expect(formatDuplexMarkdown(buildDuplexResult())).not.toContain(UNDERSENT_LEGEND);
  });

  it('puts the verdict line in the Markdown too', () => {
    expect(formatDuplexMarkdown(undersentAb(false)).split('\n')).toContain(formatVerdict(undersentAb(false)));
  });

  it('marks the row and prints one warning line in the table', () => {
    const text = formatDuplexTable(undersentAb(false));
    expect(tableRow(text, 'A→B')[0]).toBe('A→B !');
    expect(tableRow(text, 'B→A')[0]).toBe('B→A');
    const lines = undersentLines(text);
    expect(lines).toEqual([
      'warning [undersent]: A→B undersent: offered 300,000/s, sent 82,700/s (28 %) — the sender, not the network, was the limit; loss figures describe a lower rate',
    ]);
  });

  it('marks the row and prints one warning line in the Markdown', () => {
    const markdown = formatDuplexMarkdown(undersentAb(false));
    expect(markdownRow(markdown, 'A→B')[0]).toBe('A→B !');
    const lines = undersentLines(markdown);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^- warning `undersent`: A→B undersent: offered 300,000\/s, sent 82,700\/s \(28 %\) — the sender, not the network, was the limit/);
  });

  it('prints the run\'s own undersent warning instead of a second copy', () => {
    for (const text of [formatDuplexTable(undersentAb(true)), formatDuplexMarkdown(undersentAb(true))]) {
      const lines = undersentLines(text);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('A→B: the sender emitted 82,700/s of 300,000/s offered (28 %)');
    }
  });

  it('marks the sent rate UNDERSENT in a comparison, with the offered rate beside it', () => {
    const text = formatComparison([{ label: 'base', result: buildDuplexResult() }, { label: 'fast', result: undersentAb(false) }], 'md');
    const ab = text.slice(text.indexOf('**A→B**'), text.indexOf('**B→A**'));
    expect(ab).toMatch(/\| offered pps \| 10\.0k \| 300k \|/);
    expect(ab).toMatch(/\| sent pps \| 10\.0k \| 82\.7k UNDERSENT \|/);
  });

  it('writes offeredPps and undersent to the CSV', () => {
    const row = csvRows(formatDuplexCsv(undersentAb(false)))[0] ?? {};
    expect(row['offeredPps']).toBe('300000');
    expect(row['undersent']).toBe('true');
  });

  it('keeps a decimal for low rates, so the figures never contradict the share', () => {
    const d = undersentAb(false).directions[0]!;
    Object.assign(d, { offeredPps: 1, sentPps: 0.5 });
    expect(undersentMessage(d)).toContain('offered 1/s, sent 0.5/s (50 %)');
  });

  it('follows one 95 % rule', () => {
    expect(MIN_SENT_FRACTION).toBe(0.95);
    expect(isUndersent(94999, 100000)).toBe(true);
    expect(isUndersent(95000, 100000)).toBe(false);
    expect(isUndersent(1, null)).toBe(false); // unpaced: nothing to fall short of
    expect(isUndersent(null, 100000)).toBeNull(); // unknown, not "fine"
  });
});

describe('loss check', () => {
  const expected =
    'B→A loss check disagrees: lost 13,580, by sequence 13,600, kernel drops 13,000 — by sequence 20 more than sent − received: sender callbacks and the wire disagree';

  it('prints a disagreement with the three figures and the note in the table', () => {
    const lines = formatDuplexTable(disagreeingCheck()).split('\n');
    expect(lines).toContain(`warning [check-disagrees]: ${expected}`);
  });

  it('prints a disagreement in the Markdown, and every direction\'s check', () => {
    const markdown = formatDuplexMarkdown(disagreeingCheck());
    const lines = markdown.split('\n');
    expect(lines.filter((l) => l.includes('disagrees') && !l.startsWith('one port each'))).toEqual([`- warning \`check-disagrees\`: ${expected}`]);
    expect(lines).toContain('- loss check A→B: lost 12, by sequence 12, kernel drops 10 — agree');
    expect(lines).toContain(
      '- loss check B→A: lost 13,580, by sequence 13,600, kernel drops 13,000 — DISAGREE (by sequence 20 more than sent − received: sender callbacks and the wire disagree)',
    );
  });

  it('prints a producer\'s own check-disagrees warning once, with the figures', () => {
    const result = disagreeingCheck();
    result.warnings.push({ code: 'check-disagrees', direction: 'B→A', message: 'loss derivations differ', hint: 'see README' });
    const lines = formatDuplexTable(result).split('\n').filter((l) => l.includes('check-disagrees'));
    expect(lines).toEqual([`warning [check-disagrees]: ${expected} (loss derivations differ) (hint: see README)`]);
  });

  it('says "not checked", never "disagrees", for a direction whose loss nobody observed (a side went missing)', () => {
    // As mergeDirection writes it: with lost unknown the check cannot agree.
    const result = unobservedReceiver();
    const ab = result.directions[0]!;
    ab.check = { lostBySequence: null, kernelDrops: null, agree: false, note: 'the receiver did not report; lost is unknown' };
    for (const text of [formatDuplexTable(result), formatDuplexMarkdown(result)]) {
      expect(text.split("\n").filter((l) => /disagree|DISAGREE/.test(l))).toEqual([]);
      expect(text).toMatch(/A→B loss not checked: lost n\/a, by sequence n\/a, kernel drops n\/a — the receiver did not report/);
    }
    expect(formatDuplexMarkdown(result)).toContain('- loss check A→B: lost n/a, by sequence n/a, kernel drops n/a — not checked (the receiver did not report; lost is unknown)');
    expect(formatVerdict(result)).toMatch(/loss not checked for A→B/);
  });

  it('does not warn when the checks agree', () => {
    expect(formatDuplexTable(buildDuplexResult())).not.toMatch(/disagree/);
  });
});

describe('thread modes in the headline', () => {
  it('names each role and mode once, with a count for many clients', () => {
    const result = buildDuplexResult({ mode: 'remote' });
    const a = result.endpoints.find((e) => e.id === 'A')!;
    const b = result.endpoints.find((e) => e.id === 'B')!;
    result.endpoints = [{ ...a, threads: 'single' }, { ...a, threads: 'single', port: 40011 }, { ...a, threads: 'single', port: 40012 }, { ...b, threads: 'split' }];
    expect(formatThreads(result)).toBe('threads client A single (×3), listener B split');
  });
});
