/**
 * Every chart type rendered to PNG by a real SVG renderer (`rsvg-convert`,
 * Debian package librsvg2-bin): the renderer accepts the SVG and the PNG is
 * 800 px wide, of the SVG's height, and not a blank page. Skipped, saying
 * why, where rsvg-convert is not installed.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderChart } from '../src/report/render.js';
import type { AnyResult, SweepResult } from '../src/result/types.js';
import { buildDuplexResult, buildSearchResult } from './report-fixture.js';
import { parseResultFile } from '../src/result/read.js';

/** A published result, read as `bench report` reads it. */
const published = (name: string) => (): AnyResult => parseResultFile(readFileSync(new URL(`../results/${name}`, import.meta.url), 'utf8'), name);

const probe = spawnSync('rsvg-convert', ['--version'], { encoding: 'utf8' });
const available = probe.status === 0;
if (!available) console.log('skipping PNG rendering: rsvg-convert not found (apt-get install librsvg2-bin)');

/** A 2 × 2 sweep (two rcvbuf sizes, two rates), the 60k cells of A→B undersent. */
function sweep(): SweepResult {
  const base = buildDuplexResult();
  const cells = [212992, 4194304].flatMap((rcvbuf, b) =>
    [50000, 60000].map((rate, r) => {
      const run = buildDuplexResult();
      for (const e of run.endpoints) e.rcvbuf = { requested: rcvbuf, effective: rcvbuf * 2 > 425984 ? 425984 : rcvbuf * 2 };
      for (const d of run.directions) {
        d.offeredPps = rate;
        d.sentPps = d.from === 'A' && rate === 60000 ? 34700 : rate;
        d.undersent = d.sentPps < 0.95 * rate;
        d.lossPercent = b === 0 && rate === 60000 ? 2.5 : 0;
      }
      return { index: b * 2 + r, rcvbufBytes: rcvbuf, sndbufBytes: null, sizeBytes: 64, rateText: `${rate / 1000}k`, threads: 'split' as const, run, search: null, error: null };
    }),
  );
  return {
    ...base,
    kind: 'sweep',
    axes: { rcvbufBytes: [212992, 4194304], sndbufBytes: [null], sizeBytes: [64], rates: ['50k', '60k'], threads: ['split'] },
    findMax: null,
    plannedCells: cells.length,
    cells,
  } as SweepResult;
}

const charts: [string, () => AnyResult][] = [
  ['run', () => buildDuplexResult()],
  ['sweep', sweep],
  ['search', buildSearchResult],
  // The two chart kinds of issues 13 and 14, from their published results.
  ['per-client', published('duplex-clients-16-160B.json')],
  ['frame-loss-by-buffer', published('sweep-video-rcvbuf-stall.json')],
];

describe.skipIf(!available)('charts rendered to PNG by rsvg-convert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-png-'));
  for (const [name, build] of charts) {
    it(`renders the ${name} chart to a non-empty PNG`, () => {
      const svg = renderChart(build());
      const svgFile = join(dir, `${name}.svg`);
      const pngFile = join(dir, `${name}.png`);
      writeFileSync(svgFile, svg);
      execFileSync('rsvg-convert', ['-o', pngFile, svgFile]);
      const png = readFileSync(pngFile);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: width and height, big-endian, right after the signature and chunk header.
      expect(png.readUInt32BE(16)).toBe(800);
      expect(png.readUInt32BE(20)).toBe(Number(/height="(\d+)"/.exec(svg)?.[1]));
      // A blank 800 × 400 page compresses to well under 2 KB; text, axes and markers do not.
      expect(png.length).toBeGreaterThan(10000);
    });
  }
});
