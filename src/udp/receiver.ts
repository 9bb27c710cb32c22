/**
 * The receiving half of an endpoint: decodes each datagram, rejects what is
 * not this direction's traffic from the expected peer (counted as foreign),
 * and feeds the rest to the pure {@link DirectionAccounting}. Delay goes into
 * an HDR histogram (fixed memory). The handler is one bound method; nothing
 * is allocated per datagram beyond what `dgram` itself hands us.
 */
import type dgram from 'node:dgram';
import * as hdr from 'hdr-histogram-js';
import { DirectionAccounting, SEQ_LIMIT, SequenceWindow } from './accounting.js';
import type { Clock } from './clock.js';
import { type EchoState, writeEcho } from './echo.js';
import { CONTROL_KIND_MIN, Decode, type EndCounts, FLAG_FRAMED, FLAG_WARMUP, type FrameFields, Kind, createHeader, decodeFrame, decodeHeader, endCountsOf } from './wire.js';
import { FrameAccounting } from './frames.js';
import { MAX_TRACKED_US } from './defaults.js';
import { RTP_HEADER_BYTES, RtpStreamStats, clockRateOfPayloadType, isRtcpOctet, isRtpFamily, random32 } from './rtp.js';
import { RtcpAgent } from './rtcp-agent.js';
import { lateCounts, type LateCounts } from './late.js';
import { type LossShape, type LossShapeState, lossShape, newLossShape, recordReceived, recordTrailingLoss } from './loss-shape.js';

/** Most distinct peer sources remembered (for the "one port" check). */
const MAX_SOURCES = 8;

export interface ReceiverOptions {
  clock: Clock;
  session: number;
  /** Wire direction id of the datagrams this receiver expects. */
  direction: number;
  /** Expected source; datagrams from elsewhere are foreign. `null` accepts any source (connected sockets are filtered by the kernel). */
  peer: { address: string; port: number } | null;
  /** Whether the sender's timestamps share our clock (same machine): one-way delay is then meaningful. */
  sharedClock: boolean;
  /** Where to leave the latest peer timestamp for our sender to echo; optional. */
  echo: EchoState | null;
  /**
   * Tests only (both processes on one machine): also record one-way delay as
   * if the clocks were one, to check the estimated offset against.
   */
  alsoSharedClock?: boolean;
  /** Called for datagrams of kinds other than data and end (remote-mode control). */
  onControl?: (msg: Buffer, rinfo: dgram.RemoteInfo) => void;
  /**
   * What the peer's sender could have reached in this direction (see
   * {@link SequenceWindow}): its most datagrams per second and the datagram
   * slack. Sequence numbers beyond, and end markers whose counts are, are
   * foreign (`outOfWindow`). Give the agreed start with
   * {@link Receiver.schedule}. Absent: only numbers from 2^53 on are refused
   * (micro-benchmarks).
   */
  window?: { maxPps: number; slackDatagrams?: number };
  /** Sends a datagram to the peer from this receiver's socket (its RTCP receiver reports); absent: none are sent. */
  reply?: (buf: Buffer, length: number) => void;
}

