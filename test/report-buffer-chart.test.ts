/**
 * The frame-loss-against-receive-buffer chart of a framed-pattern sweep over
 * `--rcvbuf` (renderBufferChart), rendered from the published
 * results/sweep-video-rcvbuf-stall.json, and the generic loss-against-rate
 * chart's x axis, which never goes below 0 however its markers are fanned out.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseResultFile } from '../src/result/read.js';
import { prefersBufferChart, renderChart } from '../src/report/render.js';
import { bufferChartSeries, renderBufferChart, renderLossChart, type LossSeries } from '../src/report/svg.js';
import type { SweepResult } from '../src/result/types.js';
import { parseXml, type XmlElement } from './xml.js';

const VIDEO_FILE = fileURLToPath(new URL('../results/sweep-video-rcvbuf-stall.json', import.meta.url));
const CBR_FILE = fileURLToPath(new URL('../results/sweep-clients-1-4-16.json', import.meta.url));

function readSweep(file: string): SweepResult {
  const result = parseResultFile(readFileSync(file, 'utf8'), file);
  if (result.kind !== 'sweep') throw new Error(`${file} is not a sweep`);
  return result;
}

type Element = XmlElement;

const inGroup = (e: Element, test: (g: Element) => boolean): boolean => e.parent !== null && e.parent.name === 'g' && test(e.parent);

/** The plot's left and right edge: the x axis line. */
function plotEdges(elements: Element[]): { left: number; right: number } {
  const axis = elements.find((e) => e.name === 'line' && inGroup(e, (g) => g.attributes['class'] === 'axes'));
  return { left: Number(axis?.attributes['x1']), right: Number(axis?.attributes['x2']) };
}

/** The x extent of a marker or the x coordinates of a path. */
function xExtent(e: Element): number[] {
  const a = e.attributes;
  if (e.name === 'circle') return [Number(a['cx']) - Number(a['r']), Number(a['cx']) + Number(a['r'])];
  if (e.name === 'rect') return [Number(a['x']), Number(a['x']) + Number(a['width'])];
  if (e.name === 'path') return [...(a['d'] ?? '').matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => Number(m[1]));
  throw new Error(`not a marker: <${e.name}>`);
}

/** The centre x of a marker. */
function centreX(e: Element): number {
  const xs = xExtent(e);
  return (Math.min(...xs) + Math.max(...xs)) / 2;
}

