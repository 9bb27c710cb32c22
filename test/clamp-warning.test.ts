import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { canClampRcvbuf, clampedRcvbufRequest, clampSkipNote } from './rmem.js';
import type { DuplexResult, RunWarning, SearchResult, SweepResult } from '../src/result/types.js';

const requested = clampedRcvbufRequest;
const usable = canClampRcvbuf;
const skipNote = clampSkipNote;

const hint = `sysctl -w net.core.rmem_max=${requested}`;
const RUN = ['--size', '100', '--no-save', '--json'];

function expectClampWarning(warnings: RunWarning[], stderr: string): void {
  const clamp = warnings.filter((w) => w.code === 'rcvbuf-clamped');
  expect(clamp).toHaveLength(1);
  expect(clamp[0]?.hint).toBe(hint);
  expect(clamp[0]?.message).toMatch(/net\.core\.rmem_max/);
  // Said on stderr too (stdout carries only the JSON), once, with the command that would lift the cap,
  // wrapped to 80 columns: continuation lines are indented by two spaces.
  const all = stderr.split('\n');
  const starts = all.flatMap((l, i) => (l.includes('rcvbuf-clamped') ? [i] : []));
  expect(starts).toHaveLength(1);
  const start = starts[0] ?? 0;
  let end = start + 1;
  while (end < all.length && /^ {2}\S/.test(all[end] ?? '')) end++;
  const warning = all.slice(start, end).map((l) => l.trim()).join(' ');
  expect(warning).toContain(hint);
  for (const l of all) expect([...l].length, l).toBeLessThanOrEqual(80);
}

describe('an rcvbuf above net.core.rmem_max', () => {
  it('is reported by bench duplex, with the sysctl that would raise the cap', async (ctx) => {
    if (!usable) return ctx.skip(skipNote);
    const r = await runCli(['duplex', '--rcvbuf', String(requested), '--rate', '2k', '--duration', '1', ...RUN]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as DuplexResult;
    for (const e of result.endpoints) expect(e.rcvbuf.effective).toBeLessThan(2 * (requested ?? 0));
    expectClampWarning(result.warnings, r.stderr);
  });

  it('is reported once by bench sweep, recorded with the sweep and the cell', async (ctx) => {
    if (!usable) return ctx.skip(skipNote);
    const r = await runCli(['sweep', '--rcvbuf', `64k,${requested}`, '--rate', '2k', '--duration', '1', ...RUN]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as SweepResult;
    expectClampWarning(result.warnings, r.stderr);
    expect(result.cells[0]?.run?.warnings.some((w) => w.code === 'rcvbuf-clamped')).toBe(false);
    expect(result.cells[1]?.run?.warnings.some((w) => w.code === 'rcvbuf-clamped')).toBe(true);
  });

  it('is reported once by bench duplex --find-max', async (ctx) => {
    if (!usable) return ctx.skip(skipNote);
    const r = await runCli(['duplex', '--find-max', '--rcvbuf', String(requested), '--floor', '1k', '--ceiling', '2k', '--trial-duration', '0.5', '--max-trials', '2', ...RUN]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as SearchResult;
    expectClampWarning(result.warnings, r.stderr);
  });
});
