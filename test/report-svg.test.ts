import { describe, it, expect } from 'vitest';
import { renderLossChart, renderRunChart, renderSearchChart, VERDICT_COLORS } from '../src/report/svg.js';
import { escapeXml, niceTicks } from '../src/report/chart-kit.js';
import { buildDuplexResult, buildSearchResult } from './report-fixture.js';
import { parseXml, type XmlElement } from './xml.js';

type Element = XmlElement;

const seriesOf = (elements: Element[]): string[] =>
  elements.filter((e) => (e.name === 'path' || e.name === 'g') && 'data-series' in e.attributes).map((e) => e.attributes['data-series'] ?? '');
const footerOf = (elements: Element[]): string | undefined => elements.find((e) => e.name === 'text' && e.attributes['class'] === 'footer')?.text;
const texts = (elements: Element[]): string[] => elements.filter((e) => e.name === 'text').map((e) => e.text);

describe('the XML checker itself', () => {
  it('rejects what is not well-formed', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${head}<svg><g></svg>`)).toThrow();
    expect(() => parseXml(`${head}<svg><text>a & b</text></svg>`)).toThrow();
    expect(() => parseXml(`${head}<svg><text>a < b</text></svg>`)).toThrow();
    expect(() => parseXml(`${head}<svg a="1" a="2"/>`)).toThrow();
    expect(() => parseXml('<svg/>')).toThrow();
    expect(parseXml(`${head}<svg><text>a &amp; b</text></svg>`)[1]?.text).toBe('a & b');
  });
});

describe('renderRunChart', () => {
  it('is a well-formed standalone SVG, about 800 px wide', () => {
    const svg = renderRunChart(buildDuplexResult());
    const elements = parseXml(svg);
    const root = elements[0];
    expect(root?.name).toBe('svg');
    expect(root?.attributes['xmlns']).toBe('http://www.w3.org/2000/svg');
    expect(Number(root?.attributes['width'])).toBe(800);
  });

  it('draws sent and received of both directions, with axis labels, ticks, legend and title', () => {
    const elements = parseXml(renderRunChart(buildDuplexResult()));
    expect(seriesOf(elements)).toEqual(expect.arrayContaining(['A→B sent', 'A→B received', 'B→A sent', 'B→A received']));
    expect(seriesOf(elements)).toHaveLength(4);
    const labels = texts(elements);
    expect(labels).toContain('time (s)');
    expect(labels).toContain('datagrams/s');
    expect(labels).toContain('Datagrams per second, both directions');
    // Tick labels: 0 and 150k on the rate axis (B→A peaks at 124k), 1..5 s on the time axis.
    expect(labels).toEqual(expect.arrayContaining(['0', '50k', '100k', '150k', '1', '5']));
    // Legend: each series named once more, besides its path.
    for (const s of ['A→B sent', 'B→A received']) expect(labels).toContain(s);
  });

  it('plots one point per interval, higher rates higher up', () => {
    const elements = parseXml(renderRunChart(buildDuplexResult()));
    const path = (label: string): number[] => {
      const d = elements.find((e) => e.attributes['data-series'] === label)?.attributes['d'] ?? '';
      return [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => Number(m[2]));
    };
    const abReceived = path('A→B received');
    const baReceived = path('B→A received');
    expect(abReceived).toHaveLength(5);
    expect(baReceived).toHaveLength(5);
    // ~10k vs ~120k datagrams/s: SVG y grows downwards.
    abReceived.forEach((y, i) => expect(y).toBeGreaterThan(baReceived[i] ?? Infinity));
  });

  it('renders axes and a "no data" note without intervals', () => {
    const result = buildDuplexResult();
    for (const d of result.directions) d.intervals = [];
    const elements = parseXml(renderRunChart(result));
    expect(seriesOf(elements)).toEqual([]);
    expect(texts(elements)).toEqual(expect.arrayContaining(['no data', 'time (s)', 'datagrams/s']));
  });
});

describe('renderRunChart: loss and footer', () => {
  it('has a footer with machine, Node version, duration and tool version', () => {
    const footer = footerOf(parseXml(renderRunChart(buildDuplexResult())));
    expect(footer).toBe('AMD EPYC 7B13 × 8 CPUs · Node v20.20.2 · 5 s measured · udp-duplex-lab 0.1.0');
  });

  it('draws the loss of each interval as bars on a secondary axis, skipping intervals whose loss is null', () => {
    const result = buildDuplexResult();
    const ab = result.directions.find((d) => d.from === 'A');
    if (ab === undefined) throw new Error('fixture');
    const withLoss = ab.intervals.filter((s) => (s.lost ?? 0) > 0).length;
    expect(withLoss).toBeGreaterThan(0);
    const svg = renderRunChart(result);
    const bars = (label: string): string[] =>
      [...(new RegExp(`<g class="bars" data-bar-series="${label}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '').matchAll(/<rect class="loss-bar"[^>]*>/g)].map((m) => m[0]);
    expect(bars('A→B lost')).toHaveLength(ab.intervals.length);
    expect(texts(parseXml(svg))).toContain('lost datagrams/s (bars)');
    // An unobserved interval gets no bar (not a bar of 0).
    const second = ab.intervals[1];
    if (second === undefined) throw new Error('fixture');
    second.lost = null;
    const fewer = renderRunChart(result);
    const count = [...(/<g class="bars" data-bar-series="A→B lost"[^>]*>([\s\S]*?)<\/g>/.exec(fewer)?.[1] ?? '').matchAll(/loss-bar/g)].length;
    expect(count).toBe(ab.intervals.length - 1);
    // Taller bars for more loss: the 10-lost interval (2nd) is drawn higher than the 2-lost one (3rd).
    const heights = bars('A→B lost').map((r) => Number(/height="([\d.]+)"/.exec(r)?.[1]));
    expect(heights[1]).toBeGreaterThan(heights[2] ?? Infinity);
  });

  it('says so when no interval lost anything', () => {
    const result = buildDuplexResult();
    for (const d of result.directions) for (const s of d.intervals) s.lost = 0;
    expect(texts(parseXml(renderRunChart(result)))).toContain('no loss in any interval');
  });

  it('names both machines of a remote run when they differ', () => {
    const result = buildDuplexResult({ mode: 'remote' });
    result.peerEnvironment = { ...result.environment, cpuModel: 'Intel Xeon', cpuCount: 4, nodeVersion: 'v24.1.0' };
    expect(footerOf(parseXml(renderRunChart(result)))).toBe(
      'AMD EPYC 7B13 × 8 CPUs / peer Intel Xeon × 4 CPUs · Node v20.20.2 / peer v24.1.0 · 5 s measured · udp-duplex-lab 0.1.0',
    );
  });
});

