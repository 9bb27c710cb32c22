/**
 * One-way delay across machines in the printers: a remote run whose peer's
 * clock was estimated by probes (`latencyUs.method: 'estimated-offset'`)
 * shows the estimate's bound beside its delay percentiles, the queueing
 * delay (above its base: the idle probe delay or the run's smallest one-way
 * delay, whichever is less), and a line saying how the
 * clock was estimated (offset, drift, bound) — in the terminal table (within
 * 80 columns), the Markdown and the HTML; the CSV appends the figures as
 * columns; the SVG run chart gets a one-way delay panel. A local run
 * (`shared-clock`) prints as before, apart from that panel.
 */
import { describe, it, expect } from 'vitest';
import { formatDuplexTable } from '../src/report/table.js';
import { formatDuplexMarkdown } from '../src/report/markdown.js';
import { CSV_HEADER, formatDuplexCsv } from '../src/report/csv.js';
import { renderRunChart } from '../src/report/svg.js';
import { renderResults } from '../src/report/render.js';
import type { DirectionResult, DuplexResult, FrameResult } from '../src/result/types.js';
import { buildDuplexResult, buildMediaResult, buildRemoteDelayResult } from './report-fixture.js';
import { csvRows, parseCsv } from './csv-parse.js';
import { parseXml, type XmlElement } from './xml.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l.replace(ANSI, '')].length));
/** Wrapped lines joined back into one text (continuation indents dropped), to find a sentence whatever the width. */
const unwrapped = (text: string): string => text.split('\n').map((l) => l.trim()).join(' ');

const NEW_COLUMNS = ['delayMethod', 'clockOffsetUs', 'clockDriftPpm', 'delayBoundUs', 'queueingP50Us', 'queueingP99Us', 'queueingBaseUs', 'idleProbeUs'];

/** The table row whose first cell is `label` (a transposed table's figure), split into trimmed cells. */
function tableRow(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`│ ${label} `));
  if (line === undefined) throw new Error(`no row ${label}`);
  return line.split('│').slice(1, -1).map((c) => c.trim());
}

/** The base fixture as a local run that records the method (`shared-clock`) and one-way delay per second. */
function localWithDelays(): DuplexResult {
  const result = buildDuplexResult();
  const ab = result.directions[0] as DirectionResult;
  ab.latencyUs = { ...ab.latencyUs, method: 'shared-clock' };
  const means = [40, 52, 47, null, 45];
  ab.intervals = ab.intervals.map((s, i) => ({ ...s, delayMeanUs: means[i] ?? null, delayMaxUs: means[i] === null ? null : 900 + i }));
  return result;
}


/** A CSV field back to the JSON value it came from: empty is `null`. */
const num = (field: string | undefined): number | null => (field === undefined || field === '' ? null : Number(field));