/** `5k` → 5000, `-1.5M` → -1500000, `0` → 0. */
function tickValue(label: string): number {
  const m = /^(-?[\d.]+)([kM]?)$/.exec(label.replace('−', '-'));
  if (m === null) throw new Error(`not a tick: ${label}`);
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

/** Markers of the buffer chart: the elements of `<g class="markers" data-series>` groups (marker-only series). */
const isSeriesMarkers = (g: Element): boolean => g.name === 'g' && g.attributes['class'] === 'markers' && 'data-series' in g.attributes;
const bufferMarkers = (elements: Element[]): Element[] => elements.filter((e) => inGroup(e, isSeriesMarkers));
const legendTexts = (elements: Element[]): string[] => elements.filter((e) => e.name === 'text' && inGroup(e, (g) => g.attributes['class'] === 'legend')).map((e) => e.text);
const titleOf = (svg: string): string | undefined => parseXml(svg).find((e) => e.name === 'title')?.text;

describe('renderBufferChart: the published video sweep over rcvbuf, clients and stalls', () => {
  const sweep = readSweep(VIDEO_FILE);
  const svg = renderBufferChart(sweep);
  const elements = parseXml(svg);
  /** Cells whose run has A→B frame figures: each is one point. */
  const withFrames = sweep.cells.filter((c) => (c.run?.directions.find((d) => d.from === 'A')?.frames?.lossPercent ?? null) !== null);

  it('is a well-formed standalone SVG, 800 px wide, titled for A→B (client → server)', () => {
    expect(elements[0]?.name).toBe('svg');
    expect(Number(elements[0]?.attributes['width'])).toBe(800);
    expect(titleOf(svg)).toBe('Frame loss against receive buffer, A→B (client → server)');
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toContain('A→B frame loss (%)');
    expect(texts.some((t) => t.startsWith('receive buffer of B, the A→B receiver'))).toBe(true);
  });

  it('has one legend entry per (clients, stall) pair', () => {
    const pairs = new Set(sweep.cells.map((c) => `${c.clients ?? 1}/${JSON.stringify(c.stall ?? null)}`));
    expect(pairs.size).toBe(9);
    const legend = legendTexts(elements);
    expect(legend).toHaveLength(9);
    expect(new Set(legend).size).toBe(9);
    expect(legend).toEqual(expect.arrayContaining(['1 client, no stall', '20 clients, no stall', '50 clients, stall 100 ms/1 s', '20 clients, stall 20 ms/1 s']));
  });

  it('plots one marker per cell with frame figures, and no line between the measured buffers', () => {
    expect(withFrames).toHaveLength(36);
    expect(bufferMarkers(elements)).toHaveLength(withFrames.length);
    // A line through 64k…4m would draw loss at buffers nobody measured.
    const lines = elements.filter((e) => e.name === 'path' && 'data-series' in e.attributes);
    expect(lines).toHaveLength(0);
  });

  it('gives every series its own combination of colour and marker shape', () => {
    const groups = elements.filter(isSeriesMarkers);
    expect(groups).toHaveLength(9);
    // A marker's kind: circle, rect, or a path told apart by its number of corners.
    const kind = (e: Element | undefined): string => (e?.name === 'path' ? `path/${(e.attributes['d'] ?? '').split('L').length}` : (e?.name ?? ''));
    const styles = groups.map((g) => `${g.attributes['fill']} ${kind(elements.find((e) => e.parent === g))}`);
    expect(new Set(styles).size).toBe(9);
  });

  it('keeps every x coordinate inside the plot area', () => {
    const { left, right } = plotEdges(elements);
    expect(left).toBeLessThan(right);
    const drawn = bufferMarkers(elements);
    const xs = drawn.flatMap(xExtent);
    expect(xs.length).toBeGreaterThan(36);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(left);
      expect(x).toBeLessThanOrEqual(right);
    }
  });

  it('ticks the x axis at the effective sizes swept, on a log scale, with the size asked for under each', () => {
    const ticks = elements.filter((e) => e.name === 'text' && inGroup(e, (g) => g.attributes['class'] === 'ticks') && e.attributes['text-anchor'] === 'middle');
    const labels = ticks.filter((t) => t.attributes['class'] !== 'tick-sublabel');
    expect(labels.map((t) => t.text)).toEqual(['128 KiB', '416 KiB', '2 MiB', '8 MiB']);
    expect(ticks.filter((t) => t.attributes['class'] === 'tick-sublabel').map((t) => t.text)).toEqual(['asked 64 KiB', 'asked 208 KiB', 'asked 1 MiB', 'asked 4 MiB']);
    // log2: 128 KiB → 2 MiB is 4 doublings, 2 MiB → 8 MiB 2: twice the distance.
    const x = labels.map((t) => Number(t.attributes['x']));
    const [a = 0, , c = 0, d = 0] = x;
    expect((c - a) / (d - c)).toBeCloseTo(2, 1);
  });

  it('keeps the points at 0 % visible: series that meet are drawn side by side, and the plot says so', () => {
    // At 8 MiB every series lost nothing: nine markers on the baseline, none hiding another.
    const at8MiB = sweep.cells.filter((c) => c.rcvbufBytes === 4194304);
    expect(at8MiB.every((c) => c.run?.directions.find((d) => d.from === 'A')?.frames?.lossPercent === 0)).toBe(true);
    const markers = bufferMarkers(elements);
    const rightmost = Math.max(...markers.map(centreX));
    const cluster = markers.map(centreX).filter((x) => x > rightmost - 80).sort((p, q) => p - q);
    expect(cluster).toHaveLength(9);
    for (let i = 1; i < cluster.length; i++) expect((cluster[i] ?? 0) - (cluster[i - 1] ?? 0)).toBeGreaterThanOrEqual(7);
    const notes = elements.filter((e) => e.name === 'text' && inGroup(e, (g) => g.attributes['class'] === 'plot-note')).map((e) => e.text);
    expect(notes.join(' ')).toMatch(/apart sideways/);
  });

  it('names the other direction\'s worst frame loss, and carries the machine footer', () => {
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts.some((t) => t.includes('B→A frame loss at most 0.58 %'))).toBe(true);
    const footer = elements.find((e) => e.name === 'text' && e.attributes['class'] === 'footer')?.text;
    expect(footer).toMatch(/^.+ × \d+ CPUs · Node v[\d.]+ · 36 cells, 108 s measured, \d+ s in all · udp-duplex-lab /);
  });
});

describe('renderBufferChart: cells it cannot plot, escaping', () => {
  it('skips cells without a run or without frame figures, and says how many', () => {
    const sweep = readSweep(VIDEO_FILE);
    const noRun = sweep.cells[0];
    const noFrames = sweep.cells[5]?.run?.directions.find((d) => d.from === 'A');
    if (noRun === undefined || noFrames === undefined) throw new Error('fixture');
    noRun.run = null;
    noRun.error = 'could not start';
    noFrames.frames = null;
    expect(bufferChartSeries(sweep).series.flatMap((s) => s.points)).toHaveLength(34);
    const elements = parseXml(renderBufferChart(sweep));
    expect(bufferMarkers(elements)).toHaveLength(34);
    expect(legendTexts(elements)).toHaveLength(9);
    const notes = elements.filter((e) => e.name === 'text' && inGroup(e, (g) => g.attributes['class'] === 'plot-note')).map((e) => e.text);
    expect(notes).toContain('2 cells without frame figures not shown');
  });

  it('escapes text from the result file', () => {
    const sweep = readSweep(VIDEO_FILE);
    sweep.environment = { ...sweep.environment, cpuModel: 'CPU <"fast"> & \'cheap\'' };
    const elements = parseXml(renderBufferChart(sweep));
    expect(elements.find((e) => e.attributes['class'] === 'footer')?.text).toMatch(/^CPU <"fast"> & 'cheap' × /);
  });
});

