/**
 * Real-time media figures in the printers: frames of framed patterns, frame
 * delay, bursts, the receive queue peak beside the receive buffer, pacing
 * error and stalls — in the terminal table (within 80 columns), the
 * Markdown, the CSV (appended columns that parse back to the JSON), the SVG
 * run chart (a frame delay panel, broken where an interval has no figure)
 * and the HTML. Results without these fields print as before (the golden
 * files of the other report tests hold that).
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { formatDuplexTable } from '../src/report/table.js';
import { formatDuplexMarkdown } from '../src/report/markdown.js';
import { CSV_HEADER, formatDuplexCsv } from '../src/report/csv.js';
import { renderRunChart } from '../src/report/svg.js';
import { renderResults } from '../src/report/render.js';
import { hasMedia, patternLabel } from '../src/report/media.js';
import type { DirectionResult, DuplexResult, FrameResult } from '../src/result/types.js';
import { buildDuplexResult, buildMediaResult } from './report-fixture.js';
import { csvRows } from './csv-parse.js';
import { parseXml } from './xml.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const widest = (text: string): number => Math.max(...text.split('\n').map((l) => [...l.replace(ANSI, '')].length));

/** The media fixture with B→A's receiver figures of frames missing (`null`), as a partial result writes them. */
function unobservedFrames(): DuplexResult {
  const result = buildMediaResult();
  const ba = result.directions[1] as DirectionResult;
  ba.frames = {
    ...(ba.frames as FrameResult),
    complete: null,
    incomplete: null,
    partial: null,
    sentByEndMarker: null,
    lossPercent: null,
    delayUs: { p50: null, p90: null, p99: null, max: null, note: "n/a: the receiver's figures did not arrive" },
  };
  return result;
}

/** The media fixture as a `--clients 2` run: each client has the fixture's two directions. */
function withClients(): DuplexResult {
  const result = buildMediaResult();
  result.config.clients = 2;
  const copy = (): DirectionResult[] => structuredClone(result.directions);
  const second = copy();
  const f = second[1]?.frames;
  if (f) Object.assign(f, { complete: 130, incomplete: 20, partial: 15, lossPercent: (20 / 150) * 100 });
  result.peers = [
    { index: 1, address: '127.0.0.1', port: 40011, directions: copy() },
    { index: 2, address: '127.0.0.1', port: 40012, directions: second },
  ];
  result.fairness = { abJain: 1, baJain: 0.998 };
  return result;
}

/** A plain cbr run that carries only the pacing error (per turn) and the receive queue peak. */
function cbrWithQueues(): DuplexResult {
  const result = buildDuplexResult();
  result.config.patternAb = { kind: 'cbr' };
  result.config.patternBa = { kind: 'cbr' };
  for (const d of result.directions) {
    d.frames = null;
    d.stalls = null;
    d.pacingErrorUs = { p50: 3, p99: 45, max: 210, per: 'turn' };
    d.rxQueuePeak = { bytes: 421888, datagrams: 549, truesizeBytes: 768, rcvbufEffectiveBytes: 425984, sampleIntervalMs: 10, samples: 500 };
  }
  return result;
}

/** The cells of the row of a (full or transposed) terminal table whose first cell is `name`. */
function tableRow(text: string, name: string): string[] {
  const line = text.split('\n').find((l) => l.replace(ANSI, '').startsWith(`│ ${name} `) && l.replace(ANSI, '').split('│')[1]?.trim() === name);
  if (line === undefined) throw new Error(`no row ${name}`);
  return line.replace(ANSI, '').split('│').slice(1, -1).map((c) => c.trim());
}

