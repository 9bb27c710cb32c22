/**
 * Pure functions that merge the workers' partial results into the result's
 * per-direction and per-endpoint figures. No I/O, no clock: easy to test.
 */
import type { DirectionResult, FrameResult, IntervalSample, LatencyUs, LossAttribution, LossCheck, PacingErrorUs, RxQueuePeak } from '../result/types.js';
import { END_MARKER_COPIES } from '../udp/wire.js';
import { isUndersent } from '../result/undersent.js';
import type { ReceiverPartial, SenderPartial } from './messages.js';
import type { Percentiles } from '../udp/receiver.js';
import type { RtcpIn } from '../udp/rtcp-agent.js';
import { lossShapeResultOf, playoutResultOf, rtpResultOf } from './media-quality.js';

/** Everything needed to compute one direction. */
export interface DirectionInputs {
  from: 'A' | 'B';
  to: 'A' | 'B';
  /** The sending side's counters; `null` when the sender's report was lost (e.g. a crashed worker). */
  sender: SenderPartial | null;
  /** The receiving side's counters; `null` when missing. */
  receiver: ReceiverPartial | null;
  /** Drops of the receiving socket(s) during the measured phase; `null` when /proc was unavailable. */
  kernelDrops: number | null;
  /**
   * Whether the receiving socket's drops should equal the loss exactly: true
   * on loopback with both endpoints here (no path between the sockets, no
   * other socket on the port); false across machines, where a loss may also
   * happen on the way and a control socket shares the port.
   */
  kernelExact: boolean;
  /** Foreign datagrams seen by the receiving endpoint's other socket (split mode). */
  extraForeign: number;
  sizeBytes: number;
  /** The rate asked for, datagrams/s; `null` for unpaced. */
  offeredPps: number | null;
  /** Whether one-way delay is meaningful (both endpoints on one clock). */
  sharedClock: boolean;
  /** Why `kernelDrops` is `null` when /proc was not the reason (a socket shared by many peers); default: unavailable. */
  kernelDropsNote?: string;
  /** End-marker copies the receiver should have seen (several senders summed: copies × senders); default END_MARKER_COPIES. */
  endMarkerCopies?: number;
  /** The receiving socket's sampled peak queue; absent or `null` when not sampled. */
  rxQueuePeak?: RxQueuePeak | null;
  /** Across machines: the clock estimate the receiver's one-way delays were recorded with, and its correction. */
  clock?: DirectionClock | null;
  /** `--wire rtp`: what the receiver's RTCP reports said of this direction, as the sending endpoint's receiver read them; absent or `null` without. */
  peerRtcp?: RtcpIn | null;
}

/**
 * The clock estimate as it applies to one direction (clock-sync.ts): the
 * receiver recorded one-way delays against `offsetNs`; `shiftNs` corrects
 * them for the drift over the run, `boundNs` is the error bound of the result.
 */
export interface DirectionClock {
  offsetNs: number;
  driftPpm: number;
  shiftNs: number;
  boundNs: number;
  /** The idle one-way delay: half the best probe round trip before the run. */
  idleNs: number;
}

/** Estimated one-way delay percentiles: the recorded ones, shifted by the drift correction. */
function estimatedLatency(p: Percentiles | null, c: DirectionClock, what: string): LatencyUs {
  const shift = (v: number): number => Math.round(v + c.shiftNs / 1000);
  const base = { method: 'estimated-offset' as const, offsetUs: Math.round(c.offsetNs / 1000), driftPpm: Math.round(c.driftPpm * 100) / 100, boundUs: Math.ceil(c.boundNs / 1000) };
  if (p === null) return { p50: null, p90: null, p99: null, max: null, note: `n/a: no ${what} recorded`, ...base };
  return {
    p50: shift(p.p50),
    p90: shift(p.p90),
    p99: shift(p.p99),
    max: shift(p.max),
    note: `${what}, the peer's clock estimated by probes (NTP-style): ± ${base.boundUs} µs`,
    ...base,
  };
}

