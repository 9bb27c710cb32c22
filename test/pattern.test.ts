/**
 * The traffic schedules of udp/pattern.ts on simulated time: a schedule has
 * no clock, `next()` hands out due times (µs after the origin), so these
 * tests count what would go on the wire second by second without sending.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FRAMED_MIN_BYTES,
  VIDEO_SIZE_JITTER,
  createSchedule,
  framesPerKeyframe,
  mulberry32,
  scheduledDatagram,
  summarizeSchedule,
  type PatternSpec,
  type ScheduledDatagram,
  type ScheduledSpec,
  type TraceRow,
} from '../src/udp/pattern.js';

type VideoSpec = Extract<PatternSpec, { kind: 'video' }>;

/** Copies of the datagrams of a schedule due before `untilUs`. */
function take(spec: ScheduledSpec, untilUs: number, cap = 5_000_000): ScheduledDatagram[] {
  const s = createSchedule(spec);
  const out: ScheduledDatagram[] = [];
  const d = scheduledDatagram();
  for (let i = 0; i < cap; i++) {
    s.next(d);
    if (d.atUs >= untilUs) return out;
    out.push({ ...d });
  }
  throw new Error(`more than ${cap} datagrams before ${untilUs} µs`);
}

/** The first `n` datagrams of a schedule. */
function first(spec: ScheduledSpec, n: number): ScheduledDatagram[] {
  const s = createSchedule(spec);
  const out: ScheduledDatagram[] = [];
  const d = scheduledDatagram();
  for (let i = 0; i < n; i++) {
    s.next(d);
    out.push({ ...d });
  }
  return out;
}

/** Datagrams per simulated second k (atUs in [k·1e6, (k+1)·1e6)). */
function perSecond(ds: readonly ScheduledDatagram[], seconds: number): number[] {
  const n = new Array<number>(seconds).fill(0);
  for (const d of ds) {
    const k = Math.floor(d.atUs / 1e6);
    if (k < seconds) n[k] = (n[k] as number) + 1;
  }
  return n;
}

/** Frames of a datagram list, in order, each with its datagrams. */
function framesOf(ds: readonly ScheduledDatagram[]): ScheduledDatagram[][] {
  const frames: ScheduledDatagram[][] = [];
  for (const d of ds) {
    if (d.index === 0) frames.push([]);
    (frames[frames.length - 1] as ScheduledDatagram[]).push(d);
  }
  return frames;
}

/** Bytes sent over `seconds` of simulated time (streamed: no copies kept). */
function bytesBefore(spec: ScheduledSpec, untilUs: number): number {
  const s = createSchedule(spec);
  const d = scheduledDatagram();
  let bytes = 0;
  for (;;) {
    s.next(d);
    if (d.atUs >= untilUs) return bytes;
    bytes += d.sizeBytes;
  }
}

/** Bytes of frames 0 .. frames−1 (streamed). */
function bytesOfFrames(spec: ScheduledSpec, frames: number): number {
  const s = createSchedule(spec);
  const d = scheduledDatagram();
  let bytes = 0;
  for (;;) {
    s.next(d);
    if (d.frame >= frames) return bytes;
    bytes += d.sizeBytes;
  }
}

describe('voice', () => {
  const spec: ScheduledSpec = { kind: 'voice', sizeBytes: 160, intervalUs: 20_000 };

  it('at 20 ms: exactly 50 datagrams in each simulated second over 10 s', () => {
    const ds = take(spec, 10e6);
    expect(perSecond(ds, 10)).toEqual(new Array(10).fill(50));
    expect(ds).toHaveLength(500);
  });

  it('one datagram per frame, frame numbers consecutive from 0, every datagram of the configured size', () => {
    const ds = take(spec, 10e6);
    ds.forEach((d, i) => {
      expect(d).toEqual({ atUs: i * 20_000, sizeBytes: 160, frame: i, index: 0, count: 1 });
    });
  });
});