/** Percentiles of a histogram in µs. */
export interface Percentiles {
  count: number;
  /** The smallest value recorded (a one-way delay's base: the least-queued datagram). */
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Per-reason foreign counts. */
export interface ForeignCounts {
  truncated: number;
  badMagic: number;
  badVersion: number;
  wrongSession: number;
  wrongSource: number;
  wrongDirection: number;
  /**
   * This session's data datagrams whose sequence number the sender could not
   * have reached (accounting.ts `SequenceWindow`: beyond its rate since it
   * could have started, at or above the end marker's count, or not below
   * 2^53), and end markers with such counts. Optional: absent when 0, so
   * that a report without any crosses to a peer whose control schema does
   * not know the field (bench/control-schema.ts).
   */
  outOfWindow?: number;
}

/** Receives one direction's datagrams. */
export class Receiver {
  readonly acct = new DirectionAccounting();
  foreign = 0;
  readonly foreignBy: Required<ForeignCounts> = { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0, outOfWindow: 0 };
  /** The sequence numbers the sender could have reached, or `null` (no `window` option: only 2^53 bounds them). */
  readonly window: SequenceWindow | null;
  warmupReceived = 0;
  /** Highest warm-up sequence number + 1 (pre-roll and `--omit` share one sequence). */
  warmupExpected = 0;
  /** The first end marker's counts, or `null` before one arrived. */
  end: EndCounts | null = null;
  /** End-marker copies received. */
  endMarkers = 0;
  /** Monotonic arrival time of the latest valid datagram from the peer (0 = none yet). */
  lastArrivalNs = 0;
  /**
   * Across machines: the peer's clock − ours (ns), estimated before the start
   * (bench/clock-sync.ts); one-way delays are then recorded against it.
   * `null`: only a shared clock records one-way delay.
   */
  peerOffsetNs: number | null = null;
  /** Payload bytes of the unique measured datagrams received. */
  receivedBytes = 0;
  /** Frame accounting, created by the first framed datagram (framed patterns only). */
  frames: FrameAccounting | null = null;
  /** Framed datagrams whose frame extension was inconsistent (counted, not used). */
  badFrames = 0;
  /** The end marker's frame count (framed patterns), or `null`. */
  endFrames: number | null = null;
  /** `--wire rtp`: the measured RTP stream as a standard RTP receiver sees it (rtp.ts). */
  readonly rtp = new RtpStreamStats(clockRateOfPayloadType);
  /** RTCP packets that arrived (RFC 5761 multiplexing on the same port). */
  rtcpPackets = 0;
  /** Our RTCP: receiver reports about the incoming RTP stream, and what the peer's reports say of ours (rtcp-agent.ts). */
  readonly rtcp = new RtcpAgent({ ssrc: random32() });
  /** RFC 3611 burst/gap state (loss-shape.ts), fed in sequence order as the highest sequence number advances. */
  private readonly shape: LossShapeState = newLossShape();
  /** One-way delay since the last {@link takeIntervalDelay}: sum, count and largest, µs (no histogram: three numbers per datagram). */
  private ivDelaySumUs = 0;
  private ivDelayCount = 0;
  private ivDelayMaxUs = 0;
  /** Largest frame delay completed since the last {@link takeIntervalFrameDelayNs}, ns. */
  private intervalFrameDelayNs = 0;
  private readonly frame: FrameFields = { frame: 0, index: 0, count: 0 };
  /** An end marker's counts before they are judged (no allocation for implausible ones). */
  private readonly endCounts: EndCounts = { seqEnd: 0, sent: 0, burned: 0 };
  private frameDelay: hdr.Histogram | null = null;
  readonly sources: string[] = [];
  private readonly hdr = createHeader();
  private readonly delay: hdr.Histogram;
  private readonly rtt: hdr.Histogram;
  private readonly delayShared: hdr.Histogram | null;
  private onEnd: ((end: EndCounts) => void) | null = null;
  private lastSourcePort = -1;
  private lastSourceAddress = '';

  /** The `'message'` listener; bind it with `socket.on('message', r.onMessage)`. */
  readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => this.handle(msg, rinfo);

  constructor(private readonly opts: ReceiverOptions) {
    const spec = { lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 as const };
    this.delay = hdr.build(spec);
    this.rtt = hdr.build(spec);
    this.delayShared = opts.alsoSharedClock === true ? hdr.build(spec) : null;
    // The peer cannot have sent before this receiver existed (its sender starts after our ready), less the window's time slack.
    this.window = opts.window === undefined ? null : new SequenceWindow({ ...opts.window, originNs: opts.clock.nowNs() });
  }

  /** The agreed start on this receiver's clock, the warm-up and the measured time (ns): they bound the sequence numbers (worker's start message). */
  schedule(startAtNs: number, warmupNs: number, durationNs: number): void {
    this.window?.schedule(startAtNs, warmupNs, durationNs);
  }