/**
 * Frame figures of a framed direction; `null` for `cbr` (neither side saw a frame).
 * Frames sent come from the sender, or from the end marker's count when the sender's report is missing.
 */
export function mergeFrames(s: SenderPartial | null, r: ReceiverPartial | null, sharedClock: boolean, clock: DirectionClock | null = null): FrameResult | null {
  const sf = s?.frames ?? null;
  const rf = r?.frames ?? null;
  if (sf === null && rf === null) return null;
  const sent = sf !== null ? sf.sent : (rf?.endFrames ?? null);
  // A receiver that reported but saw no framed datagram completed no frame.
  const complete = r === null ? null : (rf?.complete ?? 0);
  const incomplete = sent !== null && complete !== null ? sent - complete : null;
  const delayUs = sharedClock
    ? latencyFrom(rf?.delay ?? null, 'frame delay: first datagram sent to last datagram received, one monotonic clock', 'n/a: no frame completed')
    : clock !== null
      ? estimatedLatency(rf?.delay ?? null, clock, 'frame delay')
      : latencyFrom(null, '', 'n/a: frame delay needs one clock; the endpoints are on two machines');
  return {
    sent,
    complete,
    incomplete,
    partial: r === null ? null : (rf?.partial ?? 0),
    sentByEndMarker: rf?.endFrames ?? null,
    lossPercent: incomplete === null || sent === null ? null : sent > 0 ? (incomplete / sent) * 100 : 0,
    delayUs,
    burst: sf === null ? null : { datagramsP50: sf.datagramsP50, datagramsMax: sf.datagramsMax, bytesMax: sf.bytesMax },
  };
}

/** The sender's pacing error: per datagram for framed patterns, per pacing turn for `cbr`. */
function pacingOf(s: SenderPartial | null): PacingErrorUs | null {
  const p = s?.pacingErrorUs ?? null;
  if (s === null || p === null) return null;
  return { p50: p.p50, p99: p.p99, max: p.max, per: s.frames !== null ? 'datagram' : 'turn' };
}

function latencyFrom(p: Percentiles | null, note: string, missing: string): LatencyUs {
  if (p === null) return { p50: null, p90: null, p99: null, max: null, note: missing };
  return { p50: p.p50, p90: p.p90, p99: p.p99, max: p.max, note };
}

/**
 * Per-second samples from cumulative counters. The last (possibly partial)
 * interval ends at the sender's final count and the receiver's final count;
 * lost per interval is the receiver's sequence-gap estimate of RFC 3550
 * §6.4.1 (expected − received, floored at 0), the last one against the end
 * marker's sequence count. A side whose figures are missing gives `null`.
 */
export function mergeIntervals(args: {
  sentCum: readonly number[] | null;
  receivedCum: readonly number[] | null;
  expectedCum: readonly number[] | null;
  /** Final cumulative counts; `null` for a side that did not report. */
  final: { sent: number | null; received: number | null; expected: number | null };
  durationSeconds: number;
}): IntervalSample[] {
  const { sentCum, receivedCum, expectedCum, final, durationSeconds } = args;
  const n = Math.max(sentCum?.length ?? 0, receivedCum?.length ?? 0, Math.ceil(durationSeconds - 0.02));
  const out: IntervalSample[] = [];
  let ps = 0;
  let pr = 0;
  let pe = 0;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const s = sentCum === null || final.sent === null ? null : last ? final.sent : (sentCum[i] ?? final.sent);
    const r = receivedCum === null || final.received === null ? null : last ? final.received : (receivedCum[i] ?? final.received);
    const e = expectedCum === null || final.expected === null ? null : last ? final.expected : (expectedCum[i] ?? final.expected);
    out.push({
      t: last ? Math.round(durationSeconds * 1000) / 1000 : i + 1,
      sent: s === null ? null : s - ps,
      received: r === null ? null : r - pr,
      lost: r === null || e === null ? null : Math.max(0, e - pe - (r - pr)),
    });
    ps = s ?? ps;
    pr = r ?? pr;
    pe = e ?? pe;
  }
  return out;
}

