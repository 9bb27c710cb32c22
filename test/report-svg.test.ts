import { describe, it, expect } from 'vitest';
import { escapeXml, niceTicks, renderLossChart, renderRunChart } from '../src/report/svg.js';
import { buildDuplexResult } from './report-fixture.js';

interface Element {
  name: string;
  attributes: Record<string, string>;
  /** Text directly inside the element, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  // Any `&` must start one of the five predefined entities (or a numeric one).
  return text.replace(/&([^;]*);|&/g, (_match, name: string | undefined) => {
    if (name === undefined) throw new Error('bare & in text');
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) throw new Error(`unknown entity &${name};`);
    return value;
  });
}

/**
 * A deliberately small XML well-formedness check: an XML declaration, then one
 * root element; tags balanced; attributes quoted, unique and entity-clean; no
 * stray `<` or `&` in text. Returns every element in document order.
 */
function parseXml(xml: string): Element[] {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/;
  if (!declaration.test(xml)) throw new Error('missing XML declaration');
  const body = xml.replace(declaration, '');
  const elements: Element[] = [];
  const stack: Element[] = [];
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let rootClosed = false;
  for (const m of body.matchAll(token)) {
    const [, closing, name, attributeText, selfClosing, text, strayLt] = m;
    if (strayLt !== undefined) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (text !== undefined) {
      const decoded = decode(text);
      if (stack.length === 0) {
        if (decoded.trim() !== '') throw new Error('text outside the root element');
      } else {
        const top = stack[stack.length - 1];
        if (top !== undefined) top.text += decoded;
      }
      continue;
    }
    if (name === undefined) continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    if (rootClosed || (stack.length === 0 && elements.length > 0)) throw new Error('more than one root element');
    const attributes: Record<string, string> = {};
    for (const a of (attributeText ?? '').matchAll(/([\w.:-]+)="([^"]*)"/g)) {
      const [, key = '', value = ''] = a;
      if (key in attributes) throw new Error(`duplicate attribute ${key} on <${name}>`);
      attributes[key] = decode(value);
    }
    const element: Element = { name, attributes, text: '' };
    elements.push(element);
    if (selfClosing !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.map((e) => e.name).join('> <')}>`);
  if (!rootClosed) throw new Error('no root element');
  return elements;
}

const seriesOf = (elements: Element[]): string[] =>
  elements.filter((e) => e.name === 'path' && 'data-series' in e.attributes).map((e) => e.attributes['data-series'] ?? '');
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

  it('sorts points by achieved rate', () => {
    const elements = parseXml(renderLossChart(series, 't'));
    const d = elements.find((e) => e.attributes['data-series'] === 'A→B')?.attributes['d'] ?? '';
    const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(3);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
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
