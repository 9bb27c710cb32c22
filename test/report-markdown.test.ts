import { describe, it, expect } from 'vitest';
import { formatDuplexMarkdown } from '../src/report/markdown.js';
import { buildDuplexResult } from './report-fixture.js';
import { expectGolden } from './report-golden.js';

/** Cells of the Markdown table row of `direction`. */
function rowCells(markdown: string, direction: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${direction} |`));
  if (line === undefined) throw new Error(`no row for ${direction}`);
  return line.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, ''));
}

const count = (cell: string | undefined): number => Number((cell ?? '').replace(/,/g, ''));

describe('formatDuplexMarkdown', () => {
  it('matches the golden report of the fixture', () => {
    expectGolden(formatDuplexMarkdown(buildDuplexResult()), 'duplex-markdown.md');
  });

  it('carries the same figures as the JSON result', () => {
    const result = buildDuplexResult();
    const markdown = formatDuplexMarkdown(result);
    for (const d of result.directions) {
      const cells = rowCells(markdown, `${d.from}→${d.to}`);
      expect(cells).toHaveLength(15);
      expect(count(cells[1])).toBe(d.sent);
      expect(count(cells[2])).toBe(d.received);
      expect(count(cells[3])).toBe(d.lost);
      expect(Number.parseFloat(cells[4] ?? '')).toBeCloseTo(d.lossPercent, 2);
      expect(count(cells[13])).toBe(d.kernelDrops);
    }
  });

  it('has a header, an alignment row and an environment line', () => {
    const lines = formatDuplexMarkdown(buildDuplexResult()).split('\n');
    const header = lines.findIndex((l) => l.startsWith('| direction |'));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^\| :-- (\| --: ){14}\|$/);
    expect(lines).toContain(
      'node v20.20.2 · Linux 6.8.0-49-generic · AMD EPYC 7B13 (8 CPUs, x64) · threads split · 64 B datagrams · rcvbuf 4 MiB → 416 KiB',
    );
  });

  it('escapes text that would break the Markdown', () => {
    const result = buildDuplexResult();
    result.environment.cpuModel = 'Weird | *CPU*';
    result.warnings = [{ code: 'x', message: 'a <b> c', hint: 'echo `id`' }];
    const markdown = formatDuplexMarkdown(result);
    expect(markdown).toContain('Weird \\| \\*CPU\\*');
    expect(markdown).toContain('a \\<b\\> c');
    // CommonMark: a longer fence, padded with a space since the code ends with a backtick.
    expect(markdown).toContain('hint: `` echo `id` ``');
  });
});