describe('renderSearchChart', () => {
  it('plots one circle per trial and direction, classed and coloured by verdict, without a line', () => {
    const search = buildSearchResult();
    const svg = renderSearchChart(search);
    const elements = parseXml(svg);
    expect(elements.filter((e) => e.name === 'path' && e.attributes['fill'] === 'none')).toEqual([]);
    const circles = elements.filter((e) => e.name === 'circle' && (e.attributes['class'] ?? '').startsWith('trial '));
    expect(circles).toHaveLength(search.trials.length * 2);
    for (const trial of search.trials) {
      for (const dir of ['ab', 'ba'] as const) {
        const verdict = trial[dir].verdict;
        const matching = circles.filter((c) => c.attributes['class'] === `trial verdict-${verdict} dir-${dir}`);
        expect(matching.length).toBeGreaterThan(0);
        const c = matching[0];
        // Filled for A→B, a ring for B→A (and for unobserved): the verdict colour either way.
        const colour = dir === 'ab' && verdict !== 'unobserved' ? c?.attributes['fill'] : c?.attributes['stroke'];
        expect(colour).toBe(VERDICT_COLORS[verdict]);
      }
    }
    for (const v of ['pass', 'loss', 'undersent', 'unobserved']) expect(texts(elements)).toContain(v);
  });

  it('marks the maximum found per direction with a labelled line at its rate', () => {
    const search = buildSearchResult();
    const elements = parseXml(renderSearchChart(search));
    const labels = texts(elements);
    expect(labels).toContain('A→B max 50.0k (confirmed)');
    expect(labels).toContain('B→A max 40.0k (not confirmed)');
    const marker = elements.findIndex((e) => e.name === 'g' && e.attributes['class'] === 'marker-line max-ab');
    expect(marker).toBeGreaterThan(0);
    const line = elements[marker + 1];
    expect(line?.name).toBe('line');
    // At 50k: right of the 40k marker.
    const baLine = elements[elements.findIndex((e) => e.attributes['class'] === 'marker-line max-ba') + 1];
    expect(Number(line?.attributes['x1'])).toBeGreaterThan(Number(baLine?.attributes['x1']));
  });

  it('has a footer naming trials and duration', () => {
    expect(footerOf(parseXml(renderSearchChart(buildSearchResult())))).toMatch(/^AMD EPYC 7B13 × 8 CPUs · Node v20\.20\.2 · 5 × 2 s trials, \d+ s in all · udp-duplex-lab 0\.1\.0$/);
  });
});