describe('patternLabel', () => {
  it('names each pattern in one line', () => {
    const result = buildMediaResult();
    expect(patternLabel(undefined)).toBe('cbr');
    expect(patternLabel({ kind: 'cbr' })).toBe('cbr');
    expect(patternLabel(result.config.patternAb)).toBe('voice 20 ms 160 B');
    expect(patternLabel(result.config.patternBa)).toBe('video 30 fps 2.5 Mbit/s key ×5 every 2 s');
    const offered = { datagramsPerSecond: 120, bitsPerSecond: 1e6, framesPerSecond: 30, maxFrameDatagrams: 4, maxFrameBytes: 4800 };
    expect(patternLabel({ kind: 'trace', file: 'foo.csv', rows: 120, periodMs: 1000, offered })).toBe('trace foo.csv (120 rows, 1 s loop)');
    expect(patternLabel({ kind: 'trace', file: 'a.csv', rows: 3, periodMs: 40, offered })).toBe('trace a.csv (3 rows, 40 ms loop)');
  });

  it('tells results with media fields from those without', () => {
    expect(hasMedia(buildDuplexResult())).toBe(false);
    expect(hasMedia(buildMediaResult())).toBe(true);
    expect(hasMedia(cbrWithQueues())).toBe(true);
  });
});

describe('terminal table', () => {
  it.each([80, 100, 160])('fits %i columns, with and without colour', (width) => {
    for (const result of [buildMediaResult(), unobservedFrames(), withClients(), cbrWithQueues()]) {
      expect(widest(formatDuplexTable(result, { width }))).toBeLessThanOrEqual(width);
      expect(widest(formatDuplexTable(result, { width, color: true }))).toBeLessThanOrEqual(width);
    }
  });

  it('colour changes nothing but the escapes', () => {
    const result = buildMediaResult();
    expect(formatDuplexTable(result, { width: 80, color: true }).replace(ANSI, '')).toBe(formatDuplexTable(result, { width: 80 }));
  });

  it('shows frames, frame loss and delay, burst, queue peak against rcvbuf, pacing and stalls per direction', () => {
    const text = formatDuplexTable(buildMediaResult(), { width: 80 });
    // Two directions, many figures: at 80 columns a row per figure, a column per direction.
    expect(tableRow(text, 'frames sent')).toEqual(['frames sent', '250', '150']);
    expect(tableRow(text, 'frames complete')).toEqual(['frames complete', '248', '141']);
    expect(tableRow(text, 'frames lost')).toEqual(['frames lost', '2 (0 partial)', '9 (7 partial)']);
    expect(tableRow(text, 'frame loss %')).toEqual(['frame loss %', '0.80 %', '6.00 %']);
    expect(tableRow(text, 'frame delay µs p50/p99/max')).toEqual(['frame delay µs p50/p99/max', '52/212/201,500', '1,830/9,870/203,400']);
    expect(tableRow(text, 'datagrams/frame p50/max')).toEqual(['datagrams/frame p50/max', '1/1', '2/38']);
    expect(tableRow(text, 'largest frame')).toEqual(['largest frame', '160 B', '43.8 KiB']);
    expect(tableRow(text, 'rx queue peak / rcvbuf')).toEqual(['rx queue peak / rcvbuf', '24 KiB / 416 KiB', '412 KiB / 416 KiB']);
    expect(tableRow(text, 'rx queue datagrams')).toEqual(['rx queue datagrams', '≈32', '≈183']);
    expect(tableRow(text, 'send late µs p50/p99/max')).toEqual(['send late µs p50/p99/max', '12/85/430', '25/310/2,900']);
    expect(tableRow(text, 'receiver stalls')).toEqual(['receiver stalls', '2, max 201.3 ms', '2, max 200.8 ms']);
  });

  it('names the patterns and the stall in the headline, and what each pattern offers', () => {
    const text = formatDuplexTable(buildMediaResult());
    const headline = text.split('\n')[0] ?? '';
    expect(headline).toBe(
      'bench duplex: local, threads split, 5 s (+1 s omitted), A→B voice 20 ms 160 B, B→A video 30 fps 2.5 Mbit/s key ×5 every 2 s, stall 200 ms every 2 s — complete',
    );
    expect(text).toContain('B→A video 30 fps 2.5 Mbit/s key ×5 every 2 s: offers 271 datagrams/s, 2.50 Mbit/s, 30 frames/s, largest frame 38 datagrams (43.8 KiB)');
  });

  it('a cbr direction beside a framed one keeps its size and rate in the headline', () => {
    const result = buildMediaResult();
    result.config.patternBa = { kind: 'cbr' };
    result.config.rateBaText = '10k';
    expect(formatDuplexTable(result).split('\n')[0]).toContain('A→B voice 20 ms 160 B, B→A 64 B datagrams at 10k, stall 200 ms every 2 s');
  });

  it('prints n/a, never 0, for frame figures nobody observed', () => {
    const text = formatDuplexTable(unobservedFrames(), { width: 80 });
    expect(tableRow(text, 'frames sent')).toEqual(['frames sent', '250', '150']);
    expect(tableRow(text, 'frames complete')[2]).toBe('n/a');
    expect(tableRow(text, 'frames lost')[2]).toBe('n/a');
    expect(tableRow(text, 'frame loss %')[2]).toBe('n/a');
    expect(tableRow(text, 'frame delay µs p50/p99/max')[2]).toBe('n/a');
    // A receiver that was not heard from: its frame figures are n/a whatever the file says.
    const partial = buildMediaResult();
    (partial.directions[0] as DirectionResult).observedBy = 'sender';
    const row = tableRow(formatDuplexTable(partial, { width: 80 }), 'frames complete');
    expect(row[1]).toBe('n/a');
  });

  it('a cbr run shows its queue peak and pacing error only, and its usual headline', () => {
    const text = formatDuplexTable(cbrWithQueues(), { width: 80 });
    expect(text.split('\n')[0]).toBe('bench duplex: local, threads split, 64 B datagrams, 5 s (+1 s omitted), rate A→B');
    expect(text).not.toContain('frames');
    expect(text).toMatch(/│ A→B │ 412 KiB \/ 416 KiB │\s+≈549 │\s+3\/45\/210 │/);
    expect(text).toContain('per pacing turn (cbr)');
  });

  it('adds nothing for a result without the media fields', () => {
    const plain = formatDuplexTable(buildDuplexResult(), { width: 80 });
    expect(plain).not.toMatch(/frame|rx queue|send late|stall/);
  });
});