describe('video', () => {
  const spec: VideoSpec = { kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 2.5e6, keyframeIntervalSeconds: 2, keyframeRatio: 5, seed: 1 };
  const ds = take(spec, 10e6);
  const frames = framesOf(ds);
  const frameBytes = frames.map((f) => f.reduce((s, d) => s + d.sizeBytes, 0));

  it('30 frames in each simulated second over 10 s, numbered consecutively', () => {
    expect(perSecond(frames.map((f) => f[0] as ScheduledDatagram), 10)).toEqual(new Array(10).fill(30));
    expect(frames).toHaveLength(300);
    expect(frames.map((f) => (f[0] as ScheduledDatagram).frame)).toEqual(frames.map((_, i) => i));
  });

  it('bit rate over 10 s within 2 % of 2.5 Mbit/s', () => {
    const bits = (ds.reduce((s, d) => s + d.sizeBytes, 0) * 8) / 10;
    expect(Math.abs(bits / 2.5e6 - 1)).toBeLessThan(0.02);
  });

  it('key frames (0, 60, 120, …) are larger than every delta frame of their period', () => {
    const g = framesPerKeyframe(30, 2);
    expect(g).toBe(60);
    for (let k = 0; k < frames.length; k += g) {
      const key = frameBytes[k] as number;
      const deltas = frameBytes.slice(k + 1, k + g);
      expect(deltas.length).toBeGreaterThan(0);
      // Key ≥ 5 × 0.8 = 4 delta means, deltas ≤ 1.2: no overlap whatever the jitter.
      expect(key).toBeGreaterThan(Math.max(...deltas));
    }
  });

  it('a frame is one burst: same atUs, index 0..count−1, all but the last datagram full (1200 B), the last at least a framed header', () => {
    for (const f of frames) {
      const f0 = f[0] as ScheduledDatagram;
      expect(f).toHaveLength(f0.count);
      f.forEach((d, i) => {
        expect(d.atUs).toBe(f0.atUs);
        expect(d.frame).toBe(f0.frame);
        expect(d.count).toBe(f0.count);
        expect(d.index).toBe(i);
        if (i < f.length - 1) expect(d.sizeBytes).toBe(1200);
        else {
          expect(d.sizeBytes).toBeLessThanOrEqual(1200);
          expect(d.sizeBytes).toBeGreaterThanOrEqual(FRAMED_MIN_BYTES);
        }
      });
      expect(f0.atUs).toBeCloseTo((f0.frame * 1e6) / 30, 6);
    }
  });

  it('the same seed gives the identical sequence; another seed other sizes', () => {
    expect(first(spec, 3000)).toEqual(first({ ...spec }, 3000));
    const other = framesOf(take({ ...spec, seed: 2 }, 10e6)).map((f) => f.reduce((s, d) => s + d.sizeBytes, 0));
    expect(other).toHaveLength(frameBytes.length);
    expect(other).not.toEqual(frameBytes);
    // Not just one frame: most sizes move.
    expect(other.filter((b, i) => b !== frameBytes[i]).length).toBeGreaterThan(frameBytes.length / 2);
  });

  const videoArb = fc.record({
    fps: fc.integer({ min: 5, max: 60 }),
    bitsPerSecond: fc.integer({ min: 100_000, max: 20_000_000 }),
    keyframeRatio: fc.integer({ min: 1, max: 10 }),
    keyframeIntervalSeconds: fc.double({ min: 0.5, max: 5, noNaN: true }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
  });
  const videoOf = (p: { fps: number; bitsPerSecond: number; keyframeRatio: number; keyframeIntervalSeconds: number; seed: number }): VideoSpec => ({ kind: 'video', maxDatagramBytes: 1200, ...p });

  /*
   * The briefed property, "the 10-s bit rate is within 3 % of the target for
   * fps 5–60, 100 kbit/s–20 Mbit/s, ratio 1–10, key-frame interval 0.5–5 s",
   * does not hold, for two reasons (neither is the 48-byte bump: at these
   * rates a frame is never below 48 B, and the remainder bump adds < 48 B to a
   * frame ≥ 1200 B only in a narrow band of sizes):
   *
   * 1. sampling noise of the ±20 % size jitter: at 5 fps, 10 s hold 50 frames,
   *    so the mean jitter factor has σ = 0.2/√3/√50 = 1.6 % and 3 % is 1.8 σ
   *    (ratio 1 shrinks to fps 5, 100 kbit/s, interval 0.5 s, seed 22: −5.3 %);
   *    a large ratio makes it worse (few key frames carry most bytes: fps 5,
   *    interval 1 s, ratio 10, seed 12: −7.4 %).
   * 2. a 10-s window that is not a whole number of key-frame periods holds
   *    more (or fewer) key frames than its share: fps 5, interval 3 s (15
   *    frames a period), ratio 10, seed 3: 4 key frames in 50 frames, +10.0 %.
   *
   * The sizes are chosen so that the *expected* rate over whole key-frame
   * periods is the target; that is what the property below checks, over
   * whole periods and long enough for the jitter to average out (σ ≤ 0.6 %,
   * so 3 % is 5 σ). The briefed 10-s form is kept as a known failure.
   */
  it('bit rate over whole key-frame periods is within 3 % of the target (property; span long enough for the ±20 % jitter to average out)', () => {
    const sigma = VIDEO_SIZE_JITTER / Math.sqrt(3); // σ of a uniform ±0.2 factor
    fc.assert(
      fc.property(videoArb, (p) => {
        const spec = videoOf(p);
        const g = framesPerKeyframe(p.fps, p.keyframeIntervalSeconds);
        const r = p.keyframeRatio;
        // Relative σ of one period's bytes: the key frame weighs r, each delta frame 1.
        const periodSigma = (sigma * Math.sqrt(r * r + g - 1)) / (r + g - 1);
        const periods = Math.max(Math.ceil((periodSigma / 0.006) ** 2), Math.ceil((10 * p.fps) / g));
        const frames = periods * g;
        const bits = (bytesOfFrames(spec, frames) * 8) / (frames / p.fps);
        expect(Math.abs(bits / p.bitsPerSecond - 1)).toBeLessThanOrEqual(0.03);
      }),
      { numRuns: 100 },
    );
  });

  it.fails('KNOWN FAILURE (reported): the briefed form, bit rate over 10 s within 3 % for every fps/bit rate/ratio/interval', () => {
    fc.assert(
      fc.property(videoArb, (p) => {
        const bits = (bytesBefore(videoOf(p), 10e6) * 8) / 10;
        expect(Math.abs(bits / p.bitsPerSecond - 1)).toBeLessThanOrEqual(0.03);
      }),
      // Fixed seed: the same counterexample every run (it fails on its first case).
      { seed: 2, numRuns: 200 },
    );
  });
});

describe('trace', () => {
  const rows: TraceRow[] = [
    { timeUs: 0, sizeBytes: 100, frame: 7 },
    { timeUs: 0, sizeBytes: 1200, frame: 7 },
    { timeUs: 5_000, sizeBytes: 300, frame: 7 },
    { timeUs: 10_000, sizeBytes: 64, frame: null },
    { timeUs: 20_000, sizeBytes: 500, frame: 9 },
    { timeUs: 20_000, sizeBytes: 501, frame: 9 },
    { timeUs: 30_000, sizeBytes: 48, frame: 7 }, // 7 again, not adjacent: a new frame
    { timeUs: 30_000, sizeBytes: 49, frame: null },
    { timeUs: 30_000, sizeBytes: 50, frame: null }, // two nulls in a row: two frames
  ];
  const periodUs = 40_000;
  const spec: ScheduledSpec = { kind: 'trace', rows, periodUs };
  // Frame within a loop, index, count per row.
  const expected: [number, number, number][] = [
    [0, 0, 3],
    [0, 1, 3],
    [0, 2, 3],
    [1, 0, 1],
    [2, 0, 2],
    [2, 1, 2],
    [3, 0, 1],
    [4, 0, 1],
    [5, 0, 1],
  ];
  const framesPerLoop = 6;

  it('with a frame column: the first loop reproduces the file, later loops add k·period, frames group consecutive equal values', () => {
    const loops = 4;
    const ds = first(spec, rows.length * loops);
    for (let k = 0; k < loops; k++) {
      rows.forEach((row, i) => {
        const d = ds[k * rows.length + i] as ScheduledDatagram;
        const [frame, index, count] = expected[i] as [number, number, number];
        expect(d).toEqual({ atUs: row.timeUs + k * periodUs, sizeBytes: row.sizeBytes, frame: k * framesPerLoop + frame, index, count });
      });
    }
  });

  it('without a frame column: every row is a frame of its own', () => {
    const bare: TraceRow[] = [
      { timeUs: 1_000, sizeBytes: 100, frame: null },
      { timeUs: 1_000, sizeBytes: 200, frame: null },
      { timeUs: 7_000, sizeBytes: 300, frame: null },
    ];
    const ds = first({ kind: 'trace', rows: bare, periodUs: 10_000 }, 9);
    ds.forEach((d, i) => {
      const row = bare[i % 3] as TraceRow;
      expect(d).toEqual({ atUs: row.timeUs + Math.floor(i / 3) * 10_000, sizeBytes: row.sizeBytes, frame: i, index: 0, count: 1 });
    });
  });

  it('due times never go backwards across loops', () => {
    const ds = first(spec, rows.length * 20);
    for (let i = 1; i < ds.length; i++) expect((ds[i] as ScheduledDatagram).atUs).toBeGreaterThanOrEqual((ds[i - 1] as ScheduledDatagram).atUs);
  });

  it('summarizeSchedule: offered pps = rows / period, frames/s = frames per loop / period', () => {
    const s = summarizeSchedule(spec);
    expect(s.offeredPps).toBeCloseTo(rows.length / (periodUs / 1e6), 9);
    expect(s.framesPerSecond).toBeCloseTo(framesPerLoop / (periodUs / 1e6), 9);
    const loopBytes = rows.reduce((a, r) => a + r.sizeBytes, 0);
    expect(s.offeredBitsPerSecond).toBeCloseTo((loopBytes * 8) / (periodUs / 1e6), 6);
    expect(s.maxFrameDatagrams).toBe(3);
    expect(s.maxFrameBytes).toBe(1600);
    expect(s.largestDatagramBytes).toBe(1200);
  });

  it('summarizeSchedule counts exactly the span asked for: a loop longer than it offers what is due within it', () => {
    const long: TraceRow[] = [
      { timeUs: 0, sizeBytes: 100, frame: null },
      { timeUs: 6_000_000, sizeBytes: 100, frame: null },
      { timeUs: 12_000_000, sizeBytes: 100, frame: null },
    ];
    // Rows at 0 and 6 s fall in 10 s; over the whole 18-s loop, 3 rows.
    expect(summarizeSchedule({ kind: 'trace', rows: long, periodUs: 18_000_000 }).offeredPps).toBeCloseTo(2 / 10, 9);
    expect(summarizeSchedule({ kind: 'trace', rows: long, periodUs: 18_000_000 }, 18).offeredPps).toBeCloseTo(3 / 18, 9);
  });

  /*
   * Reported: summarizeSchedule counts a fixed 10-s window, so when the loop
   * does not divide 10 s the window holds a partial loop and the offered rate
   * is not rows / period. Here 100 rows at 0 µs and one at 1.5 s loop every
   * 3 s: the window holds 4 bursts (0, 3, 6, 9 s) and 3 single rows, 403 rows,
   * offered 40.3/s, where the trace sends 101 / 3 s = 33.7/s. A real
   * `bench duplex -t 3 --pattern-ab trace` of this file sends every row on
   * time and is still flagged undersent (33.7 < 0.95 × 40.3).
   */
  it.fails('KNOWN FAILURE (reported): offered pps = rows / period when the loop does not divide 10 s', () => {
    const front: TraceRow[] = [...Array.from({ length: 100 }, () => ({ timeUs: 0, sizeBytes: 200, frame: null })), { timeUs: 1_500_000, sizeBytes: 200, frame: null }];
    const s = summarizeSchedule({ kind: 'trace', rows: front, periodUs: 3_000_000 });
    expect(s.offeredPps).toBeCloseTo(101 / 3, 6);
  });
});

describe('mulberry32', () => {
  it('is deterministic for a seed and uniform-ish in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        let sum = 0;
        for (let i = 0; i < 200; i++) {
          const x = a();
          const y = b();
          // One expect per draw would dominate the run time: check, then fail with the values.
          if (y !== x || !(x >= 0 && x < 1)) expect({ i, x, y }).toBe('a draw in [0, 1), the same for both generators');
          sum += x;
        }
        // Mean of 200 uniforms: σ = 0.02; 0.5 ± 0.15 is 7.5 σ.
        expect(Math.abs(sum / 200 - 0.5)).toBeLessThan(0.15);
      }),
      { numRuns: 500 },
    );
  });

  it('different seeds give different sequences', () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    const xs = Array.from({ length: 10 }, () => a());
    const ys = Array.from({ length: 10 }, () => b());
    expect(xs).not.toEqual(ys);
  });

  it('seed is taken as u32 (2^32 + 5 behaves as 5)', () => {
    const a = mulberry32(2 ** 32 + 5);
    const b = mulberry32(5);
    for (let i = 0; i < 10; i++) expect(a()).toBe(b());
  });
});

