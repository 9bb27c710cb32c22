/**
 * The sending half of an endpoint: paces datagrams with a token bucket on
 * its own timer, stamps sequence numbers and timestamps into preallocated
 * buffers, and counts a datagram as sent only when the kernel accepted it
 * (the `send` callback without an error). Send errors are counted by code.
 *
 * Phases: idle → warm-up (`--omit`, flagged on the wire, counted apart) →
 * measure → flush (wait for outstanding send callbacks) → end markers → done.
 */
import type dgram from 'node:dgram';
import type { Clock } from './clock.js';
import { TokenBucket, burstFor, spendPerTick } from './pacer.js';
import * as hdr from 'hdr-histogram-js';
import { END_MARKER_COPIES, END_MARKER_SPACING_MS, FLAG_FRAMED, FLAG_WARMUP, FRAMED_HEADER_BYTES, HEADER_BYTES, Kind, createHeader, encodeHeader, stampData, stampEnd, stampFrame } from './wire.js';
import { type EchoState, readEcho } from './echo.js';
import { MAX_TRACKED_US } from './defaults.js';
import { type PatternSpec, type Schedule, type ScheduledDatagram, createSchedule, isScheduled, largestDatagram, scheduledDatagram } from './pattern.js';
import { RTP_HEADER_BYTES, type RtpProfile, type WireFormat, random32, rtpProfileOf, stampRtp, writeRtpHeader } from './rtp.js';
import { RtcpAgent } from './rtcp-agent.js';

/** Buffers in the send ring. A buffer is reused only when no send holds it. */
const POOL_SIZE = 1024;
/** How often the pacing timer fires, ms (Node's timers tick at about 1 ms). */
const PACE_INTERVAL_MS = 1;
/**
 * Most datagrams a scheduled sender starts per event-loop turn before it
 * yields to receives (checked between frames: a frame always goes out whole).
 */
const SCHEDULED_TURN_MAX = 256;

/** What the sender needs to know. */
export interface SenderOptions {
  socket: dgram.Socket;
  clock: Clock;
  session: number;
  /** Wire direction id of the datagrams this sender emits. */
  direction: number;
  sizeBytes: number;
  /** Datagrams per second, or `null` for as fast as possible (the `cbr` pattern; ignored by the others). */
  ratePps: number | null;
  /** What to send when: `cbr` (the token bucket at `ratePps`, `sizeBytes` each) or a schedule (pattern.ts). Default `cbr`. */
  pattern?: PatternSpec;
  /** Most datagrams sent per event-loop turn before yielding to receives. */
  batch: number;
  /** Destination for an unconnected socket; `null` when the socket is connected. */
  peer: { address: string; port: number } | null;
  /** Where the receiver leaves the latest peer timestamp to echo (RTT); optional. */
  echo: EchoState | null;
  /** Called synchronously when the measured phase begins, before its first send (the exact drop baseline, local mode). */
  onMeasureStart?: () => void;
  /** `rtp`: every data datagram is an RTP packet with our header in its payload (rtp.ts); default `udx`. */
  wire?: WireFormat;
}

/** Sender counters, returned in the worker's partial result. */
export interface SenderCounters {
  /** Accepted by the kernel during the measured phase. */
  sent: number;
  /** Send attempts during the measured phase (sent + errors, once all callbacks are in). */
  attempted: number;
  /** Accepted during warm-up. */
  warmupSent: number;
  /** Error code → count, measured and warm-up phases together. */
  errors: Record<string, number>;
  /** Send errors of the measured phase: sequence numbers that never reached the wire. */
  measureErrors: number;
  /** Sequence numbers the measured phase used (highest measured sequence number + 1). */
  seqEnd: number;
  /** Monotonic time the measured phase began and ended (ns), or 0 if it did not. */
  measureStartNs: number;
  measureEndNs: number;
  /** Payload bytes the kernel accepted in the measured phase. */
  sentBytes: number;
  /**
   * Lateness of sends against their schedule, µs, measured phase: per
   * datagram for framed patterns; for `cbr`, per pacing turn, of the turn's
   * first datagram against its ideal time (measured start + seq / rate).
   * `null` unpaced or when nothing was sent.
   */
  pacingErrorUs: SenderPercentiles | null;
  /** Framed patterns: frames begun in the measured phase and their burst sizes; `null` for `cbr`. */
  frames: SenderFrames | null;
}

