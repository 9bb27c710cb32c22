/**
 * `--pattern` on the real CLI (dist/cli.js: run `npm run build` first): bad
 * pattern options are one line naming the option (exit 2); short real runs
 * of voice/video and of a trace send what their schedules say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { parseTraceCsv } from '../src/bench/trace-file.js';
import { groupTrace } from '../src/udp/pattern.js';

let dir = '';
let badTrace = '';
let goodTrace = '';

/** 10 rows 10 ms apart, sizes 100..280, two rows per frame: a loop of 5 frames every 100 ms. */
const GOOD_TRACE = ['time_us,size,frame', ...Array.from({ length: 10 }, (_, i) => `${i * 10_000},${100 + i * 20},${Math.floor(i / 2)}`)].join('\n') + '\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-patterns-'));
  badTrace = join(dir, 'bad.csv');
  goodTrace = join(dir, 'good.csv');
  // Row on line 3 has a size that is not a number.
  await writeFile(badTrace, 'time_us,size\n0,100\n10000,abc\n20000,100\n');
  await writeFile(goodTrace, GOOD_TRACE);
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

interface DirectionJson {
  from: string;
  to: string;
  sent: number | null;
  received: number | null;
  frames: { sent: number | null; complete: number | null; sentByEndMarker: number | null } | null;
}
interface ResultJson {
  config: { durationSeconds: number; patternAb: { kind: string }; patternBa: { kind: string } };
  directions: DirectionJson[];
}

/**
 * With `-i 0` nothing but warnings may reach stderr (a loaded machine may warn; that is not this test's subject).
 * A warning is wrapped to the width of stderr: its continuation lines are indented by two spaces.
 */
function expectQuiet(stderr: string): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  lines.forEach((l, i) => expect(l).toMatch(i === 0 ? /^bench: warning / : /^(bench: warning | {2}\S)/));
}

describe('bad pattern options → one line naming the option, exit 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['--pattern bogus', () => ['--pattern', 'bogus'], /^bench: --pattern: .*bogus/],
    ['--fps without a video direction', () => ['--pattern-ab', 'voice', '--fps', '30'], /^bench: --fps: .*video/],
    ['a key frame of too many datagrams', () => ['--pattern', 'video', '-b', '500M', '--size', '200'], /^bench: -b: .*512/],
    ['--size below the framed header', () => ['--pattern', 'voice', '--size', '40'], /^bench: --size: .*48/],
    ['--pattern trace without --trace', () => ['--pattern', 'trace'], /^bench: --trace: .*required/],
    ['--trace of a missing file', () => ['--pattern', 'trace', '--trace', '/nonexistent.csv'], /^bench: --trace: .*\/nonexistent\.csv/],
    ['--trace with a bad row 3', () => ['--pattern', 'trace', '--trace', badTrace], /^bench: --trace: .*line 3\b/],
    ['--stall as long as its period', () => ['--stall', '2000@1'], /^bench: --stall: /],
    ['--stall that does not parse', () => ['--stall', 'abc'], /^bench: --stall: .*abc/],
    ['--find-max with a video pattern', () => ['--pattern', 'video', '--find-max'], /^bench: --find-max: /],
  ];

  // These exit before binding anything: safe to run side by side (each is mostly Node's start-up).
  it.concurrent.for(cases)('%s', async ([, args, pattern], { expect }) => {
    const r = await runCli(['duplex', '--no-save', '-t', '1', '-i', '0', ...args()], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });
});

describe('short real runs', () => {
  it('voice A→B, video B→A for 1 s: 50 voice frames and 30 video frames sent', async () => {
    const r = await runCli(['duplex', '--pattern-ab', 'voice', '--pattern-ba', 'video', '-t', '1', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expectQuiet(r.stderr);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as ResultJson;
    expect(res.config.patternAb.kind).toBe('voice');
    expect(res.config.patternBa.kind).toBe('video');
    const [ab, ba] = res.directions as [DirectionJson, DirectionJson];
    expect([ab.from, ab.to, ba.from, ba.to]).toEqual(['A', 'B', 'B', 'A']);
    expect(Math.abs((ab.frames?.sent ?? NaN) - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs((ba.frames?.sent ?? NaN) - 30)).toBeLessThanOrEqual(2);
    // Voice: one datagram a frame.
    expect(ab.sent).toBe(ab.frames?.sent);
    // The end marker's frame count agrees with the sender's.
    expect(ab.frames?.sentByEndMarker).toBe(ab.frames?.sent);
    expect(ba.frames?.sentByEndMarker).toBe(ba.frames?.sent);
  });

  it('--pattern trace replays the file: frames and datagrams as the rows say', async () => {
    const r = await runCli(['duplex', '--pattern', 'trace', '--trace', goodTrace, '-t', '1', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expectQuiet(r.stderr);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as ResultJson;
    expect(res.config.patternAb.kind).toBe('trace');
    // Expected, derived from the file: rows due inside the measured second, and the frames they begin.
    const parsed = parseTraceCsv(GOOD_TRACE, 65507);
    if (!parsed.ok) throw new Error(parsed.message);
    const { indexOf, frames: framesPerLoop } = groupTrace(parsed.rows);
    expect(framesPerLoop).toBe(5);
    expect(parsed.periodUs).toBe(100_000);
    const spanUs = res.config.durationSeconds * 1e6;
    let rows = 0;
    let frames = 0;
    for (let loop = 0; loop * parsed.periodUs < spanUs; loop++) {
      parsed.rows.forEach((row, i) => {
        if (loop * parsed.periodUs + row.timeUs >= spanUs) return;
        rows++;
        if (indexOf[i] === 0) frames++;
      });
    }
    expect(rows).toBe(100);
    expect(frames).toBe(50);
    const ab = res.directions[0] as DirectionJson;
    expect(ab.from).toBe('A');
    expect(Math.abs((ab.frames?.sent ?? NaN) - frames)).toBeLessThanOrEqual(1);
    expect(Math.abs((ab.sent ?? NaN) - rows)).toBeLessThanOrEqual(2);
    expect(ab.frames?.sentByEndMarker).toBe(ab.frames?.sent);
  });
});