/** Splits `lost` between the receiving kernel and the network. */
export function attributeLoss(lost: number, kernelDrops: number | null, senderErrors: number): LossAttribution {
  const kernel = kernelDrops === null ? 0 : Math.max(0, Math.min(kernelDrops, lost));
  return { sender: senderErrors, kernel, network: lost - kernel };
}

/**
 * The independent derivations of a direction's loss (schema `LossCheck`).
 * `lostBySequence` needs the end marker; kernel drops are compared only
 * where they are exact for the path, after removing end-marker copies the
 * receiving socket dropped (they are datagrams too, but not data).
 */
export function checkLoss(args: { lost: number | null; receiver: ReceiverPartial | null; kernelDrops: number | null; kernelExact: boolean; endMarkerCopies: number; kernelDropsNote?: string }): LossCheck {
  const { lost, receiver: r, kernelDrops, kernelExact } = args;
  const notes: string[] = [];
  let lostBySequence: number | null = null;
  if (r === null) notes.push('the receiver did not report');
  else if (r.end === null) notes.push('no end marker arrived: the receiver cannot tell how many sequence numbers were used');
  else lostBySequence = r.end.seqEnd - r.end.burned - r.received;
  let agree = lost !== null;
  if (lost === null) notes.push('lost is unknown');
  if (lostBySequence !== null && lost !== null && lostBySequence !== lost) {
    agree = false;
    notes.push(`lost by sequence (${lostBySequence}) differs from sent − received (${lost})`);
  }
  if (lostBySequence === null) agree = false;
  if (kernelDrops === null) notes.push(args.kernelDropsNote ?? 'kernel drops unavailable');
  else if (!kernelExact) notes.push('kernel drops not compared: across machines, loss can also happen on the path');
  else if (lost !== null && r !== null) {
    const missedEnds = r.end === null ? 0 : Math.max(0, args.endMarkerCopies - r.endMarkers);
    const dataDrops = kernelDrops - missedEnds;
    if (dataDrops !== lost) {
      agree = false;
      notes.push(`receiving socket dropped ${kernelDrops}${missedEnds > 0 ? ` (${missedEnds} of them end-marker copies)` : ''}, but ${lost} were lost`);
    } else if (missedEnds > 0) notes.push(`kernel drops include ${missedEnds} end-marker copies`);
  }
  return { lostBySequence, kernelDrops, agree, note: notes.length > 0 ? notes.join('; ') : null };
}

/**
 * Computes one direction of the result. `lost = sent − received` by
 * definition; `check` holds the derivations that could disagree with it.
 * A figure no side observed is `null`, never 0 or a copy of another.
 */