/** Percentiles of a sender-side histogram. */
export interface SenderPercentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** What a framed sender knows of its frames (measured phase). */
export interface SenderFrames {
  /** Frames whose first datagram was sent (a frame goes out whole, back to back). */
  sent: number;
  /** Datagrams per frame, median and largest. */
  datagramsP50: number;
  datagramsMax: number;
  /** Bytes of the largest frame (UDP payload, headers included). */
  bytesMax: number;
}

type Phase = 'idle' | 'preroll' | 'warmup' | 'measure' | 'flush' | 'ending' | 'done';

/**
 * Before the synchronised start the sender already sends, flagged as warm-up
 * and at a modest rate, so that V8 has optimised both ends' send and receive
 * paths (ours and node:dgram's) when measuring begins. Without it the first
 * ~300 ms ran cold code and, at 100k datagrams/s with the default receive
 * buffer, ~3.5k datagrams per direction overflowed it (traced with
 * /proc/net/udp drops every 100 ms).
 */
const PREROLL_MAX_PPS = 20_000;

/**
 * Senders are silent for this long before the measured phase begins, and
 * the receiving sockets' drop baseline is read in the middle of that gap
 * ({@link DROP_BASELINE_LEAD_NS} before the start). Without the gap a
 * warm-up datagram sent a moment after the baseline and dropped by a full
 * buffer counted as a measured drop: the loss check caught it (kernel drops
 * one above the loss, split threads, 4 KiB buffer). The gap lets the
 * receive queue drain a little before measuring; at 100k datagrams/s it is
 * 2,000 datagrams' worth of time.
 */
export const QUIET_BEFORE_MEASURE_NS = 20e6;
/** When, before the measured start, the kernel drop baseline is read. */
export const DROP_BASELINE_LEAD_NS = QUIET_BEFORE_MEASURE_NS / 2;

/** Sends one direction's datagrams. */
export class Sender implements Omit<SenderCounters, 'pacingErrorUs' | 'frames'> {
  sent = 0;
  attempted = 0;
  warmupSent = 0;
  errors: Record<string, number> = {};
  measureErrors = 0;
  measureStartNs = 0;
  measureEndNs = 0;
  sentBytes = 0;
  /** Framed patterns: frames begun in the measured phase. */
  framesSent = 0;