describe('renderChart picks the chart that answers the sweep', () => {
  it('frame loss against buffer for a framed-pattern sweep over rcvbuf', () => {
    const sweep = readSweep(VIDEO_FILE);
    expect(prefersBufferChart(sweep)).toBe(true);
    expect(titleOf(renderChart(sweep))).toBe('Frame loss against receive buffer, A→B (client → server)');
  });

  it('loss against rate for a cbr sweep', () => {
    const sweep = readSweep(CBR_FILE);
    expect(prefersBufferChart(sweep)).toBe(false);
    expect(titleOf(renderChart(sweep))).toBe('Loss against achieved (sent) rate, per direction and setting');
  });

  it('loss against rate for a framed sweep over a single buffer', () => {
    const sweep = readSweep(VIDEO_FILE);
    sweep.cells = sweep.cells.filter((c) => c.rcvbufBytes === 65536);
    sweep.axes = { ...sweep.axes, rcvbufBytes: [65536] };
    expect(prefersBufferChart(sweep)).toBe(false);
    expect(titleOf(renderChart(sweep))).toMatch(/^Loss against achieved \(sent\) rate/);
  });
});

describe('the loss-against-rate chart never has a negative rate axis', () => {
  /** x tick values, the grid lines' and the markers' x, and the plot edges of a loss chart. */
  function axisOf(svg: string): { ticks: number[]; markers: Element[]; markerXs: number[]; gridXs: number[]; left: number; right: number } {
    const elements = parseXml(svg);
    const ticks = elements
      .filter((e) => e.name === 'text' && inGroup(e, (g) => g.attributes['class'] === 'ticks') && e.attributes['text-anchor'] === 'middle')
      .map((e) => tickValue(e.text));
    const markers = elements.filter((e) => inGroup(e, (g) => g.attributes['class'] === 'markers' || g.attributes['class'] === 'flagged'));
    const gridXs = elements.filter((e) => e.name === 'line' && inGroup(e, (g) => g.attributes['class'] === 'grid') && e.attributes['x1'] === e.attributes['x2']).map((e) => Number(e.attributes['x1']));
    return { ticks, markers, markerXs: markers.flatMap(xExtent), gridXs, ...plotEdges(elements) };
  }

  it('starts at 0 when many series overlap at a low rate, and keeps the fanned markers inside the plot', () => {
    // Eight settings measured at ~280 datagrams/s and at ~14k, all without loss: their markers fan out sideways.
    const series: LossSeries[] = Array.from({ length: 8 }, (_, i) => ({
      label: `rcvbuf ${i}`,
      points: [
        { sentPps: 280 + i, offeredPps: 283, lossPercent: 0, undersent: false },
        { sentPps: 13600 + i * 10, offeredPps: 13700, lossPercent: i, undersent: false },
      ],
    }));
    const { ticks, markers, markerXs, gridXs, left, right } = axisOf(renderLossChart(series, 'low rate'));
    expect(ticks.length).toBeGreaterThan(1);
    expect(Math.min(...ticks)).toBe(0);
    expect(markers).toHaveLength(8 * 2);
    for (const x of [...markerXs, ...gridXs]) {
      expect(x).toBeGreaterThanOrEqual(left);
      expect(x).toBeLessThanOrEqual(right);
    }
    // Still fanned: the eight low-rate markers are not drawn on top of each other.
    const low = markers.map(centreX).filter((x) => x < left + 100);
    expect(low).toHaveLength(8);
    expect(new Set(low.map((x) => Math.round(x))).size).toBe(8);
  });

  it('starts at 0 for the published video sweep drawn as a cbr one (the case that went to −5k)', () => {
    const sweep = readSweep(VIDEO_FILE);
    for (const c of sweep.cells) if (c.run !== null) c.run.config = { ...c.run.config, patternAb: { kind: 'cbr' }, patternBa: { kind: 'cbr' } };
    sweep.config = { ...sweep.config, patternAb: { kind: 'cbr' }, patternBa: { kind: 'cbr' } };
    const svg = renderChart(sweep);
    expect(titleOf(svg)).toMatch(/^Loss against achieved \(sent\) rate/);
    const { ticks, markers, markerXs, left, right } = axisOf(svg);
    expect(Math.min(...ticks)).toBe(0);
    // 36 cells × 2 directions.
    expect(markers).toHaveLength(72);
    for (const x of markerXs) {
      expect(x).toBeGreaterThanOrEqual(left);
      expect(x).toBeLessThanOrEqual(right);
    }
  });
});