  /** Calls `fn` once, when the first end marker arrives. */
  whenEnded(fn: (end: EndCounts) => void): void {
    this.onEnd = fn;
    if (this.end !== null) fn(this.end);
  }

  private handle(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const arrival = this.opts.clock.nowNs();
    const h = this.hdr;
    // RTP or RTCP (rtp.ts): our header follows the RTP header; RTCP is counted apart.
    let at = 0;
    if (isRtpFamily(msg, msg.length)) {
      if (msg.length >= 2 && isRtcpOctet(msg[1] as number)) {
        this.rtcpPackets++;
        const peer = this.opts.peer;
        if (peer === null || (rinfo.port === peer.port && rinfo.address === peer.address)) this.rtcp.receive(msg, arrival);
        return;
      }
      at = RTP_HEADER_BYTES;
    }
    const status = decodeHeader(msg, msg.length, null, h, at);
    if (status !== Decode.Ok) {
      this.foreign++;
      const f = this.foreignBy;
      if (status === Decode.Truncated) f.truncated++;
      else if (status === Decode.BadMagic) f.badMagic++;
      else f.badVersion++;
      return;
    }
    if (h.kind >= CONTROL_KIND_MIN && at === 0 && this.opts.onControl !== undefined) {
      // Control frames go to the controller wherever they land (any session, any source).
      this.opts.onControl(msg, rinfo);
      return;
    }
    if (h.session !== this.opts.session) {
      this.foreign++;
      this.foreignBy.wrongSession++;
      return;
    }
    const peer = this.opts.peer;
    if (peer !== null && (rinfo.port !== peer.port || rinfo.address !== peer.address)) {
      this.foreign++;
      this.foreignBy.wrongSource++;
      return;
    }
    if (h.kind !== Kind.Data && h.kind !== Kind.End) {
      this.foreign++;
      this.foreignBy.wrongSession++;
      return;
    }
    if (h.direction !== this.opts.direction) {
      this.foreign++;
      this.foreignBy.wrongDirection++;
      return;
    }
    if (h.kind === Kind.End) {
      if (at !== 0) {
        // End markers keep our own framing (wire.ts): one in RTP is not our sender's.
        this.foreign++;
        this.foreignBy.wrongSession++;
        return;
      }
      this.endMarker(msg, rinfo, arrival);
      return;
    }
    // A sequence number the sender could not have reached is not its datagram: foreign, and never used below.
    const seq = h.seq;
    const w = this.window;
    const limit = w === null ? SEQ_LIMIT : (h.flags & FLAG_WARMUP) !== 0 ? w.warmupLimit(arrival) : w.measuredLimit(arrival);
    if (!(seq < limit) || Math.floor(seq) !== seq) {
      this.foreign++;
      this.foreignBy.outOfWindow++;
      return;
    }
    this.lastArrivalNs = arrival;
    if (rinfo.port !== this.lastSourcePort || rinfo.address !== this.lastSourceAddress) this.noteSource(rinfo);
    if (this.opts.echo !== null) writeEcho(this.opts.echo, h.sendTimeNs, arrival);
    if (h.echoTimeNs !== 0) {
      // RTT = now − our original send time − the time the peer held it.
      const rttUs = (arrival - h.echoTimeNs) / 1000 - h.echoDelayUs;
      if (rttUs >= 0) this.rtt.recordValue(rttUs < MAX_TRACKED_US ? Math.round(rttUs) : MAX_TRACKED_US);
    }
    if ((h.flags & FLAG_WARMUP) !== 0) {
      // Warm-up keeps only counts and the highest sequence, for its (omitted) progress lines.
      this.warmupReceived++;
      if (seq >= this.warmupExpected) this.warmupExpected = seq + 1;
      return;
    }
    // tshark's view counts every RTP packet of the stream, duplicates included.
    if (at !== 0) this.rtp.record(msg, arrival);
    const highest = this.acct.expected;
    if (!this.acct.record(seq, h.sendTimeNs, arrival)) return;
    // A new highest sequence number: the numbers it skipped are lost so far. A
    // datagram reordered behind it arrives after its gap was counted: the
    // loss shape then counts it as lost (the result says how many were reordered).
    if (seq >= highest) recordReceived(this.shape, seq - highest);
    this.receivedBytes += msg.length;
    // The send time on our clock: the same clock, or the peer's corrected by the estimated offset.
    const offset = this.opts.sharedClock ? 0 : this.peerOffsetNs;
    const sentHere = offset === null ? h.sendTimeNs : h.sendTimeNs - offset;
    if (offset !== null) {
      const us = (arrival - sentHere) / 1000;
      this.delay.recordValue(us <= 0 ? 0 : us < MAX_TRACKED_US ? Math.round(us) : MAX_TRACKED_US);
      this.ivDelaySumUs += us;
      this.ivDelayCount++;
      if (us > this.ivDelayMaxUs) this.ivDelayMaxUs = us;
    }
    if (this.delayShared !== null) {
      const us = (arrival - h.sendTimeNs) / 1000;
      this.delayShared.recordValue(us <= 0 ? 0 : us < MAX_TRACKED_US ? Math.round(us) : MAX_TRACKED_US);
    }
    if ((h.flags & FLAG_FRAMED) !== 0) this.recordFrame(msg, at, seq, sentHere, arrival);
  }

