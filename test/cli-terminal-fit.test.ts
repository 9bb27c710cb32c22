/**
 * Issue #12 (readable at 80 columns, iperf3 habits), the gaps an audit found:
 * a warning said once (not on stderr and again in the table), `--wide` on
 * every command that prints tables, the listener's interval lines through the
 * same aggregator as `bench duplex` (fixed A→B, B→A order, `-i`, `--logfile`),
 * and stderr lines held to 80 columns when piped.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCli } from './cli.js';
import { startListener } from './listener.js';
import { canClampRcvbuf, clampedRcvbufRequest, clampSkipNote } from './rmem.js';

/** The environment without `COLUMNS`: piped output must then fit 80 columns. */
function pipedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.COLUMNS;
  return env;
}

/** Columns a line takes (the CLI prints no colour and no wide glyphs when piped). */
const width = (line: string): number => [...line].length;

/** The lines of `text` wider than 80 columns. */
function over80(text: string): string[] {
  return text.split('\n').filter((l) => width(l) > 80);
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const clamped = clampedRcvbufRequest;
const canClamp = canClampRcvbuf;
const clampSkip = clampSkipNote;

describe('a warning is said once when stdout carries the table', () => {
  it('bench duplex: the rcvbuf-clamped warning is in the table and not repeated on stderr', async (ctx) => {
    if (!canClamp) return ctx.skip(clampSkip);
    const r = await runCli(['duplex', '--rcvbuf', String(clamped), '--rate', '2k', '-t', '1', '--no-save'], { env: pipedEnv() });
    expect(r.code).toBe(0);
    expect(occurrences(r.stdout, 'rcvbuf-clamped')).toBe(1);
    expect(occurrences(r.stdout + r.stderr, 'rcvbuf-clamped')).toBe(1);
    expect(over80(r.stdout + r.stderr)).toEqual([]);
  });

  it('bench sweep: likewise, though the warning is known mid-sweep', async (ctx) => {
    if (!canClamp) return ctx.skip(clampSkip);
    const r = await runCli(['sweep', '--rcvbuf', `64k,${clamped}`, '--rate', '2k', '-t', '1', '--no-save'], { env: pipedEnv() });
    expect(r.code).toBe(0);
    expect(occurrences(r.stdout + r.stderr, 'rcvbuf-clamped')).toBe(1);
    expect(occurrences(r.stdout, 'rcvbuf-clamped')).toBe(1);
  });

  it('bench duplex --find-max: likewise', async (ctx) => {
    if (!canClamp) return ctx.skip(clampSkip);
    const r = await runCli(
      ['duplex', '--find-max', '--rcvbuf', String(clamped), '--floor', '1k', '--ceiling', '2k', '--trial-duration', '0.5', '--max-trials', '2', '--no-save'],
      { env: pipedEnv() },
    );
    expect(r.code).toBe(0);
    expect(occurrences(r.stdout + r.stderr, 'rcvbuf-clamped')).toBe(1);
    expect(occurrences(r.stdout, 'rcvbuf-clamped')).toBe(1);
  });
});

describe('--wide widens piped tables in every command that prints them', () => {
  it('bench duplex: 80 columns piped, wider with --wide', async () => {
    const narrow = await runCli(['duplex', '-t', '1', '--rate', '2k', '--no-save'], { env: pipedEnv() });
    expect(narrow.code).toBe(0);
    expect(over80(narrow.stdout)).toEqual([]);
    const wide = await runCli(['duplex', '-t', '1', '--rate', '2k', '--no-save', '--wide'], { env: pipedEnv() });
    expect(wide.code, wide.stderr).toBe(0);
    expect(over80(wide.stdout).length).toBeGreaterThan(0);
  });

  it('bench sweep and bench listen take --wide (listed by --help)', async () => {
    for (const command of ['sweep', 'listen']) {
      const r = await runCli([command, '--help']);
      expect(r.stdout, command).toMatch(/^\s+--wide\s/m);
    }
  });
});

describe('stderr lines fit 80 columns when piped', () => {
  it('a tiny sweep: progress and per-cell lines are wrapped, the table fits, --wide widens only the table', async () => {
    const r = await runCli(['sweep', '--rate', '1k,2k', '-t', '1', '--no-save'], { env: pipedEnv() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^cell 1\/2 done: /m);
    expect(r.stderr).toMatch(/^cell 2\/2 done: /m);
    expect(over80(r.stderr)).toEqual([]);
    expect(over80(r.stdout)).toEqual([]);
    const wide = await runCli(['sweep', '--rate', '1k,2k', '-t', '1', '--no-save', '--wide'], { env: pipedEnv() });
    expect(wide.code).toBe(0);
    expect(over80(wide.stdout).length).toBeGreaterThan(0);
    expect(over80(wide.stderr)).toEqual([]);
  });

  it('COLUMNS below 80 narrows them further', async () => {
    const r = await runCli(['sweep', '--rate', '1k', '-t', '1', '--no-save', '-J'], { env: { ...pipedEnv(), COLUMNS: '60' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^cell 1\/1 done: /m);
    expect(r.stderr.split('\n').filter((l) => width(l) > 60)).toEqual([]);
  });
});

/** The listener's interval lines in `text`: direction and range, in order. */
function sessionLines(text: string): { line: string; dir: string; from: number; to: number }[] {
  return text
    .split('\n')
    .map((line) => ({ line, m: /^session [0-9a-f]+ \[(A→B|B→A)\]\s+(\d+\.\d+)-(\d+\.\d+) s/.exec(line) }))
    .filter((x) => x.m !== null)
    .map(({ line, m }) => ({ line, dir: m?.[1] ?? '', from: Number(m?.[2]), to: Number(m?.[3]) }));
}

/** Asserts A→B then B→A for the same interval, interval after interval, each line ≤ 80 columns. */
function expectPairs(lines: ReturnType<typeof sessionLines>, intervals: number, span: number): void {
  expect(lines.map((l) => l.dir)).toEqual(Array.from({ length: intervals }, () => ['A→B', 'B→A']).flat());
  for (let i = 0; i < lines.length; i += 2) {
    const [ab, ba] = [lines[i], lines[i + 1]];
    expect(ba?.from).toBe(ab?.from);
    expect(ba?.to).toBe(ab?.to);
    expect(ab?.from).toBeCloseTo((i / 2) * span, 6);
    expect(ab?.to).toBeCloseTo((i / 2 + 1) * span, 6);
  }
  for (const l of lines) expect(width(l.line), l.line).toBeLessThanOrEqual(80);
}

/** Waits until `file` contains `re` (a listener writing to --logfile says nothing on stderr). */
async function waitForFile(file: string, re: RegExp, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs; // a test deadline, not a measurement
  while (Date.now() < until) {
    if (existsSync(file) && re.test(readFileSync(file, 'utf8'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never matched ${re}`);
}

describe('bench listen: interval lines as bench duplex prints them', () => {
  it('--logfile F: the listener writes its lines to F, one per second per direction, A→B before B→A', async () => {
    const port = await freePort();
    const file = join(mkdtempSync(join(tmpdir(), 'bench-listen-log-')), 'listen.log');
    const listener = runCli(['listen', '--port', String(port), '--once', '--no-save', '--logfile', file], { timeoutMs: 40_000 });
    await waitForFile(file, /listening on 127\.0\.0\.1:\d+/);
    const client = await runCli(['duplex', '--peer', `127.0.0.1:${port}`, '-t', '3', '--rate', '1k', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expect(client.code, client.stderr).toBe(0);
    const l = await listener;
    expect(l.code).toBe(0);
    expect(l.stdout).toBe('');
    expect(l.stderr).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/complete; back to listening/);
    expectPairs(sessionLines(text), 3, 1);
    // Every line the listener logged fits 80 columns (its start and session lines were 105–108).
    const wide = text.split('\n').filter((line) => [...line].length > 80);
    expect(wide).toEqual([]);
  }, 60_000);

  it('-i 2 sums two seconds per line; -i 0 prints none', async () => {
    const two = await startListener(['--once', '-i', '2']);
    const c2 = await runCli(['duplex', '--peer', `127.0.0.1:${two.port}`, '-t', '4', '--rate', '1k', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expect(c2.code, c2.stderr).toBe(0);
    expect(await two.exited()).toBe(0);
    expectPairs(sessionLines(two.stderr()), 2, 2);

    const none = await startListener(['--once', '-i', '0']);
    const c0 = await runCli(['duplex', '--peer', `127.0.0.1:${none.port}`, '-t', '2', '--rate', '1k', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expect(c0.code, c0.stderr).toBe(0);
    expect(await none.exited()).toBe(0);
    expect(none.stderr()).toMatch(/complete; back to listening/);
    expect(sessionLines(none.stderr())).toEqual([]);
    expect(none.stderr()).not.toMatch(/\[(A→B|B→A)\]/);
  }, 60_000);
});
