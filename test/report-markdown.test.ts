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

  it('lists each endpoint with both socket buffers, requested → effective', () => {
    const markdown = formatDuplexMarkdown(buildDuplexResult());
    expect(markdown).toContain('| endpoint | address | threads | rcvbuf (requested → effective) | sndbuf (requested → effective) |');
    expect(markdown).toContain('| A | 127.0.0.1:40001 | split | 4 MiB → 416 KiB | default → 208 KiB |');
    expect(markdown).toContain('| B | 127.0.0.1:40002 | split | 4 MiB → 416 KiB | default → 208 KiB |');
  });

  it('shows the CPU time of every thread of each endpoint, with its event-loop utilisation', () => {
    const markdown = formatDuplexMarkdown(buildDuplexResult());
    expect(markdown).toContain('| endpoint | thread | CPU user ms | CPU system ms | event loop busy |');
    expect(markdown).toContain('| A | sender | 812 | 2,950 | 71.00 % |');
    expect(markdown).toContain('| A | receiver | 1,430 | 2,210 | 93.00 % |');
    expect(markdown).toContain('| B | sender | 1,920 | 3,010 | 99.00 % |');
    expect(markdown).toContain('| B | receiver | 210 | 480 | 12.00 % |');
    const result = buildDuplexResult();
    const thread = result.endpoints[0]?.cpu[0];
    if (thread !== undefined) thread.eventLoopUtilization = null;
    expect(formatDuplexMarkdown(result)).toContain('| A | sender | 812 | 2,950 | n/a |');
  });

  it('puts both machines side by side for a remote run, and no peer table for a local one', () => {
    expect(formatDuplexMarkdown(buildDuplexResult())).not.toContain('| environment |');
    const result = buildDuplexResult({ mode: 'remote' });
    result.peerEnvironment = {
      ...result.environment,
      hostname: 'lab2',
      nodeVersion: 'v24.1.0',
      cpuModel: 'Intel Xeon',
      cpuCount: 4,
      sysctls: { 'net.core.rmem_max': '8388608', 'net.ipv4.udp_mem': '1 2 3' },
    };
    const markdown = formatDuplexMarkdown(result);
    expect(markdown).toContain('| environment | this side (lab1) | peer (lab2) |');
    expect(markdown).toContain('| node | v20.20.2 | v24.1.0 |');
    expect(markdown).toContain('| CPU | AMD EPYC 7B13 (8 CPUs, x64) | Intel Xeon (4 CPUs, x64) |');
    expect(markdown).toContain('| net.core.rmem\\_max | 212992 | 8388608 |');
    // A sysctl only one side reported: n/a on the other.
    expect(markdown).toContain('| net.ipv4.udp\\_mem | n/a | 1 2 3 |');
  });
});