export function mergeDirection(d: DirectionInputs): DirectionResult {
  const s = d.sender;
  const r = d.receiver;
  // The kernel-accepted count from the sender is authoritative; the end
  // marker's copy of it stands in when the sender's own report is missing.
  const sent = s !== null ? s.sent : (r?.end?.sent ?? null);
  const received = r?.received ?? null;
  const lost = sent !== null && received !== null ? sent - received : null;
  const durationNs = s !== null && s.measureEndNs > s.measureStartNs ? s.measureEndNs - s.measureStartNs : 0;
  const durationSeconds = durationNs / 1e9;
  const perSecond = (n: number | null): number | null => (n === null || durationSeconds <= 0 ? null : n / durationSeconds);
  const sendErrors = s?.errors ?? {};
  const senderErrors = Object.values(sendErrors).reduce((a, b) => a + b, 0);
  const clock = d.clock ?? null;
  const latencyUs = latencyOf(d, r?.delay ?? null, clock);
  const sentPps = perSecond(sent);
  const offeredPps = d.offeredPps !== null && d.offeredPps > 0 ? d.offeredPps : d.offeredPps === 0 ? 0 : null;
  const result: DirectionResult = {
    from: d.from,
    to: d.to,
    sent,
    received,
    lost,
    duplicates: r?.duplicates ?? null,
    reordered: r?.reordered ?? null,
    late: r?.late ?? null,
    foreign: r === null ? null : r.foreign + d.extraForeign,
    // Of those, the ones with a sequence number (or end-marker counts) the sender could not have reached; only when any were.
    ...((r?.foreignBy.outOfWindow ?? 0) > 0 ? { foreignOutOfWindow: r?.foreignBy.outOfWindow as number } : {}),
    lossPercent: lost === null || sent === null ? null : sent > 0 ? (lost / sent) * 100 : 0,
    sendErrors: { ...sendErrors },
    kernelDrops: d.kernelDrops,
    lossAttribution: lost === null ? null : attributeLoss(lost, d.kernelDrops, senderErrors),
    // Unobserved when the sender's figures are missing: null, never 0 or "not undersent".
    durationSeconds: s === null ? null : durationSeconds,
    offeredPps,
    undersent: s === null ? null : isUndersent(sentPps, offeredPps),
    sentPps,
    receivedPps: perSecond(received),
    // Bytes as received: a pattern's datagrams differ in size.
    bitsPerSecond: r === null ? null : perSecond((r.receivedBytes ?? r.received * d.sizeBytes) * 8),
    jitterMs: r !== null && r.received >= 2 ? r.jitterNs / 1e6 : null,
    latencyUs,
    intervals: mergeIntervals({
      sentCum: s?.intervalSent ?? null,
      receivedCum: r?.intervalReceived ?? null,
      expectedCum: r?.intervalExpected ?? null,
      final: { sent: s?.sent ?? null, received, expected: r === null ? null : r.end !== null ? r.end.seqEnd : r.expected },
      durationSeconds,
    }),
    endMarkerSeen: r === null ? null : r.endMarkerSeen,
    check: checkLoss({
      lost,
      receiver: r,
      kernelDrops: d.kernelDrops,
      kernelExact: d.kernelExact,
      endMarkerCopies: d.endMarkerCopies ?? END_MARKER_COPIES,
      ...(d.kernelDropsNote === undefined ? {} : { kernelDropsNote: d.kernelDropsNote }),
    }),
  };
  if (s === null || r === null) result.observedBy = s !== null ? 'sender' : 'receiver';
  addFrames(result, d, clock);
  result.pacingErrorUs = pacingOf(s);
  if (r?.delaySharedClock != null) result.sharedClockCheckUs = { p50: r.delaySharedClock.p50, p99: r.delaySharedClock.p99 };
  addIntervalDelays(result, d, clock);
  const queueing = queueingDelayOf(clock, r?.delay ?? null);
  if (queueing !== null) result.queueingDelayUs = queueing;
  if (d.rxQueuePeak !== undefined) result.rxQueuePeak = d.rxQueuePeak;
  if (r?.stalls != null) result.stalls = { ...r.stalls };
  addMedia(result, r, durationSeconds, d.peerRtcp ?? null);
  // Round trip needs no shared clock: each side subtracts its own timestamps.
  result.rttUs = latencyFrom(r?.rtt ?? null, 'round-trip time from echoed timestamps (includes the peer\'s pacing delay up to one send)', 'n/a: no echoed timestamp received');
  return result;
}

type Clock = NonNullable<DirectionInputs['clock']>;

/** The receiver's media figures: RTP stream, loss shape, jitter-buffer late discard (media-quality.ts). */
function addMedia(result: DirectionResult, r: ReceiverPartial | null, durationSeconds: number, peerRtcp: RtcpIn | null): void {
  if (r === null) return;
  if (r.rtp !== undefined) result.rtp = rtpResultOf(r.rtp, r.rtcpPackets ?? 0, peerRtcp);
  if (r.lossShape !== undefined) {
    // Burst and gap lengths in time: datagrams × the mean interval between sequence numbers.
    const numbers = r.end?.seqEnd ?? r.expected;
    const intervalMs = numbers > 0 && durationSeconds > 0 ? (durationSeconds * 1000) / numbers : null;
    result.lossShape = lossShapeResultOf(r.lossShape, intervalMs, r.reordered);
  }
  if (r.lateCounts !== undefined) result.playout = playoutResultOf(r.lateCounts, result.lost, result.sent);
}

