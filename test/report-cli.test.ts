import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { buildDuplexResult } from './report-fixture.js';
import { parseXml } from './xml.js';

/** Well-formed by the strict checker the chart tests use (test/xml.ts). */
function wellFormed(xml: string): boolean {
  try {
    parseXml(xml);
    return true;
  } catch {
    return false;
  }
}

describe('bench report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  const run1 = join(dir, 'run-208k.json');
  const run2 = join(dir, 'run-4m.json');
  const sweep = join(dir, 'sweep.json');
  const search = join(dir, 'search.json');

  beforeAll(async () => {
    writeFileSync(run1, JSON.stringify(buildDuplexResult()));
    const second = buildDuplexResult();
    second.directions[0]!.lost = 0;
    second.directions[0]!.received = second.directions[0]!.sent;
    writeFileSync(run2, JSON.stringify(second));
    // Real, tiny sweep and search results.
    const s = await runCli(['sweep', '--rcvbuf', '208k,1m', '--rate', '2k', '--duration', '1', '--out', sweep, '--no-progress', '--json']);
    expect(s.code).toBe(0);
    const f = await runCli(['duplex', '--find-max', '--ceiling', '4k', '--floor', '1k', '--trial-duration', '0.5', '--max-trials', '2', '--out', search, '--no-progress', '--json']);
    expect(f.code).toBe(0);
  });

  it.each(['table', 'md', 'csv', 'json'])('renders a run, a sweep and a search as %s', async (format) => {
    for (const file of [run1, sweep, search]) {
      const r = await runCli(['report', file, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(50);
      expect(r.stdout).not.toMatch(/\u001b\[/); // no colour codes
      if (format === 'json') expect(JSON.parse(r.stdout).kind).toBe(JSON.parse(readFileSync(file, 'utf8')).kind);
    }
  });

  it('puts two runs side by side with the difference of each figure', async () => {
    const r = await runCli(['report', run1, run2, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('run-208k');
    expect(r.stdout).toContain('run-4m');
    expect(r.stdout).toMatch(/-12 \(-100\.0 %\)|−12|-12/); // A→B lost went from 12 to 0
  });

  it('heads side-by-side columns with --label, one per file in order, and refuses more labels than files', async () => {
    const r = await runCli(['report', run1, run2, '--format', 'md', '--label', 'before', '--label', 'after']);
    expect(r.code).toBe(0);
    const header = r.stdout.split('\n').find((l) => l.startsWith('| figure |'));
    expect(header).toContain('before (baseline)');
    expect(header).toContain('| after |');
    expect(header).toContain('Δ after');
    expect(r.stdout).not.toContain('run-208k');
    // Fewer labels than files: the rest keep their file names.
    const one = await runCli(['report', run1, run2, '--format', 'md', '--label', 'before']);
    expect(one.stdout).toContain('before (baseline)');
    expect(one.stdout).toContain('run-4m');
    const many = await runCli(['report', run1, '--label', 'a', '--label', 'b']);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('--label');
  });

  it('writes a well-formed SVG chart for a run and for a sweep', async () => {
    const svgRun = join(dir, 'run.svg');
    const svgSweep = join(dir, 'sweep.svg');
    expect((await runCli(['report', run1, '--chart', svgRun])).code).toBe(0);
    expect((await runCli(['report', sweep, '--chart', svgSweep])).code).toBe(0);
    const a = readFileSync(svgRun, 'utf8');
    const b = readFileSync(svgSweep, 'utf8');
    expect(wellFormed(a)).toBe(true);
    expect(wellFormed(b)).toBe(true);
    expect(a).toContain('data-series="A→B received"');
    expect(a).toContain('time (s)');
    // Loss is plotted at the rate the sender achieved, one line per setting and direction.
    expect(b).toContain('achieved (sent) rate (datagrams/s)');
    expect(b).toContain('loss (%)');
    // Legends name the effective buffer, with the requested one in brackets.
    expect(b).toMatch(/data-series="rcvbuf [^"(]+ \(asked 208 KiB\), A→B"/);
  });

  it('refuses a file that is not a result, or from a newer schema, with one line and exit 2', async () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, JSON.stringify({ hello: 'world' }));
    const newer = join(dir, 'newer.json');
    writeFileSync(newer, JSON.stringify({ ...buildDuplexResult(), schemaVersion: 99 }));
    for (const [file, re] of [
      [junk, /not a result file/],
      [newer, /newer version \(schema 99\)/],
      [join(dir, 'missing.json'), /cannot read/],
    ] as const) {
      const r = await runCli(['report', file]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});
