/**
 * Traffic patterns: what a sender puts on the wire and when. `cbr` is the
 * token bucket of pacer.ts (a smooth rate); the other patterns are
 * schedules — pure generators of (time, size, frame) for every datagram,
 * with no clock and no I/O, so that tests run them on simulated time.
 *
 * - `voice`: isochronous, one datagram every `intervalUs` (RTP audio with a
 *   20 ms ptime, RFC 3551 §4.5; iperf2 `--isochronous`, irtt's fixed interval).
 * - `video`: a frame every 1/fps s; a frame is split into datagrams of at most
 *   `maxDatagramBytes`, all due at the frame's time (an encoder hands the
 *   packetiser a whole frame, which goes out back to back — RFC 6184 §5.8
 *   style fragmentation). A key frame every `keyframeIntervalSeconds`
 *   is `keyframeRatio` times the size of a delta frame; the mean frame size
 *   is chosen so that the bit rate is `bitsPerSecond`. Each frame's size is
 *   its class mean × (1 + j), j uniform in [−0.2, +0.2] from a seeded
 *   mulberry32 generator: repeatable for a seed, and enough spread to move
 *   burst sizes without changing the rate (over 10 s at 30 fps the mean of
 *   300 such factors is within ±1.2 % of 1 at 3 σ).
 * - `trace`: replays rows `(timeUs, sizeBytes, frame)` of a file in a loop.
 *
 * Bytes here are UDP payload bytes with our header included (as `--size`),
 * the header standing in for the RTP header a real stream would carry.
 */

import { FRAMED_HEADER_BYTES } from './wire.js';

/** Payload bytes a framed datagram needs at least: the header and its frame extension (wire.ts). */
export const FRAMED_MIN_BYTES = FRAMED_HEADER_BYTES;
/** Most datagrams one frame may have: a frame goes out in one burst and must fit the sender's buffer ring. */
export const MAX_FRAME_DATAGRAMS = 512;

/** Relative spread of frame sizes around their class mean (uniform ±). */
export const VIDEO_SIZE_JITTER = 0.2;

export type PatternKind = 'cbr' | 'voice' | 'video' | 'trace';

/** One row of a trace: a datagram due `timeUs` after the loop's start. */
export interface TraceRow {
  timeUs: number;
  sizeBytes: number;
  /** Rows with the same frame value in a row form one frame; `null`: the row is a frame of its own. */
  frame: number | null;
}

/** What a sender needs to run a pattern (plain data: it crosses to worker threads). */
export type PatternSpec =
  | { kind: 'cbr' }
  | { kind: 'voice'; sizeBytes: number; intervalUs: number; offsetUs?: number }
  | {
      kind: 'video';
      maxDatagramBytes: number;
      fps: number;
      bitsPerSecond: number;
      keyframeIntervalSeconds: number;
      keyframeRatio: number;
      seed: number;
      offsetUs?: number;
      /** The first key frame comes this many frames late (one stream among many is not in step with the others). */
      keyframeOffsetFrames?: number;
    }
  | { kind: 'trace'; rows: TraceRow[]; periodUs: number; offsetUs?: number };

/**
 * Stream `index` of `count` of one pattern (a server's peers, `--clients`):
 * shifted by index/count of its interval (a frame, a voice packet, a trace
 * loop) and, for video, its key frames by index/count of the key-frame period,
 * with its own seed — N cameras or phones are never in lock-step, and N key
 * frames at the same instant would be a worst case nobody asked for.
 * Stream 0 is the pattern as given.
 */
export function nthStream(spec: PatternSpec, index: number, count: number): PatternSpec {
  if (index === 0 || count <= 1) return spec;
  const share = index / count;
  switch (spec.kind) {
    case 'cbr':
      return spec;
    case 'voice':
      return { ...spec, offsetUs: share * spec.intervalUs };
    case 'video':
      return {
        ...spec,
        seed: (spec.seed + index) >>> 0,
        offsetUs: (share * 1e6) / spec.fps,
        keyframeOffsetFrames: Math.floor(share * framesPerKeyframe(spec.fps, spec.keyframeIntervalSeconds)),
      };
    case 'trace':
      return { ...spec, offsetUs: share * spec.periodUs };
  }
}

/** A scheduled pattern (everything but `cbr`). */
export type ScheduledSpec = Exclude<PatternSpec, { kind: 'cbr' }>;

/** One datagram of a schedule; reused by the caller (no allocation per datagram). */
export interface ScheduledDatagram {
  /** When it is due, µs after the schedule's origin (may be fractional). */
  atUs: number;
  sizeBytes: number;
  /** Frame number from 0, consecutive. */
  frame: number;
  /** Position in the frame, from 0. */
  index: number;
  /** Datagrams in the frame. */
  count: number;
}

/** A pure generator: each call fills `out` with the next datagram, in time order. */
export interface Schedule {
  next(out: ScheduledDatagram): void;
}