describe('nthStream: N streams of one pattern are not in lock-step', () => {
  it('stream 0 is the pattern; stream i is shifted by i/N of a frame and its key frames by i/N of the key-frame period', async () => {
    const { nthStream } = await import('../src/udp/pattern.js');
    const video: PatternSpec = { kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 2.5e6, keyframeIntervalSeconds: 2, keyframeRatio: 5, seed: 1 };
    expect(nthStream(video, 0, 4)).toBe(video);
    const firstKeyFrame = (spec: PatternSpec): { frame: number; atUs: number } => {
      const s = createSchedule(spec as Exclude<PatternSpec, { kind: 'cbr' }>);
      const d = scheduledDatagram();
      let best = { frame: -1, atUs: 0, count: 0 };
      for (let i = 0; i < 5000; i++) {
        s.next(d);
        if (d.frame >= 60) break; // one key-frame period
        if (d.index === 0 && d.count > best.count) best = { frame: d.frame, atUs: d.atUs, count: d.count };
      }
      return best;
    };
    // 60 frames per key-frame period: stream 2 of 4 has its key frame 30 frames in, and its frames 1/60 s × 1/2 late.
    const k2 = firstKeyFrame(nthStream(video, 2, 4));
    expect(k2.frame).toBe(30);
    expect(k2.atUs).toBeCloseTo((30 * 1e6) / 30 + 0.5 * (1e6 / 30), 3);
    expect(firstKeyFrame(video).frame).toBe(0);
    const voice: PatternSpec = { kind: 'voice', sizeBytes: 160, intervalUs: 20_000 };
    const v = nthStream(voice, 1, 4);
    expect(v.kind === 'voice' ? v.offsetUs : null).toBe(5000);
  });
});

