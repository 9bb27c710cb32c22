/**
 * Pure functions that merge the workers' partial results into the result's
 * per-direction and per-endpoint figures. No I/O, no clock: easy to test.
 */
import type { DirectionResult, IntervalSample, LatencyUs, LossAttribution } from '../report/schema.js';
import type { ReceiverPartial, SenderPartial } from './messages.js';
import type { Percentiles } from '../udp/receiver.js';

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
  /** Foreign datagrams seen by the receiving endpoint's other socket (split mode). */
  extraForeign: number;
  sizeBytes: number;
  /** Whether one-way delay is meaningful (both endpoints on one clock). */
  sharedClock: boolean;
}

function latencyFrom(p: Percentiles | null, note: string, missing: string): LatencyUs {
  if (p === null) return { p50: null, p90: null, p99: null, max: null, note: missing };
  return { p50: p.p50, p90: p.p90, p99: p.p99, max: p.max, note };
}

/**
 * Per-second samples from cumulative counters. The last (possibly partial)
 * interval is closed with the final totals so that the samples add up to the
 * totals. Lost per interval is the sequence-gap estimate of RFC 3550 §6.4.1
 * (expected − received), floored at 0.
 */
export function mergeIntervals(
  sentCum: readonly number[],
  receivedCum: readonly number[],
  expectedCum: readonly number[],
  totals: { sent: number; received: number; lost: number },
  durationSeconds: number,
): IntervalSample[] {
  const n = Math.max(sentCum.length, receivedCum.length, Math.ceil(durationSeconds - 0.02));
  const out: IntervalSample[] = [];
  let ps = 0;
  let pr = 0;
  let pe = 0;
  let lostSoFar = 0;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const s = last ? totals.sent : (sentCum[i] ?? totals.sent);
    const r = last ? totals.received : (receivedCum[i] ?? totals.received);
    const e = last ? totals.sent : (expectedCum[i] ?? totals.sent);
    const lost = last ? Math.max(0, totals.lost - lostSoFar) : Math.max(0, e - pe - (r - pr));
    out.push({ t: last ? Math.round(durationSeconds * 1000) / 1000 : i + 1, sent: s - ps, received: r - pr, lost });
    lostSoFar += lost;
    ps = s;
    pr = r;
    pe = e;
  }
  return out;
}

/** Splits `lost` between the receiving kernel and the network. */
export function attributeLoss(lost: number, kernelDrops: number | null, senderErrors: number): LossAttribution {
  const kernel = kernelDrops === null ? 0 : Math.max(0, Math.min(kernelDrops, lost));
  return { sender: senderErrors, kernel, network: lost - kernel };
}

/** Computes one direction of the result. Invariant: `sent = received + lost`. */
export function mergeDirection(d: DirectionInputs): DirectionResult {
  const s = d.sender;
  const r = d.receiver;
  // The kernel-accepted count from the sender is authoritative; the end
  // marker's copy stands in when the sender's own report is missing.
  const sent = s !== null ? s.sent : r !== null ? (r.finalCount >= 0 ? r.finalCount : r.expected) : 0;
  const received = r?.received ?? 0;
  // Without the receiver's report nothing is known about loss: 0, flagged by observedBy.
  const lost = r === null ? 0 : sent - received;
  const durationNs = s !== null && s.measureEndNs > s.measureStartNs ? s.measureEndNs - s.measureStartNs : 0;
  const durationSeconds = durationNs / 1e9;
  const perSecond = (n: number): number => (durationSeconds > 0 ? n / durationSeconds : 0);
  const sendErrors = s?.errors ?? {};
  const senderErrors = Object.values(sendErrors).reduce((a, b) => a + b, 0);
  const latencyUs = d.sharedClock
    ? latencyFrom(r?.delay ?? null, 'one-way delay, both endpoints on one monotonic clock', 'n/a: no datagram received')
    : latencyFrom(null, '', 'n/a: one-way delay needs one clock; the endpoints are on two machines (see rttUs)');
  const result: DirectionResult = {
    from: d.from,
    to: d.to,
    sent,
    received,
    lost,
    duplicates: r?.duplicates ?? 0,
    reordered: r?.reordered ?? 0,
    late: r?.late ?? 0,
    foreign: (r?.foreign ?? 0) + d.extraForeign,
    lossPercent: sent > 0 ? (lost / sent) * 100 : 0,
    sendErrors: { ...sendErrors },
    kernelDrops: d.kernelDrops,
    lossAttribution: attributeLoss(lost, d.kernelDrops, senderErrors),
    durationSeconds,
    sentPps: perSecond(sent),
    receivedPps: perSecond(received),
    bitsPerSecond: perSecond(received * d.sizeBytes * 8),
    jitterMs: r !== null && r.received >= 2 ? r.jitterNs / 1e6 : null,
    latencyUs,
    intervals: mergeIntervals(s?.intervalSent ?? [], r?.intervalReceived ?? [], r?.intervalExpected ?? [], { sent, received, lost }, durationSeconds),
    endMarkerSeen: r?.endMarkerSeen ?? false,
  };
  if (s === null || r === null) result.observedBy = s !== null ? 'sender' : 'receiver';
  // Round trip needs no shared clock: each side subtracts its own timestamps.
  result.rttUs = latencyFrom(r?.rtt ?? null, 'round-trip time from echoed timestamps (includes the peer\'s pacing delay up to one send)', 'n/a: no echoed timestamp received');
  return result;
}