  /**
   * An end marker (its counts in the echo fields, wire.ts: no RTT sample).
   * One whose counts the sender could not have produced — a count beyond
   * the window, sent or burned above it, more frames than datagrams — is
   * foreign, not the direction's end; the first plausible one is the end.
   */
  private endMarker(msg: Buffer, rinfo: dgram.RemoteInfo, arrival: number): void {
    const c = this.endCounts;
    endCountsOf(this.hdr, c);
    const framed = (this.hdr.flags & FLAG_FRAMED) !== 0 && decodeFrame(msg, msg.length, this.frame);
    const w = this.window;
    const plausible =
      (w === null ? Number.isInteger(c.seqEnd) && c.seqEnd >= 0 && c.seqEnd <= SEQ_LIMIT && c.sent <= c.seqEnd && c.burned <= c.seqEnd : w.plausibleEnd(c.seqEnd, c.sent, c.burned, arrival)) &&
      (!framed || this.frame.frame <= c.seqEnd);
    if (!plausible) {
      this.foreign++;
      this.foreignBy.outOfWindow++;
      return;
    }
    this.lastArrivalNs = arrival;
    if (rinfo.port !== this.lastSourcePort || rinfo.address !== this.lastSourceAddress) this.noteSource(rinfo);
    this.endMarkers++;
    if (this.end !== null) return;
    const end: EndCounts = { seqEnd: c.seqEnd, sent: c.sent, burned: c.burned };
    if (framed) this.endFrames = this.frame.frame;
    this.end = end;
    w?.ended(end.seqEnd);
    this.onEnd?.(end);
  }

  /** Tests only: one-way delay as one shared clock measures it (`alsoSharedClock`), or `null`. */
  sharedClockPercentiles(): Percentiles | null {
    return this.delayShared === null ? null : percentiles(this.delayShared);
  }