describe('Markdown', () => {
  it('has a "Frames and queues" table with every figure, a column per direction', () => {
    const md = formatDuplexMarkdown(buildMediaResult());
    expect(md).toContain('**Frames and queues**');
    expect(md).toContain('| figure | A→B | B→A |');
    expect(md).toContain('| frames sent | 250 | 150 |');
    expect(md).toContain('| frames sent (by end marker) | 250 | 150 |');
    expect(md).toContain('| frames incomplete | 2 | 9 |');
    expect(md).toContain('| of which partial | 0 | 7 |');
    expect(md).toContain('| frame loss % | 0.80 % | 6.00 % |');
    expect(md).toContain('| frame delay p50/p90/p99/max µs | 52/70/212/201,500 | 1,830/4,120/9,870/203,400 |');
    expect(md).toContain('| datagrams per frame p50/max | 1/1 | 2/38 |');
    expect(md).toContain('| largest frame | 160 B | 43.8 KiB |');
    expect(md).toContain('| rx queue peak / rcvbuf effective | 24 KiB / 416 KiB | 412 KiB / 416 KiB |');
    expect(md).toContain('| rx queue peak share of rcvbuf | 6 % | 99 % |');
    expect(md).toContain('| send late p50/p99/max µs | 12/85/430 (per datagram) | 25/310/2,900 (per datagram) |');
    expect(md).toContain('| receiver stalls | 2, max 201.3 ms, total 400.9 ms | 2, max 200.8 ms, total 401.2 ms |');
  });

  it('names each direction\'s pattern and its offer in the config section, without a size that does not apply', () => {
    const md = formatDuplexMarkdown(buildMediaResult());
    expect(md).toContain('- pattern A→B voice 20 ms 160 B: offers 50 datagrams/s, 64.0 kbit/s, 50 frames/s, largest frame 1 datagram (160 B)');
    const env = md.split('\n').find((l) => l.startsWith('node '));
    expect(env).toBe('node v20.20.2 · Linux 6.8.0-49-generic · AMD EPYC 7B13 (8 CPUs, x64) · threads split · rcvbuf 4 MiB → 416 KiB');
  });

  it('prints n/a for unobserved frame figures, and the frame delay note', () => {
    const md = formatDuplexMarkdown(unobservedFrames());
    expect(md).toContain('| frames complete | 248 | n/a |');
    expect(md).toContain('| frame loss % | 0.80 % | n/a |');
    expect(md).toContain('| frame delay p50/p90/p99/max µs | 52/70/212/201,500 | n/a |');
    expect(md).toContain("- frame delay B→A: n/a: the receiver's figures did not arrive");
  });

  it('has a compact per-client frames table with --clients', () => {
    const md = formatDuplexMarkdown(withClients());
    expect(md).toContain('| client | A→B frame loss | A→B frame delay p50/p99/max µs | A→B rx queue peak / rcvbuf | B→A frame loss | B→A frame delay p50/p99/max µs | B→A rx queue peak / rcvbuf |');
    expect(md).toContain('| A1 | 0.80 % (2 of 250) | 52/212/201,500 | 24 KiB / 416 KiB | 6.00 % (9 of 150) | 1,830/9,870/203,400 | 412 KiB / 416 KiB |');
    expect(md).toContain('| A2 | 0.80 % (2 of 250) | 52/212/201,500 | 24 KiB / 416 KiB | 13.33 % (20 of 150) |');
  });

  it('adds nothing for a result without the media fields', () => {
    expect(formatDuplexMarkdown(buildDuplexResult())).not.toMatch(/Frames and queues|pattern|frame delay/);
  });
});