/** A fresh datagram record to reuse. */
export function scheduledDatagram(): ScheduledDatagram {
  return { atUs: 0, sizeBytes: 0, frame: 0, index: 0, count: 0 };
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Frames per key-frame period (a key frame first, then delta frames). */
export function framesPerKeyframe(fps: number, keyframeIntervalSeconds: number): number {
  return Math.max(1, Math.round(fps * keyframeIntervalSeconds));
}

/**
 * Mean sizes of delta and key frames, bytes, such that one key-frame period
 * (one key frame of `ratio` × delta, `g − 1` delta frames) averages the bit rate.
 */
export function videoFrameMeans(spec: { fps: number; bitsPerSecond: number; keyframeIntervalSeconds: number; keyframeRatio: number }): { deltaBytes: number; keyBytes: number } {
  const g = framesPerKeyframe(spec.fps, spec.keyframeIntervalSeconds);
  const meanBytes = spec.bitsPerSecond / 8 / spec.fps;
  const deltaBytes = (meanBytes * g) / (spec.keyframeRatio + g - 1);
  return { deltaBytes, keyBytes: deltaBytes * spec.keyframeRatio };
}

/** Datagrams of a frame of `bytes` split into datagrams of at most `max` bytes. */
export function datagramsOf(bytes: number, max: number): number {
  return Math.max(1, Math.ceil(bytes / max));
}

/** The largest frame a video spec can produce, in datagrams (the key frame at +jitter). */
export function maxVideoFrameDatagrams(spec: Extract<PatternSpec, { kind: 'video' }>): number {
  const { keyBytes, deltaBytes } = videoFrameMeans(spec);
  return datagramsOf(Math.round(Math.max(keyBytes, deltaBytes) * (1 + VIDEO_SIZE_JITTER)), spec.maxDatagramBytes);
}

class VoiceSchedule implements Schedule {
  private n = 0;
  constructor(private readonly spec: Extract<PatternSpec, { kind: 'voice' }>) {}
  next(out: ScheduledDatagram): void {
    out.atUs = this.n * this.spec.intervalUs + (this.spec.offsetUs ?? 0);
    out.sizeBytes = this.spec.sizeBytes;
    out.frame = this.n;
    out.index = 0;
    out.count = 1;
    this.n++;
  }
}

class VideoSchedule implements Schedule {
  private frame = -1;
  private index = 0;
  private count = 0;
  private frameBytes = 0;
  private readonly random: () => number;
  private readonly g: number;
  private readonly means: { deltaBytes: number; keyBytes: number };
  constructor(private readonly spec: Extract<PatternSpec, { kind: 'video' }>) {
    this.random = mulberry32(spec.seed);
    this.g = framesPerKeyframe(spec.fps, spec.keyframeIntervalSeconds);
    this.means = videoFrameMeans(spec);
  }
  next(out: ScheduledDatagram): void {
    if (this.index >= this.count) {
      this.frame++;
      this.index = 0;
      const mean = (this.frame + this.g - ((this.spec.keyframeOffsetFrames ?? 0) % this.g)) % this.g === 0 ? this.means.keyBytes : this.means.deltaBytes;
      const jitter = (2 * this.random() - 1) * VIDEO_SIZE_JITTER;
      this.frameBytes = Math.max(FRAMED_MIN_BYTES, Math.round(mean * (1 + jitter)));
      this.count = datagramsOf(this.frameBytes, this.spec.maxDatagramBytes);
    }
    const max = this.spec.maxDatagramBytes;
    const last = this.index === this.count - 1;
    // Full datagrams, then the remainder (never below a framed header).
    out.sizeBytes = last ? Math.max(FRAMED_MIN_BYTES, this.frameBytes - (this.count - 1) * max) : max;
    out.atUs = (this.frame * 1e6) / this.spec.fps + (this.spec.offsetUs ?? 0);
    out.frame = this.frame;
    out.index = this.index;
    out.count = this.count;
    this.index++;
  }
}

class TraceSchedule implements Schedule {
  private row = 0;
  private loop = 0;
  /** Per row: frame number within one loop, position in it, and its size. */
  private readonly frameOf: number[] = [];
  private readonly indexOf: number[] = [];
  private readonly countOf: number[] = [];
  private readonly framesPerLoop: number;
  constructor(private readonly spec: Extract<PatternSpec, { kind: 'trace' }>) {
    const g = groupTrace(spec.rows);
    this.frameOf = g.frameOf;
    this.indexOf = g.indexOf;
    this.countOf = g.countOf;
    this.framesPerLoop = g.frames;
  }
  next(out: ScheduledDatagram): void {
    const rows = this.spec.rows;
    const r = rows[this.row] as TraceRow;
    out.atUs = this.loop * this.spec.periodUs + r.timeUs + (this.spec.offsetUs ?? 0);
    out.sizeBytes = r.sizeBytes;
    out.frame = this.loop * this.framesPerLoop + (this.frameOf[this.row] as number);
    out.index = this.indexOf[this.row] as number;
    out.count = this.countOf[this.row] as number;
    if (++this.row >= rows.length) {
      this.row = 0;
      this.loop++;
    }
  }
}

/**
 * Groups trace rows into frames: consecutive rows with the same non-null
 * frame value are one frame; a row without a frame value is a frame alone.
 */
export function groupTrace(rows: readonly TraceRow[]): { frameOf: number[]; indexOf: number[]; countOf: number[]; frames: number } {
  const frameOf: number[] = [];
  const indexOf: number[] = [];
  const countOf: number[] = [];
  let frames = 0;
  let i = 0;
  while (i < rows.length) {
    const f = (rows[i] as TraceRow).frame;
    let j = i + 1;
    if (f !== null) while (j < rows.length && (rows[j] as TraceRow).frame === f) j++;
    for (let k = i; k < j; k++) {
      frameOf.push(frames);
      indexOf.push(k - i);
      countOf.push(j - i);
    }
    frames++;
    i = j;
  }
  return { frameOf, indexOf, countOf, frames };
}

/** The schedule of a scheduled pattern. */
export function createSchedule(spec: ScheduledSpec): Schedule {
  switch (spec.kind) {
    case 'voice':
      return new VoiceSchedule(spec);
    case 'video':
      return new VideoSchedule(spec);
    case 'trace':
      return new TraceSchedule(spec);
  }
}

/** True for patterns whose datagrams carry frame numbers (every pattern but `cbr`). */
export function isScheduled(spec: PatternSpec): spec is ScheduledSpec {
  return spec.kind !== 'cbr';
}

/** The largest datagram a scheduled pattern sends, bytes (sizes the sender's buffers). */
export function largestDatagram(spec: ScheduledSpec): number {
  switch (spec.kind) {
    case 'voice':
      return spec.sizeBytes;
    case 'video':
      return spec.maxDatagramBytes;
    case 'trace':
      return spec.rows.reduce((m, r) => Math.max(m, r.sizeBytes), 0);
  }
}

/** What a schedule offers, counted over simulated time (not derived from formulas, so it is what will be sent). */
export interface ScheduleSummary {
  offeredPps: number;
  offeredBitsPerSecond: number;
  framesPerSecond: number;
  /** Datagrams in the largest frame of the simulated span. */
  maxFrameDatagrams: number;
  /** Bytes of the largest frame of the simulated span. */
  maxFrameBytes: number;
  largestDatagramBytes: number;
  /**
   * The datagram bound ended the count before `seconds`: the rates are then
   * over the span the counted datagrams covered, not over `seconds` (a 1 µs
   * voice interval counted over a week must not read as 16 datagrams/s).
   */
  truncated: boolean;
}

/** Datagrams {@link summarizeSchedule} counts at most (about 40 ms of video on this kind of machine). */
export const SUMMARY_MAX_DATAGRAMS = 10_000_000;

/**
 * Runs a schedule over `seconds` of simulated time and counts what it would
 * send (the rates are over exactly that span: a partial trace loop or
 * key-frame period counts as much as is due in it). At most `maxDatagrams`
 * are counted; past that the rates are over the span they covered
 * ({@link ScheduleSummary.truncated}). Limit: a key-frame period longer
 * than that span is seen only in part (its key frame comes first, so the
 * rate is then over-, never under-estimated).
 */
export function summarizeSchedule(spec: ScheduledSpec, seconds = 10, maxDatagrams = SUMMARY_MAX_DATAGRAMS): ScheduleSummary {
  const spanUs = seconds * 1e6;
  const s = createSchedule(spec);
  const d = scheduledDatagram();
  let datagrams = 0;
  let bytes = 0;
  let frames = 0;
  let maxFrameDatagrams = 0;
  let maxFrameBytes = 0;
  let frameBytes = 0;
  let coveredUs = spanUs;
  let truncated = false;
  // Bounded: at most `maxDatagrams`, whatever the spec says.
  for (let i = 0; ; i++) {
    s.next(d);
    if (d.atUs >= spanUs) break;
    if (i >= maxDatagrams) {
      // The next datagram's time ends the span the counted ones cover.
      coveredUs = Math.max(d.atUs, 1);
      truncated = true;
      break;
    }
    datagrams++;
    bytes += d.sizeBytes;
    if (d.index === 0) {
      frames++;
      frameBytes = 0;
    }
    frameBytes += d.sizeBytes;
    if (d.index === d.count - 1) {
      if (d.count > maxFrameDatagrams) maxFrameDatagrams = d.count;
      if (frameBytes > maxFrameBytes) maxFrameBytes = frameBytes;
    }
  }
  const secs = coveredUs / 1e6;
  return {
    offeredPps: datagrams / secs,
    offeredBitsPerSecond: (bytes * 8) / secs,
    framesPerSecond: frames / secs,
    maxFrameDatagrams,
    maxFrameBytes,
    largestDatagramBytes: largestDatagram(spec),
    truncated,
  };
}