  /** Frame accounting of one unique measured datagram (framed patterns). */
  private recordFrame(msg: Buffer, at: number, seq: number, sendTimeNs: number, arrival: number): void {
    const f = this.frame;
    // Frames count from 0 in the measured phase and each takes at least one sequence number: a frame above its datagram's sequence number is inconsistent.
    if (!decodeFrame(msg, msg.length, f, at) || f.frame > seq) {
      this.badFrames++;
      return;
    }
    if (this.frames === null) {
      this.frames = new FrameAccounting();
      this.frameDelay = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 });
    }
    if (!this.frames.record(f.frame, f.index, f.count, sendTimeNs, arrival)) return;
    const ns = this.frames.lastDelayNs;
    if (ns > this.intervalFrameDelayNs) this.intervalFrameDelayNs = ns;
    if (this.opts.sharedClock || this.peerOffsetNs !== null) {
      const us = ns / 1000;
      (this.frameDelay as hdr.Histogram).recordValue(us <= 0 ? 0 : us < MAX_TRACKED_US ? Math.round(us) : MAX_TRACKED_US);
    }
  }

  /** Mean and largest one-way delay since the last call, µs (`count` 0: none recorded); resets them. For the per-second samples. */
  takeIntervalDelay(): { meanUs: number; maxUs: number; count: number } {
    const out = { meanUs: this.ivDelayCount > 0 ? this.ivDelaySumUs / this.ivDelayCount : 0, maxUs: this.ivDelayMaxUs, count: this.ivDelayCount };
    this.ivDelaySumUs = 0;
    this.ivDelayCount = 0;
    this.ivDelayMaxUs = 0;
    return out;
  }

  /** The largest frame delay completed since the last call, µs (0 = none); resets it. For the per-second samples. */
  takeIntervalFrameDelayUs(): number {
    const us = Math.round(this.intervalFrameDelayNs / 1000);
    this.intervalFrameDelayNs = 0;
    return us;
  }

  /** Frame delay percentiles (µs), or `null` when no frame completed or the clocks differ. */
  frameDelayPercentiles(): Percentiles | null {
    return this.frameDelay === null ? null : percentiles(this.frameDelay);
  }

  private noteSource(rinfo: dgram.RemoteInfo): void {
    this.lastSourcePort = rinfo.port;
    this.lastSourceAddress = rinfo.address;
    const key = rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    if (!this.sources.includes(key) && this.sources.length < MAX_SOURCES) this.sources.push(key);
  }

  /**
   * Late arrivals for a fixed-delay jitter buffer (late.ts) at each playout
   * delay: datagrams, and frames, whose one-way delay exceeds the smallest
   * datagram delay plus that delay. `null` when no one-way delay was recorded.
   */
  lateCounts(o: { playoutMs: readonly number[]; maxLatePercent: number }): LateCounts | null {
    return lateCounts({ delay: this.delay, frameDelay: this.frameDelay, ...o });
  }

  /** Sends a receiver report about the incoming RTP stream (about once a second, from the worker's sampling tick); nothing before RTP arrived. */
  sendReceiverReport(nowNs: number): void {
    const reply = this.opts.reply;
    if (reply === undefined) return;
    const r = this.rtcp.receiverReport(this.rtp, nowNs);
    if (r !== null) reply(r.buf, r.length);
  }

  /**
   * RFC 3611 burst/gap figures of the measured sequence; with the end
   * marker's count, the numbers after the highest one received count as a
   * trailing loss. Call once, at the end.
   */
  lossShape(): LossShape {
    const end = this.end;
    if (end !== null && end.seqEnd > this.acct.expected) recordTrailingLoss(this.shape, end.seqEnd - this.acct.expected);
    return lossShape(this.shape);
  }

  /** One-way delay percentiles (µs), or `null` when none was recorded. */
  delayPercentiles(): Percentiles | null {
    return percentiles(this.delay);
  }

  /** Round-trip percentiles (µs) from echoed timestamps, or `null`. */
  rttPercentiles(): Percentiles | null {
    return percentiles(this.rtt);
  }
}

function percentiles(h: hdr.Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  return {
    count: h.totalCount,
    min: h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : Math.min(h.minNonZeroValue, h.getValueAtPercentile(0)),
    // HDR percentiles are bucket edges, the max is exact: a percentile is never above the max.
    p50: Math.min(h.getValueAtPercentile(50), h.maxValue),
    p90: Math.min(h.getValueAtPercentile(90), h.maxValue),
    p99: Math.min(h.getValueAtPercentile(99), h.maxValue),
    max: h.maxValue,
  };
}