/** One-way delay: on one clock, against the estimated offset, or not at all (two machines, no probes back). */
function latencyOf(d: DirectionInputs, delay: Percentiles | null, clock: Clock | null): DirectionResult['latencyUs'] {
  return d.sharedClock
    ? { ...latencyFrom(delay, 'one-way delay, both endpoints on one monotonic clock', 'n/a: no datagram received'), method: 'shared-clock' as const }
    : clock !== null
      ? estimatedLatency(delay, clock, 'one-way delay')
      : latencyFrom(null, '', 'n/a: one-way delay needs one clock; the endpoints are on two machines and the clock probes did not come back (see rttUs)');
}

/** Frames of a framed pattern, with the end marker's frame count as a second witness, and the largest frame delay per second. */
function addFrames(result: DirectionResult, d: DirectionInputs, clock: Clock | null): void {
  const s = d.sender;
  const r = d.receiver;
  const frames = mergeFrames(s, r, d.sharedClock, clock);
  if (frames === null) return;
  {
    result.frames = frames;
    // The end marker's frame count is a second witness of the frames sent.
    if (frames.sentByEndMarker !== null && s !== null && frames.sent !== frames.sentByEndMarker) {
      result.check.agree = false;
      const note = `frames by end marker (${frames.sentByEndMarker}) differ from the sender's count (${frames.sent})`;
      result.check.note = result.check.note === null ? note : `${result.check.note}; ${note}`;
    }
    const series = r?.frames?.intervalFrameDelayMaxUs ?? [];
    result.intervals.forEach((iv, i) => {
      const us = series[i];
      iv.frameDelayMaxUs = (d.sharedClock || clock !== null) && us !== undefined && us > 0 ? Math.round(us + (clock?.shiftNs ?? 0) / 1000) : null;
    });
  }
}

/** One-way delay per second, where it was recorded (one clock, or the estimated offset; the drift's mean shift applied). */
function addIntervalDelays(result: DirectionResult, d: DirectionInputs, clock: Clock | null): void {
  const r = d.receiver;
  if (r !== null && (d.sharedClock || clock !== null) && (r.intervalDelayMeanUs ?? []).length > 0) {
    const shiftUs = (clock?.shiftNs ?? 0) / 1000;
    const at = (xs: readonly (number | null)[] | undefined, i: number): number | null => {
      const v = xs?.[i];
      return v === undefined || v === null ? null : Math.round(v + shiftUs);
    };
    result.intervals.forEach((iv, i) => {
      iv.delayMeanUs = at(r.intervalDelayMeanUs, i);
      iv.delayMaxUs = at(r.intervalDelayMaxUs, i);
    });
  }
}

/**
 * Delay under load: above the base — the idle one-way delay of the probes, or the run's smallest one-way
 * delay when that is smaller (idle threads add wake-up latency to the probes that a busy data path has not;
 * a queue that never drains during the run lifts the run's smallest instead). Both are within the bound.
 */
function queueingDelayOf(clock: Clock | null, delay: Percentiles | null): NonNullable<DirectionResult['queueingDelayUs']> | null {
  if (clock === null || delay === null) return null;
  const shiftUs = clock.shiftNs / 1000;
  const baseUs = Math.min(clock.idleNs / 1000, delay.min + shiftUs);
  const above = (v: number): number => Math.max(0, Math.round(v + shiftUs - baseUs));
  return { p50: above(delay.p50), p99: above(delay.p99), baseUs: Math.round(baseUs), idleProbeUs: Math.round(clock.idleNs / 1000) };
}