const MEDIA_COLUMNS = [
  'framesSent', 'framesComplete', 'framesIncomplete', 'framesPartial', 'frameLossPercent',
  'frameDelayP50Us', 'frameDelayP90Us', 'frameDelayP99Us', 'frameDelayMaxUs',
  'burstDatagramsP50', 'burstDatagramsMax', 'burstBytesMax',
  'pacingErrorP50Us', 'pacingErrorP99Us', 'pacingErrorMaxUs',
  'rxQueuePeakBytes', 'rxQueuePeakDatagrams', 'stallCount', 'stallMaxMs', 'pattern',
  'framesSentByEndMarker', 'pacingErrorPer', 'stallTotalMs',
];

/** A CSV field back to the JSON value it came from: empty is `null`. */
const num = (field: string | undefined): number | null => (field === undefined || field === '' ? null : Number(field));

describe('CSV', () => {
  it('appends the media columns after every existing one', () => {
    const client = CSV_HEADER.indexOf('client');
    expect(client).toBe(41);
    expect(CSV_HEADER.slice(client + 1, client + 1 + MEDIA_COLUMNS.length)).toEqual(MEDIA_COLUMNS);
  });

  it('carries the JSON figures exactly', () => {
    const result = buildMediaResult();
    const rows = csvRows(formatDuplexCsv(result));
    result.directions.forEach((d, i) => {
      const row = rows[i] ?? {};
      const f = d.frames as FrameResult;
      expect(num(row['framesSent'])).toBe(f.sent);
      expect(num(row['framesComplete'])).toBe(f.complete);
      expect(num(row['framesIncomplete'])).toBe(f.incomplete);
      expect(num(row['framesPartial'])).toBe(f.partial);
      expect(num(row['frameLossPercent'])).toBe(f.lossPercent);
      expect(num(row['frameDelayP50Us'])).toBe(f.delayUs.p50);
      expect(num(row['frameDelayP90Us'])).toBe(f.delayUs.p90);
      expect(num(row['frameDelayP99Us'])).toBe(f.delayUs.p99);
      expect(num(row['frameDelayMaxUs'])).toBe(f.delayUs.max);
      expect(num(row['burstDatagramsP50'])).toBe(f.burst?.datagramsP50);
      expect(num(row['burstDatagramsMax'])).toBe(f.burst?.datagramsMax);
      expect(num(row['burstBytesMax'])).toBe(f.burst?.bytesMax);
      expect(num(row['pacingErrorP50Us'])).toBe(d.pacingErrorUs?.p50);
      expect(num(row['pacingErrorP99Us'])).toBe(d.pacingErrorUs?.p99);
      expect(num(row['pacingErrorMaxUs'])).toBe(d.pacingErrorUs?.max);
      expect(num(row['rxQueuePeakBytes'])).toBe(d.rxQueuePeak?.bytes);
      expect(num(row['rxQueuePeakDatagrams'])).toBe(d.rxQueuePeak?.datagrams);
      expect(num(row['stallCount'])).toBe(d.stalls?.count);
      expect(num(row['stallMaxMs'])).toBe(d.stalls?.maxMs);
      expect(num(row['stallTotalMs'])).toBe(d.stalls?.totalMs);
      expect(num(row['framesSentByEndMarker'])).toBe(f.sentByEndMarker);
      expect(row['pacingErrorPer']).toBe('datagram');
    });
    expect(rows[0]?.['pattern']).toBe('voice 20 ms 160 B');
    expect(rows[1]?.['pattern']).toBe('video 30 fps 2.5 Mbit/s key ×5 every 2 s');
  });

  it('writes null and absent figures as empty fields', () => {
    const ba = csvRows(formatDuplexCsv(unobservedFrames()))[1] ?? {};
    for (const key of ['framesComplete', 'framesIncomplete', 'framesPartial', 'frameLossPercent', 'frameDelayP50Us', 'frameDelayMaxUs', 'framesSentByEndMarker']) {
      expect(ba[key], key).toBe('');
    }
    expect(ba['framesSent']).toBe('150');
    // A result before patterns: every media column empty (pattern too: the file does not say).
    for (const row of csvRows(formatDuplexCsv(buildDuplexResult()))) for (const key of MEDIA_COLUMNS) expect(row[key], key).toBe('');
    // cbr: no frames, but pacing and the queue peak.
    const cbr = csvRows(formatDuplexCsv(cbrWithQueues()))[0] ?? {};
    expect(cbr['framesSent']).toBe('');
    expect(cbr['pattern']).toBe('cbr');
    expect(cbr['pacingErrorPer']).toBe('turn');
    expect(cbr['rxQueuePeakBytes']).toBe('421888');
  });

  it('quotes a trace name with a comma, and gives each client its rows', () => {
    const result = buildMediaResult();
    result.config.patternAb = { kind: 'trace', file: 'cam "1", day.csv', rows: 120, periodMs: 1000, offered: { datagramsPerSecond: 1, bitsPerSecond: 1, framesPerSecond: 1, maxFrameDatagrams: 1, maxFrameBytes: 1 } };
    expect(csvRows(formatDuplexCsv(result))[0]?.['pattern']).toBe('trace cam "1", day.csv (120 rows, 1 s loop)');
    const rows = csvRows(formatDuplexCsv(withClients()));
    expect(rows).toHaveLength(6);
    expect(rows[5]?.['client']).toBe('A2');
    expect(rows[5]?.['framesIncomplete']).toBe('20');
  });
});