/** The markers of the marker group of a series (`data-marker-series` for a line with markers, `data-series` for markers only). */
function markersOf(svg: string, attribute: 'data-marker-series' | 'data-series', label: string): number {
  const group = new RegExp(`<g class="markers" ${attribute}="${label}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1];
  if (group === undefined) return 0;
  return (group.match(/<(circle|rect|path) /g) ?? []).length;
}

const isFigure = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

describe('terminal table', () => {
  it('shows the bound beside the delay and a queueing row, within 80 columns', () => {
    const text = formatDuplexTable(buildRemoteDelayResult(), { width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(tableRow(text, 'delay µs p50/p99')).toEqual(['delay µs p50/p99', '78/1,631 ±665', '95/900 ±665']);
    expect(tableRow(text, 'queueing µs p50/p99')).toEqual(['queueing µs p50/p99', '31/1,584', '40/845']);
    // The queueing row right under the delay.
    const labels = text.split('\n').filter((l) => l.startsWith('│ ')).map((l) => l.split('│')[1]?.trim());
    expect(labels.indexOf('queueing µs p50/p99')).toBe(labels.indexOf('delay µs p50/p99') + 1);
  });

  it('says how the clock was estimated, under the table', () => {
    const text = formatDuplexTable(buildRemoteDelayResult(), { width: 80 });
    const line = "one-way delay: listener clock estimated by probes (offset -158 µs, drift 41.4 ppm, ±665 µs); queueing = delay above min(idle probe, run's smallest)";
    expect(unwrapped(text)).toContain(line);
    // On one line when there is room; wrapped without parting a figure from its unit at 80.
    expect(formatDuplexTable(buildRemoteDelayResult()).split('\n')).toContain(line);
    expect(text).not.toMatch(/\d\n\s*(µs|ppm)/);
    // After the direction table, before the endpoints.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('one-way delay:'));
    expect(lines.findIndex((l) => l.startsWith('│ queueing µs'))).toBeLessThan(at);
    expect(lines.findIndex((l) => l.includes('address:port'))).toBeGreaterThan(at);
  });

  it('fits every width and colours nothing but escapes', () => {
    for (const width of [120, 80, 60, 40]) {
      const text = formatDuplexTable(buildRemoteDelayResult(), { width });
      expect(widest(text), `width ${width}`).toBeLessThanOrEqual(width);
      expect(unwrapped(text)).toContain('±665');
      expect(formatDuplexTable(buildRemoteDelayResult(), { width, color: true }).replace(ANSI, '')).toBe(text);
    }
  });

  it('adds the queueing column after the delay in the full layout', () => {
    const text = formatDuplexTable(buildRemoteDelayResult());
    const row = text.split('\n').find((l) => l.startsWith('│ A→B '))?.split('│').slice(1, -1).map((c) => c.trim()) ?? [];
    expect(row.slice(12, 15)).toEqual(['78/1,631 ±665', '31/1,584', '10']);
  });

  it('names each direction when the estimates differ, and n/a for an unobserved queueing delay', () => {
    const result = buildRemoteDelayResult();
    const ba = result.directions[1] as DirectionResult;
    ba.latencyUs = { ...ba.latencyUs, boundUs: 700 };
    ba.queueingDelayUs = null;
    const text = formatDuplexTable(result, { width: 80 });
    expect(unwrapped(text)).toContain('(A→B offset -158 µs, drift 41.4 ppm, ±665 µs; B→A offset -158 µs, drift 41.4 ppm, ±700 µs)');
    expect(tableRow(text, 'queueing µs p50/p99')).toEqual(['queueing µs p50/p99', '31/1,584', 'n/a']);
    expect(tableRow(text, 'delay µs p50/p99')[2]).toBe('95/900 ±700');
  });

  it('shows n/a without a bound when the receiver\'s figures are missing', () => {
    const result = buildRemoteDelayResult();
    (result.directions[0] as DirectionResult).observedBy = 'sender';
    const text = formatDuplexTable(result, { width: 80 });
    expect(tableRow(text, 'delay µs p50/p99')[1]).toBe('n/a');
    expect(tableRow(text, 'queueing µs p50/p99')[1]).toBe('n/a');
  });

  it('puts the bound on an estimated frame delay', () => {
    const result = buildMediaResult();
    result.mode = 'remote';
    for (const d of result.directions) {
      const f = d.frames as FrameResult;
      f.delayUs = { ...f.delayUs, method: 'estimated-offset', offsetUs: -158, driftPpm: 41.4, boundUs: 665 };
    }
    const text = formatDuplexTable(result, { width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(tableRow(text, 'frame delay µs p50/p99/max')).toEqual(['frame delay µs p50/p99/max', '52/212/201,500 ±665', '1,830/9,870/203,400 ±665']);
    expect(formatDuplexMarkdown(result)).toContain('| frame delay p50/p90/p99/max µs | 52/70/212/201,500 ±665 | 1,830/4,120/9,870/203,400 ±665 |');
  });
});

describe('Markdown and HTML', () => {
  it('Markdown: ± bound in the direction table, a one-way delay section with the queueing row, and the method line', () => {
    const md = formatDuplexMarkdown(buildRemoteDelayResult());
    expect(md).toContain('| delay (or rtt) p50/p99 µs | queueing p50/p99 µs | kernel drops |');
    expect(md).toContain('| 0.012 | 78/1,631 ±665 | 31/1,584 | 10 |');
    expect(md).toContain('**One-way delay**');
    expect(md).toContain('| one-way delay p50/p90/p99/max µs | 78/410/1,631/4,210 ±665 | 95/300/900/2,500 ±665 |');
    expect(md).toContain('| queueing delay p50/p99 µs | 31/1,584 | 40/845 |');
    expect(md).toContain("| queueing base µs (the smaller of idle and the run's smallest) | 47 | 55 |");
    expect(md).toContain('| idle one-way delay µs (half the best probe round trip) | 62 | 62 |');
    expect(md).toContain("- one-way delay: listener clock estimated by probes (offset -158 µs, drift 41.4 ppm, ±665 µs); queueing = delay above min(idle probe, run's smallest)");
  });

  it('HTML: the same figures and the one-way delay panel, nothing fetched', () => {
    const page = renderResults([{ label: 'remote', result: buildRemoteDelayResult() }], 'html');
    expect(page).toContain('<th>queueing p50/p99 µs</th>');
    expect(page).toContain('<td class="n">78/1,631 ±665</td><td class="n">31/1,584</td>');
    expect(page).toContain('<p><strong>One-way delay</strong></p>');
    expect(page).toContain('<tr><td>one-way delay p50/p90/p99/max µs</td><td class="n">78/410/1,631/4,210 ±665</td><td class="n">95/300/900/2,500 ±665</td></tr>');
    expect(page).toContain('<tr><td>queueing delay p50/p99 µs</td><td class="n">31/1,584</td><td class="n">40/845</td></tr>');
    expect(page).toContain('<p>one-way delay: listener clock estimated by probes (offset -158 µs, drift 41.4 ppm, ±665 µs); queueing = delay above min(idle probe, run&#39;s smallest)</p>');
    expect(page).toMatch(/<figure><svg [^>]*viewBox[\s\S]*class="panel"[\s\S]*One-way delay per second \(± 665 µs\)/);
    expect(page).not.toMatch(/https?:\/\//);
  });
});

describe('CSV', () => {
  it('appends the one-way delay columns after every existing one', () => {
    const at = CSV_HEADER.indexOf('stallTotalMs') + 1;
    expect(CSV_HEADER.slice(at, at + NEW_COLUMNS.length)).toEqual(NEW_COLUMNS);
    // Only the media-quality columns (issue 23) were appended after them, starting with the RTP stream's.
    expect(CSV_HEADER[at + NEW_COLUMNS.length]).toBe('rtpSsrc');
  });

  it('carries the JSON figures exactly', () => {
    const result = buildRemoteDelayResult();
    const rows = csvRows(formatDuplexCsv(result));
    result.directions.forEach((d, i) => {
      const row = rows[i] ?? {};
      expect(row['delayMethod']).toBe('estimated-offset');
      expect(num(row['clockOffsetUs'])).toBe(d.latencyUs.offsetUs);
      expect(num(row['clockDriftPpm'])).toBe(d.latencyUs.driftPpm);
      expect(num(row['delayBoundUs'])).toBe(d.latencyUs.boundUs);
      expect(num(row['queueingP50Us'])).toBe(d.queueingDelayUs?.p50);
      expect(num(row['queueingP99Us'])).toBe(d.queueingDelayUs?.p99);
      expect(num(row['queueingBaseUs'])).toBe(d.queueingDelayUs?.baseUs);
      expect(num(row['idleProbeUs'])).toBe(d.queueingDelayUs?.idleProbeUs);
      expect(num(row['latencyP50Us'])).toBe(d.latencyUs.p50);
    });
    expect(rows[0]?.['clockOffsetUs']).toBe('-158');
  });

  it('writes null and absent figures as empty fields', () => {
    const result = buildRemoteDelayResult();
    const ba = result.directions[1] as DirectionResult;
    ba.queueingDelayUs = { p50: null, p99: null, baseUs: 55, idleProbeUs: 62 };
    const ab = result.directions[0] as DirectionResult;
    ab.queueingDelayUs = null;
    const rows = csvRows(formatDuplexCsv(result));
    for (const key of ['queueingP50Us', 'queueingP99Us', 'queueingBaseUs', 'idleProbeUs']) expect(rows[0]?.[key], key).toBe('');
    expect(rows[1]?.['queueingP50Us']).toBe('');
    expect(rows[1]?.['queueingBaseUs']).toBe('55');
    // A result from before the method was recorded: every new column empty.
    for (const row of csvRows(formatDuplexCsv(buildDuplexResult()))) for (const key of NEW_COLUMNS) expect(row[key], key).toBe('');
    // A local run: the method only.
    const local = csvRows(formatDuplexCsv(localWithDelays()));
    expect(local[0]?.['delayMethod']).toBe('shared-clock');
    for (const key of NEW_COLUMNS.slice(1)) expect(local[0]?.[key], key).toBe('');
  });
});

describe('SVG run chart', () => {
  it('adds a one-way delay panel with the bound in its title, as a well-formed SVG', () => {
    const svg = renderRunChart(buildRemoteDelayResult());
    const elements = parseXml(svg);
    expect(elements[0]?.attributes['width']).toBe('800');
    const panels = elements.filter((e) => e.name === 'g' && e.attributes['class'] === 'panel');
    expect(panels).toHaveLength(2);
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(expect.arrayContaining(['One-way delay per second (± 665 µs)', 'one-way delay, ms', 'A→B one-way mean', 'A→B one-way max', 'B→A one-way mean', 'B→A one-way max']));
    const below = Number(/^translate\(0 (\d+)\)$/.exec(panels[1]?.attributes['transform'] ?? '')?.[1]);
    expect(below).toBeGreaterThan(300);
    expect(Number(elements[0]?.attributes['height'])).toBeGreaterThan(below + 300);
  });

  it('marks the mean of each second with a figure, breaks its line at a gap, and marks the largest', () => {
    const result = buildRemoteDelayResult();
    const svg = renderRunChart(result);
    const elements = parseXml(svg);
    for (const d of result.directions) {
      const label = `${d.from}→${d.to}`;
      const means = d.intervals.filter((s) => isFigure(s.delayMeanUs));
      const maxima = d.intervals.filter((s) => isFigure(s.delayMaxUs));
      expect(means.length).toBe(d.intervals.length - 1);
      expect(markersOf(svg, 'data-marker-series', `${label} one-way mean`)).toBe(means.length);
      expect(markersOf(svg, 'data-series', `${label} one-way max`)).toBe(maxima.length);
      const path = elements.find((e) => e.name === 'path' && e.attributes['data-series'] === `${label} one-way mean`)?.attributes['d'] ?? '';
      expect([...path.matchAll(/[ML][\d.]+ [\d.]+/g)]).toHaveLength(means.length);
    }
    // A→B lacks its 3rd second: two pieces; B→A its last: one.
    const pieces = (label: string): number => (elements.find((e) => e.attributes['data-series'] === label)?.attributes['d'] ?? '').split('M').length - 1;
    expect(pieces('A→B one-way mean')).toBe(2);
    expect(pieces('B→A one-way mean')).toBe(1);
  });

  it('stacks both delay panels for a framed run with one-way delays', () => {
    const result = buildMediaResult();
    for (const d of result.directions) d.intervals = d.intervals.map((s, i) => ({ ...s, delayMeanUs: 100 + i, delayMaxUs: 900 + i }));
    const elements = parseXml(renderRunChart(result));
    expect(elements.filter((e) => e.attributes['class'] === 'panel')).toHaveLength(3);
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(expect.arrayContaining(['One-way delay per second', 'Frame delay, largest per second', 'frame delay max, ms', 'one-way delay, ms']));
    // The footer once, under the last panel.
    expect(elements.filter((e) => e.attributes['class'] === 'footer')).toHaveLength(1);
  });
});

describe('a local run (shared clock)', () => {
  it('prints its table, Markdown and HTML tables exactly as before', () => {
    const before = buildDuplexResult();
    const now = localWithDelays();
    expect(formatDuplexTable(now)).toBe(formatDuplexTable(before));
    expect(formatDuplexTable(now, { width: 80 })).toBe(formatDuplexTable(before, { width: 80 }));
    expect(formatDuplexMarkdown(now)).toBe(formatDuplexMarkdown(before));
    expect(formatDuplexTable(now)).not.toMatch(/±|queueing|one-way delay:/);
  });

  it('writes the same CSV but for the method', () => {
    const before = parseCsv(formatDuplexCsv(buildDuplexResult()));
    const now = parseCsv(formatDuplexCsv(localWithDelays()));
    const method = CSV_HEADER.indexOf('delayMethod');
    expect(now.map((r) => r.filter((_, i) => i !== method))).toEqual(before.map((r) => r.filter((_, i) => i !== method)));
  });

  it('gets the one-way delay panel, without a bound, only when intervals carry the delay', () => {
    const svg = renderRunChart(localWithDelays());
    const elements = parseXml(svg);
    expect(elements.filter((e) => e.attributes['class'] === 'panel')).toHaveLength(2);
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('One-way delay per second');
    expect(svg).not.toContain('±');
    expect(markersOf(svg, 'data-marker-series', 'A→B one-way mean')).toBe(4);
    // No direction with a figure, no series for it.
    expect(svg).not.toContain('B→A one-way');
    // Without the per-second delay the chart is the single chart it was.
    const plain = localWithDelays();
    for (const d of plain.directions) d.intervals = d.intervals.map((s) => ({ ...s, delayMeanUs: null, delayMaxUs: null }));
    expect(renderRunChart(plain)).toBe(renderRunChart(buildDuplexResult()));
  });
});