describe('renderLossChart', () => {
  const series = [
    {
      label: 'A→B',
      points: [
        { sentPps: 50000, offeredPps: 50000, lossPercent: 0, undersent: false },
        { sentPps: 10000, offeredPps: 10000, lossPercent: 0, undersent: false },
        { sentPps: 100000, offeredPps: 100000, lossPercent: 2.5, undersent: false },
      ],
    },
    {
      label: 'B→A <rcvbuf "4M" & more>',
      points: [
        { sentPps: 10000, offeredPps: 10000, lossPercent: 0.1, undersent: false },
        { sentPps: 100000, offeredPps: 100000, lossPercent: 7, undersent: false },
      ],
    },
  ];

  it('draws one escaped line per series with labelled axes', () => {
    const svg = renderLossChart(series, 'Loss vs rate <64 B>');
    expect(svg).toContain('data-series="B→A &lt;rcvbuf &quot;4M&quot; &amp; more&gt;"');
    const elements = parseXml(svg);
    expect(seriesOf(elements)).toEqual(['A→B', 'B→A <rcvbuf "4M" & more>']);
    const labels = texts(elements);
    expect(labels).toEqual(expect.arrayContaining(['achieved (sent) rate (datagrams/s)', 'loss (%)', 'Loss vs rate <64 B>', '100k']));
  });

  it('marks each measured point without joining them, one shape per series, coinciding series offset', () => {
    const svg = renderLossChart(series, 't');
    const elements = parseXml(svg);
    // No line suggests a trend between measured rates.
    expect(elements.filter((e) => e.name === 'path' && e.attributes['fill'] === 'none')).toEqual([]);
    const group = (label: string): string => new RegExp(`<g class="markers" data-series="${label}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
    const ab = group('A→B');
    expect(ab.match(/<circle /g)).toHaveLength(3);
    // The second series has another shape (squares), so the two stay apart at 10k where both are near 0 %.
    const ba = /<g class="markers" data-series="B→A &lt;[^>]*>([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(ba.match(/<rect /g)).toHaveLength(2);
    const abX = Math.min(...[...ab.matchAll(/cx="([\d.]+)"/g)].map((m) => Number(m[1])));
    const baX = Math.min(...[...ba.matchAll(/ x="([\d.]+)"/g)].map((m) => Number(m[1]) + 4));
    expect(Math.abs(baX - abX)).toBeGreaterThanOrEqual(4);
  });

  it('carries the footer it is given', () => {
    const elements = parseXml(renderLossChart(series, 't', { footer: 'AMD EPYC × 8 CPUs · Node v22 · 5 s · tool 1' }));
    expect(footerOf(elements)).toBe('AMD EPYC × 8 CPUs · Node v22 · 5 s · tool 1');
  });

  it('renders axes and a "no data" note for empty series', () => {
    for (const input of [[], [{ label: 'A→B', points: [] }]]) {
      const elements = parseXml(renderLossChart(input, 'empty sweep'));
      expect(seriesOf(elements)).toEqual([]);
      expect(texts(elements)).toEqual(expect.arrayContaining(['no data', 'achieved (sent) rate (datagrams/s)', 'loss (%)', 'empty sweep']));
    }
  });
});

describe('helpers', () => {
  it('escapes XML and drops forbidden control characters', () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('picks nice ticks covering the range', () => {
    expect(niceTicks(0, 124000).ticks).toEqual([0, 50000, 100000, 150000]);
    expect(niceTicks(0, 0.3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