describe('SVG run chart', () => {
  it('adds a frame delay panel under the rates, on its own axis, as a well-formed SVG 800 px wide', () => {
    const svg = renderRunChart(buildMediaResult());
    const elements = parseXml(svg);
    expect(elements[0]?.name).toBe('svg');
    expect(elements[0]?.attributes['width']).toBe('800');
    expect(elements.filter((e) => e.name === 'g' && e.attributes['class'] === 'panel')).toHaveLength(2);
    const texts = elements.filter((e) => e.name === 'text').map((e) => e.text);
    expect(texts).toEqual(expect.arrayContaining(['frame delay max, ms', 'datagrams/s', 'A→B frame delay max', 'B→A frame delay max']));
    // The second panel starts where the first ends, inside the root's height.
    const below = Number(/^translate\(0 (\d+)\)$/.exec(elements.filter((e) => e.attributes['class'] === 'panel')[1]?.attributes['transform'] ?? '')?.[1]);
    expect(below).toBeGreaterThan(300);
    expect(Number(elements[0]?.attributes['height'])).toBeGreaterThan(below + 300);
  });

  it('plots a point per interval with a frame delay, and breaks the line where one has none', () => {
    const result = buildMediaResult();
    const svg = renderRunChart(result);
    const elements = parseXml(svg);
    for (const d of result.directions) {
      const label = `${d.from}→${d.to} frame delay max`;
      const withDelay = d.intervals.filter((s) => s.frameDelayMaxUs !== null && s.frameDelayMaxUs !== undefined);
      const path = elements.find((e) => e.name === 'path' && e.attributes['data-series'] === label)?.attributes['d'] ?? '';
      const moves = [...path.matchAll(/([ML])([\d.]+) ([\d.]+)/g)];
      expect(moves).toHaveLength(withDelay.length);
      // One interval without a figure: the line starts again after it (never drawn through it, never at 0).
      expect(moves.filter((m) => m[1] === 'M')).toHaveLength(2);
      // Every point marked, so one between two gaps shows.
      const group = new RegExp(`<g class="markers" data-marker-series="${label}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
      expect(group.match(/<(circle|rect|path) /g)).toHaveLength(withDelay.length);
    }
    // The 201.5 ms second is drawn far above the 0.31 ms one (SVG y grows downwards).
    const ab = elements.find((e) => e.attributes['data-series'] === 'A→B frame delay max')?.attributes['d'] ?? '';
    const ys = [...ab.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBeGreaterThan((ys[1] ?? 0) + 100);
  });

  it('stays a single chart without frame delays', () => {
    for (const result of [buildDuplexResult(), cbrWithQueues(), buildMediaResult()]) {
      for (const d of result.directions) for (const s of d.intervals) s.frameDelayMaxUs = null;
      const svg = renderRunChart(result);
      expect(svg).not.toContain('class="panel"');
      expect(svg).not.toContain('frame delay');
    }
  });

  const rsvg = spawnSync('rsvg-convert', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!rsvg)('renders to a PNG of both panels\' height with rsvg-convert', () => {
    const svg = renderRunChart(buildMediaResult());
    const png = spawnSync('rsvg-convert', ['--format', 'png'], { input: svg, maxBuffer: 16 * 1024 * 1024 });
    expect(png.status).toBe(0);
    const height = (png.stdout as Buffer).readUInt32BE(20);
    expect((png.stdout as Buffer).readUInt32BE(16)).toBe(800);
    expect(height).toBe(Number(/<svg [^>]*height="(\d+)"/.exec(svg)?.[1]));
    expect(height).toBeGreaterThan(800);
  });
});

describe('HTML', () => {
  it('holds the frames and queues table, the patterns and the two-panel chart', () => {
    const page = renderResults([{ label: 'media', result: buildMediaResult() }], 'html');
    expect(page).toContain('<strong>Frames and queues</strong>');
    expect(page).toContain('<tr><td>frame loss %</td><td class="n">0.80 %</td><td class="n">6.00 %</td></tr>');
    expect(page).toContain('<li>pattern A→B voice 20 ms 160 B: offers 50 datagrams/s');
    expect(page).toMatch(/<figure><svg [^>]*viewBox[\s\S]*class="panel"[\s\S]*frame delay max, ms/);
    expect(page).not.toMatch(/https?:\/\//);
  });

  it('escapes a hostile trace name', () => {
    const result = buildMediaResult();
    result.config.patternAb = { kind: 'trace', file: '<script>x</script>', rows: 1, periodMs: 20, offered: { datagramsPerSecond: 1, bitsPerSecond: 1, framesPerSecond: 1, maxFrameDatagrams: 1, maxFrameBytes: 1 } };
    const page = renderResults([{ label: 'media', result }], 'html');
    expect(page).not.toContain('<script>');
    expect(page).toContain('trace &lt;script&gt;x&lt;/script&gt;');
    expect(formatDuplexMarkdown(result)).toContain('trace \\<script\\>x\\</script\\>');
  });

  it('adds nothing for a result without the media fields', () => {
    const page = renderResults([{ label: 'plain', result: buildDuplexResult() }], 'html');
    expect(page).not.toMatch(/Frames and queues|class="panel"/);
  });
});
