/**
 * Every figure README.md quotes in its headline and performance sections must
 * come from a published result file in results/ (issue 9): either a value some
 * results/*.json holds, at the precision it is printed with, or a calculation
 * printed beside it (`a / b = c`) whose operands do and whose result is right.
 *
 * Reads whatever README.md says and whatever results/ holds, so it keeps
 * working after scripts/publish-results.sh re-runs the benchmarks; then the
 * README's figures have to be updated to the new files, or this fails and
 * names them. No network, no sockets.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCorpus, formatUntraceable, sectionsByHeading, traceText, type Corpus } from './readme-trace.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'results');

/** The sections whose figures are checked; found by heading text, not position. */
const CHECKED_HEADINGS: readonly RegExp[] = [/headline/i, /performance/i, /many clients/i, /sizing a receive buffer/i, /will my call sound right/i];

function loadResults(): Corpus {
  const docs = new Map<string, unknown>();
  // Only the published files: results/runs/ is a gitignored scratch folder.
  for (const file of readdirSync(RESULTS).filter((f) => f.endsWith('.json')).sort()) {
    docs.set(file, JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) as unknown);
  }
  return buildCorpus(docs);
}

function checkedText(markdown: string): string[] {
  return CHECKED_HEADINGS.flatMap((h) => sectionsByHeading(markdown, h));
}

describe('README figures trace to results/', () => {
  it('finds the headline and performance sections and their tables', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const h of CHECKED_HEADINGS) {
      const sections = sectionsByHeading(readme, h);
      expect(sections.length, `no README section heading matches ${h}`).toBeGreaterThan(0);
      // A section without a table means the figures moved and this test would check nothing.
      expect(sections.some((s) => /^\s*\|.*\|\s*$/m.test(s)), `no table under a heading matching ${h}`).toBe(true);
    }
  });

  it('every figure there is in some results/*.json or computed from ones that are', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const corpus = loadResults();
    const reports = checkedText(readme).map((s) => traceText(s, corpus));
    const traced = reports.flatMap((r) => r.traced);
    const untraceable = reports.flatMap((r) => r.untraceable);
    // Guard against an extraction that silently finds nothing.
    expect(traced.length + untraceable.length).toBeGreaterThan(10);
    if (untraceable.length > 0) {
      process.stderr.write(`README figures not found in results/:\n${formatUntraceable(untraceable)}\n`);
    }
    expect(untraceable, `README figures not found in results/:\n${formatUntraceable(untraceable)}`).toEqual([]);
  });
});

describe('the tracer itself', () => {
  // A made-up corpus and README, so the test proves it can fail.
  const corpus = buildCorpus(
    new Map<string, unknown>([
      ['run.json', { config: { sizeBytes: 64 }, directions: [{ receivedPps: 194256.4, lossPercent: 0.004 }], environment: { nodeVersion: 'v20.20.2' } }],
      ['perf.json', { searches: [{ ratePps: 191095 }, { ratePps: 302500 }, { ratePps: 363243 }], memory: { growthBytes: 290816 }, micro: { nsPerOp: 126.17 } }],
    ]),
  );
  const snippet = [
    '# tool',
    '',
    '## Headline',
    '',
    'On Node 20.20, see [run](results/run.md) and `--rate 100k`, RFC 2544 §26.1:',
    '',
    '| test | A→B |',
    '| --- | --- |',
    '| 64 B flood | 194,256/s, 0.00 % lost |',
    '| made up | 123,457/s |',
    '| [renamed](results/gone-64B.md) | 194,256/s |',
    '',
    '## Usage',
    '',
    '| option | 999,999 is not checked here |',
    '',
    '## Performance',
    '',
    '| target | measured |',
    '| --- | --: |',
    '| aggregate | 2 × 191,095 / 363,243 = **1.05** |',
    '| wrong ratio | 191,095 / 302,500 = **0.70** |',
    '| memory | **0.3 MB**, handler **126 ns**, per op **2.3 µs** |',
  ].join('\n');

  const report = checkedText(snippet)
    .map((s) => traceText(s, corpus))
    .reduce((a, b) => ({ traced: [...a.traced, ...b.traced], untraceable: [...a.untraceable, ...b.untraceable] }));
  const bad = report.untraceable.map((u) => u.figure);

  it('reports a made-up figure, a wrong ratio and an unsourced micro figure', () => {
    expect(bad).toEqual(['results/gone-64B.md', '123,457', '0.70', '2.3 µs']);
    expect(formatUntraceable(report.untraceable)).toContain('123,457');
  });

  it('traces rounded figures, units and the operands of a calculation', () => {
    const ok = report.traced.map((t) => t.figure);
    expect(ok).toEqual(expect.arrayContaining(['194,256', '0.00 %', '20.20', '0.3 MB', '126 ns', '191,095', '302,500', '363,243']));
    expect(report.traced.find((t) => t.figure === '194,256')?.files).toEqual(['run.json']);
  });

  it('ignores link targets, code, RFC numbers and sections not checked', () => {
    const all = [...report.traced, ...report.untraceable].map((t) => t.figure);
    for (const noise of ['2544', '26.1', '100k', '999,999']) expect(all).not.toContain(noise);
  });
});