  private phase: Phase = 'idle';
  /** The pattern's schedule (framed patterns), restarted at the run's start and at the measured start; `null` for `cbr`. */
  private schedule: Schedule | null = null;
  private readonly next: ScheduledDatagram = scheduledDatagram();
  /** Monotonic time the schedule's offsets count from. */
  private originNs = 0;
  /** Payload bytes of the send each ring buffer last carried, read back by the (in-order) send callbacks. */
  private readonly sizes = new Uint32Array(POOL_SIZE);
  private doneIndex = 0;
  private readonly pacing = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 });
  private readonly burst: hdr.Histogram | null;
  private frameBytes = 0;
  private frameBytesMax = 0;
  private measureBegan = false;
  private readonly pool: Buffer[] = [];
  /** Where our header sits in each pool buffer: the buffer itself, or a view after the RTP header (made once). */
  private readonly inner: Buffer[] = [];
  /** `--wire rtp`: the stream's profile; `null` for our own framing. */
  private readonly rtp: RtpProfile | null;
  /** The measured phase is one RTP stream and the warm-up another (rtp.ts): this one's SSRC, next sequence number and timestamp base. */
  private rtpSsrc = 0;
  /** Whether the marker bit ends a frame: video and traces (RFC 3551 §4.1); an audio marker flags a talkspurt's start instead, never set here. */
  private readonly rtpMarksFrames: boolean;
  private rtpSeq = 0;
  private rtpTsBase = 0;
  /** Smallest datagram sent: our header (framed: and its extension) after the RTP header. */
  private readonly minBytes: number;
  /** `--wire rtp`: sender reports about the measured stream (rtp-agent.ts); `null` otherwise. */
  private readonly rtcp: RtcpAgent | null;
  private poolIndex = 0;
  private inflight = 0;
  private seq = 0;
  private flags = 0;
  private readonly bucket: TokenBucket;
  private readonly prerollBucket: TokenBucket;
  private startAtNs = 0;
  /** Whether the sends still outstanding when flushing began belong to the measured phase. */
  private flushingMeasured = false;
  private paceTimer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private warmupEndNs = 0;
  private endNs = 0;
  private readonly endBuf: Buffer;
  private readonly echoPair = new Float64Array(2);
  private onDone: (() => void) | null = null;
  // Bound once: no closure per datagram.
  private readonly onSent = (err: Error | null): void => this.sentCallback(err);
  private readonly onEndSent = (): void => {};
  // The pacing timer opens a new per-tick spending budget; continuations spend what is left of it.
  private readonly loop = (): void => {
    this.tickBudget = this.phase === 'preroll' ? this.prerollSpend : this.spend;
    this.pump();
  };
  private tickBudget = 0;
  private readonly spend: number;
  private readonly prerollSpend: number;
  private readonly continueLoop = (): void => {
    this.immediate = null;
    this.pump();
  };

  constructor(private readonly opts: SenderOptions) {
    const h = createHeader();
    h.kind = Kind.Data;
    h.direction = opts.direction;
    h.session = opts.session;
    const pattern = opts.pattern ?? { kind: 'cbr' };
    const framed = isScheduled(pattern);
    this.rtp = opts.wire === 'rtp' ? rtpProfileOf(pattern.kind) : null;
    const headerAt = this.rtp === null ? 0 : RTP_HEADER_BYTES;
    this.minBytes = headerAt + (framed ? FRAMED_HEADER_BYTES : HEADER_BYTES);
    const bufBytes = Math.max(this.minBytes, framed ? largestDatagram(pattern) : opts.sizeBytes);
    this.rtpMarksFrames = pattern.kind !== 'voice';
    // The warm-up's stream; the measured phase gets its own (beginMeasure).
    this.newRtpStream(random32());
    for (let i = 0; i < POOL_SIZE; i++) {
      const b = Buffer.alloc(bufBytes);
      const inner = headerAt === 0 ? b : b.subarray(headerAt);
      encodeHeader(inner, h);
      if (this.rtp !== null) writeRtpHeader(b, this.rtp.payloadType, this.rtpSsrc);
      this.pool.push(b);
      this.inner.push(inner);
    }
    this.rtcp = this.rtp === null ? null : new RtcpAgent({ ssrc: this.rtpSsrc });
    this.sizes.fill(opts.sizeBytes);
    this.burst = framed ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 65535, numberOfSignificantValueDigits: 3 }) : null;
    h.kind = Kind.End;
    this.endBuf = Buffer.alloc(Math.max(framed ? FRAMED_HEADER_BYTES : HEADER_BYTES, Math.min(bufBytes, 1200)));
    encodeHeader(this.endBuf, h);
    this.bucket = new TokenBucket(opts.clock, opts.ratePps, burstFor(opts.ratePps, opts.batch));
    const prerollPps = opts.ratePps === null ? PREROLL_MAX_PPS : Math.min(opts.ratePps, PREROLL_MAX_PPS);
    this.prerollBucket = new TokenBucket(opts.clock, prerollPps, burstFor(prerollPps, opts.batch));
    this.spend = spendPerTick(opts.ratePps, opts.batch);
    this.prerollSpend = spendPerTick(prerollPps, opts.batch);
  }

  /** True once the end markers have gone out. */
  get done(): boolean {
    return this.phase === 'done';
  }

  /**
   * Starts at `startAtNs` (monotonic), warms up for `warmupNs`, measures for
   * `durationNs`, then flushes and sends end markers; `onDone` fires after.
   */
  start(startAtNs: number, warmupNs: number, durationNs: number, onDone: () => void): void {
    this.onDone = onDone;
    this.startAtNs = startAtNs;
    this.warmupEndNs = startAtNs + warmupNs;
    this.endNs = this.warmupEndNs + durationNs;
    if (this.phase !== 'idle') return;
    this.phase = 'preroll';
    this.flags = FLAG_WARMUP;
    this.prerollBucket.reset();
    this.restartSchedule(this.opts.clock.nowNs());
    this.paceTimer = setInterval(this.loop, PACE_INTERVAL_MS);
    this.loop();
  }

  /** At the synchronised start: warm-up (`--omit`) or straight to measuring. */
  private beginRun(): void {
    if (this.warmupEndNs > this.startAtNs) {
      this.phase = 'warmup';
      this.flags = FLAG_WARMUP;
      this.restartSchedule(this.startAtNs);
    } else {
      this.beginMeasure();
    }
    this.bucket.reset();
  }

  /** Stops sending now (interrupt, peer lost): flush, then end markers with the counts so far. */
  stop(): void {
    if (this.phase === 'idle') {
      this.phase = 'done';
      this.onDone?.();
      return;
    }
    if (this.phase === 'preroll' || this.phase === 'warmup' || this.phase === 'measure') this.enterFlush();
  }

  private beginMeasure(): void {
    this.phase = 'measure';
    this.measureBegan = true;
    this.flags = 0;
    this.seq = 0;
    if (this.rtp !== null) {
      // The measured phase is an RTP stream of its own (a new SSRC, RFC 3550 §8): the warm-up's packets are not in its counts. No send is outstanding here.
      let ssrc = random32();
      if (ssrc === this.rtpSsrc) ssrc = (ssrc + 1) >>> 0;
      this.newRtpStream(ssrc);
      for (const b of this.pool) writeRtpHeader(b, this.rtp.payloadType, ssrc);
    }
    this.opts.onMeasureStart?.();
    this.measureStartNs = this.opts.clock.nowNs();
    // The measured phase starts the pattern afresh: frame 0 (a key frame), same seed, same sizes.
    this.restartSchedule(this.measureStartNs);
  }

  /**
   * `--wire rtp`, measured phase: sends an RTCP sender report (RFC 3550
   * §6.4.1) about the measured stream: packets and payload octets the kernel
   * accepted so far, and the RTP timestamp of now (about once a second, from
   * the worker's sampling tick).
   */
  sendSenderReport(): void {
    const rtp = this.rtp;
    if (rtp === null || this.rtcp === null || this.phase !== 'measure') return;
    const now = this.opts.clock.nowNs();
    const r = this.rtcp.senderReport({
      ssrc: this.rtpSsrc,
      rtpTimestamp: this.rtpTsBase + Math.floor(((now - this.measureStartNs) * rtp.clockRate) / 1e9),
      packets: this.sent,
      octets: this.sentBytes - RTP_HEADER_BYTES * this.sent,
    });
    if (r !== null) this.rawSend(r.buf, r.length, this.onEndSent);
  }

  /** A new RTP stream: its SSRC, and a random first sequence number and timestamp (RFC 3550 §5.1). */
  private newRtpStream(ssrc: number): void {
    this.rtpSsrc = ssrc;
    this.rtpSeq = random32() & 0xffff;
    this.rtpTsBase = random32();
  }

  /** Starts the pattern's schedule (if it has one) from frame 0 at `originNs`. */
  private restartSchedule(originNs: number): void {
    const pattern = this.opts.pattern;
    if (pattern === undefined || !isScheduled(pattern)) return;
    this.schedule = createSchedule(pattern);
    this.schedule.next(this.next);
    this.originNs = originNs;
  }

  private enterFlush(): void {
    this.flushingMeasured = this.phase === 'measure';
    // Nothing is sent at or after the nominal end, so a late timer must not stretch the duration.
    if (this.phase === 'measure') this.measureEndNs = Math.min(this.opts.clock.nowNs(), this.endNs);
    else this.measureEndNs = this.measureStartNs = this.measureStartNs || this.opts.clock.nowNs();
    this.phase = 'flush';
    if (this.paceTimer) clearInterval(this.paceTimer);
    this.paceTimer = null;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = null;
    this.maybeFinishFlush();
  }

  private maybeFinishFlush(): void {
    if (this.phase !== 'flush' || this.inflight > 0) return;
    this.phase = 'ending';
    let copies = 0;
    const sendEnd = (): void => {
      // The end marker carries the sequence numbers used, the kernel-accepted count and the burned ones (wire.ts).
      stampEnd(this.endBuf, { seqEnd: this.seqEnd, sent: this.sent, burned: this.measureErrors }, this.opts.clock.nowNs());
      if (this.schedule !== null) {
        // Framed: the end marker also says how many frames the measured phase used.
        this.endBuf[7] = FLAG_FRAMED;
        stampFrame(this.endBuf, this.measureBegan ? this.framesSent : 0, 0, 1);
      }
      this.rawSend(this.endBuf, this.endBuf.length, this.onEndSent);
      if (++copies < END_MARKER_COPIES) {
        setTimeout(sendEnd, END_MARKER_SPACING_MS);
      } else {
        this.phase = 'done';
        this.onDone?.();
      }
    };
    sendEnd();
  }

  private pump(): void {
    let phase = this.phase;
    if (phase !== 'warmup' && phase !== 'measure' && phase !== 'preroll') return;
    const clock = this.opts.clock;
    let now = clock.nowNs();
    if (now >= this.endNs) {
      this.enterFlush();
      return;
    }
    if (phase === 'preroll' && now >= this.startAtNs) {
      // Every pre-roll callback must be in before the phase changes.
      if (this.inflight > 0) return;
      this.beginRun();
      phase = this.phase;
    }
    // The quiet gap before measuring (see QUIET_BEFORE_MEASURE_NS): no warm-up datagram near the drop baseline.
    if ((phase === 'preroll' || phase === 'warmup') && now >= this.warmupEndNs - QUIET_BEFORE_MEASURE_NS && now < this.warmupEndNs) return;
    if (phase === 'warmup' && now >= this.warmupEndNs) {
      // Switch only with no send outstanding, so every callback is counted in its own phase.
      if (this.inflight > 0) return;
      this.beginMeasure();
    }
    // Back-pressure: never reuse a ring buffer a queued send still holds.
    if (this.schedule !== null) {
      this.pumpScheduled(now);
      return;
    }
    const room = POOL_SIZE - this.inflight;
    const batch = this.opts.batch;
    if (room < batch) return;
    const n = (phase === 'preroll' ? this.prerollBucket : this.bucket).take(batch < this.tickBudget ? batch : this.tickBudget);
    this.tickBudget -= n;
    if (n === 0) return;
    const echo = this.opts.echo;
    const size = this.opts.sizeBytes;
    const ratePps = this.opts.ratePps;
    if (phase === 'measure' && ratePps !== null) {
      // cbr pacing error, once per turn: how late this turn's first datagram is against its ideal time.
      const lateNs = now - (this.measureStartNs + (this.seq * 1e9) / ratePps);
      this.pacing.recordValue(lateNs <= 0 ? 0 : lateNs < MAX_TRACKED_US * 1000 ? Math.round(lateNs / 1000) : MAX_TRACKED_US);
    }
    const rtp = this.rtp;
    for (let i = 0; i < n; i++) {
      const buf = this.pool[this.poolIndex] as Buffer;
      const inner = this.inner[this.poolIndex] as Buffer;
      this.poolIndex = (this.poolIndex + 1) % POOL_SIZE;
      now = clock.nowNs();
      let echoTime = 0;
      let echoDelayUs = 0;
      if (echo !== null && readEcho(echo, this.echoPair)) {
        echoTime = this.echoPair[0] as number;
        if (echoTime !== 0) echoDelayUs = Math.round((now - (this.echoPair[1] as number)) / 1000);
      }
      stampData(inner, this.seq, this.flags, now, echoTime, echoDelayUs);
      if (rtp !== null) {
        // cbr has no media clock: the send instant is the sampling instant (from the phase's start).
        const origin = this.phase === 'measure' ? this.measureStartNs : this.startAtNs;
        stampRtp(buf, rtp.payloadType, false, this.rtpSeq, (this.rtpTsBase + Math.floor(((now - origin) * rtp.clockRate) / 1e9)) >>> 0);
        this.rtpSeq = (this.rtpSeq + 1) & 0xffff;
      }
      this.seq++;
      if (this.phase === 'measure') this.attempted++;
      this.inflight++;
      this.rawSend(buf, size, this.onSent);
    }
    // More credit than one batch: continue after the poll phase has read.
    if (n === batch && this.immediate === null) this.immediate = setImmediate(this.continueLoop);
  }

  /**
   * Sends every datagram of the schedule that is due, whole frames back to
   * back (that burst is what a video sender does to a receive buffer). A
   * frame starts only when the ring has room for all of it; the lateness of
   * each measured send against its due time is the pacing error.
   */
  private pumpScheduled(startNs: number): void {
    const clock = this.opts.clock;
    const d = this.next;
    const schedule = this.schedule as Schedule;
    const echo = this.opts.echo;
    const flags = this.flags | FLAG_FRAMED;
    const measuring = this.phase === 'measure';
    let now = startNs;
    let started = 0;
    while (this.originNs + d.atUs * 1000 <= now) {
      if (d.index === 0) {
        if (POOL_SIZE - this.inflight < d.count) return; // back-pressure: the next pacing tick tries again
        if (started >= SCHEDULED_TURN_MAX) {
          if (this.immediate === null) this.immediate = setImmediate(this.continueLoop);
          return;
        }
        if (measuring) {
          this.framesSent++;
          (this.burst as hdr.Histogram).recordValue(d.count);
          this.frameBytes = 0;
        }
      }
      const slot = this.poolIndex;
      const buf = this.pool[slot] as Buffer;
      const inner = this.inner[slot] as Buffer;
      this.poolIndex = (slot + 1) % POOL_SIZE;
      const size = d.sizeBytes < this.minBytes ? this.minBytes : d.sizeBytes;
      this.sizes[slot] = size;
      now = clock.nowNs();
      let echoTime = 0;
      let echoDelayUs = 0;
      if (echo !== null && readEcho(echo, this.echoPair)) {
        echoTime = this.echoPair[0] as number;
        if (echoTime !== 0) echoDelayUs = Math.round((now - (this.echoPair[1] as number)) / 1000);
      }
      stampData(inner, this.seq, flags, now, echoTime, echoDelayUs);
      stampFrame(inner, d.frame, d.index, d.count);
      const rtp = this.rtp;
      if (rtp !== null) {
        // The frame's media time is its due time (RFC 3550 §5.1: the sampling instant); the marker ends a video frame (RFC 3551 §4.1).
        stampRtp(buf, rtp.payloadType, this.rtpMarksFrames && d.index === d.count - 1, this.rtpSeq, (this.rtpTsBase + Math.round((d.atUs * rtp.clockRate) / 1e6)) >>> 0);
        this.rtpSeq = (this.rtpSeq + 1) & 0xffff;
      }
      if (measuring) {
        this.attempted++;
        const lateUs = (now - this.originNs) / 1000 - d.atUs;
        this.pacing.recordValue(lateUs <= 0 ? 0 : lateUs < MAX_TRACKED_US ? Math.round(lateUs) : MAX_TRACKED_US);
        this.frameBytes += size;
        if (d.index === d.count - 1 && this.frameBytes > this.frameBytesMax) this.frameBytesMax = this.frameBytes;
      }
      this.seq++;
      this.inflight++;
      started++;
      this.rawSend(buf, size, this.onSent);
      schedule.next(d);
    }
  }

  private rawSend(buf: Buffer, len: number, cb: (err: Error | null) => void): void {
    const peer = this.opts.peer;
    try {
      // Whole buffers go without offset and length: with them, dgram makes a
      // new Buffer view (sliceBuffer) on every send.
      if (len === buf.length) {
        if (peer === null) this.opts.socket.send(buf, cb);
        else this.opts.socket.send(buf, peer.port, peer.address, cb);
      } else if (peer === null) this.opts.socket.send(buf, 0, len, cb);
      else this.opts.socket.send(buf, 0, len, peer.port, peer.address, cb);
    } catch (err) {
      // Synchronous throw (e.g. socket closed): count it like an async error.
      cb(err as Error);
    }
  }

  /** Sequence numbers used by the measured phase (the sequence restarts at 0 when it begins). */
  get seqEnd(): number {
    return this.measureBegan ? this.seq : 0;
  }

  private sentCallback(err: Error | null): void {
    this.inflight--;
    // Send callbacks come back in the order of the sends (libuv completes a socket's sends in order).
    const size = this.sizes[this.doneIndex] as number;
    this.doneIndex = (this.doneIndex + 1) % POOL_SIZE;
    const p = this.phase;
    const measured = p === 'measure' || (p === 'flush' && this.flushingMeasured);
    if (err === null) {
      if (measured) {
        this.sent++;
        this.sentBytes += size;
      }
      else this.warmupSent++;
    } else {
      const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      this.errors[code] = (this.errors[code] ?? 0) + 1;
      if (measured) this.measureErrors++;
    }
    if (this.phase === 'flush' && this.inflight === 0) this.maybeFinishFlush();
  }

  /** A plain copy of the counters. */
  snapshot(): SenderCounters {
    return {
      sent: this.sent,
      attempted: this.attempted,
      warmupSent: this.warmupSent,
      errors: { ...this.errors },
      measureErrors: this.measureErrors,
      seqEnd: this.seqEnd,
      measureStartNs: this.measureStartNs,
      measureEndNs: this.measureEndNs,
      sentBytes: this.sentBytes,
      pacingErrorUs: this.pacing.totalCount === 0 ? null : { count: this.pacing.totalCount, p50: Math.min(this.pacing.getValueAtPercentile(50), this.pacing.maxValue), p99: Math.min(this.pacing.getValueAtPercentile(99), this.pacing.maxValue), max: this.pacing.maxValue },
      frames:
        this.burst === null
          ? null
          : {
              sent: this.framesSent,
              datagramsP50: this.burst.totalCount === 0 ? 0 : this.burst.getValueAtPercentile(50),
              datagramsMax: this.burst.totalCount === 0 ? 0 : this.burst.maxValue,
              bytesMax: this.frameBytesMax,
            },
    };
  }
}
