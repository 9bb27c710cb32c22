/**
 * Pure functions for a server port with many peers (`--clients N`): the sum
 * of per-peer partial results into one aggregate direction, and fairness.
 * No I/O, no clock.
 *
 * The aggregate counts are sums, so its `lost`, rates and loss % are exact.
 * Its kernel check is the strong one: the server's one socket's drops must
 * equal the loss over all clients into it, and the clients' sockets' drops
 * the loss over all their directions. Percentiles do not add up: the
 * aggregate carries only the largest delay over all peers (a true maximum)
 * and leaves p50–p99 and jitter `null`, pointing at the per-peer figures.
 */
import type { DirectionResult, LatencyUs, RxQueuePeak } from '../result/types.js';
import type { ForeignCounts } from '../udp/receiver.js';
import { END_MARKER_COPIES } from '../udp/wire.js';
import type { ReceiverPartial, SenderPartial } from './messages.js';
import { mergeDirection } from './merge.js';

/** Element-wise sum of cumulative per-second series (as long as the shortest: a second is summed only when every peer has it). */
function sumSeries(series: readonly (readonly number[])[]): number[] {
  if (series.length === 0) return [];
  const n = Math.min(...series.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(series.reduce((a, s) => a + (s[i] as number), 0));
  return out;
}

/** The senders' counters summed; `null` when any sender is missing (a sum with a hole would look complete). */
export function sumSenders(parts: readonly (SenderPartial | null)[]): SenderPartial | null {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  const ps = parts as SenderPartial[];
  const errors: Record<string, number> = {};
  for (const p of ps) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  const starts = ps.map((p) => p.measureStartNs).filter((t) => t > 0);
  return {
    sent: ps.reduce((a, p) => a + p.sent, 0),
    attempted: ps.reduce((a, p) => a + p.attempted, 0),
    warmupSent: ps.reduce((a, p) => a + p.warmupSent, 0),
    errors,
    measureErrors: ps.reduce((a, p) => a + p.measureErrors, 0),
    seqEnd: ps.reduce((a, p) => a + p.seqEnd, 0),
    measureStartNs: starts.length > 0 ? Math.min(...starts) : 0,
    measureEndNs: Math.max(...ps.map((p) => p.measureEndNs)),
    intervalSent: sumSeries(ps.map((p) => p.intervalSent)),
    peerDropsAtStart: null,
    sentBytes: ps.reduce((a, p) => a + (p.sentBytes ?? 0), 0),
    pacingErrorUs: maxOfPercentiles(ps.map((p) => p.pacingErrorUs ?? null)),
    frames: ps.every((p) => p.frames != null)
      ? {
          sent: ps.reduce((a, p) => a + (p.frames?.sent ?? 0), 0),
          datagramsP50: Math.max(...ps.map((p) => p.frames?.datagramsP50 ?? 0)),
          datagramsMax: Math.max(...ps.map((p) => p.frames?.datagramsMax ?? 0)),
          bytesMax: Math.max(...ps.map((p) => p.frames?.bytesMax ?? 0)),
        }
      : null,
  };
}

/**
 * Percentiles do not add up over peers: the aggregate keeps the largest of
 * each (an upper bound for p50 and p99, the true maximum for max).
 */
function maxOfPercentiles<T extends { count: number; p50: number; p99: number; max: number }>(list: readonly (T | null)[]): T | null {
  const xs = list.filter((x): x is T => x !== null);
  if (xs.length === 0) return null;
  return {
    ...(xs[0] as T),
    count: xs.reduce((a, x) => a + x.count, 0),
    p50: Math.max(...xs.map((x) => x.p50)),
    p99: Math.max(...xs.map((x) => x.p99)),
    max: Math.max(...xs.map((x) => x.max)),
  };
}

/** The receivers' counters summed; `null` when any receiver is missing. */
export function sumReceivers(parts: readonly (ReceiverPartial | null)[]): ReceiverPartial | null {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  const ps = parts as ReceiverPartial[];
  const sum = (f: (p: ReceiverPartial) => number): number => ps.reduce((a, p) => a + f(p), 0);
  const foreignBy: ForeignCounts = { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 };
  for (const p of ps) for (const k of Object.keys(foreignBy) as (keyof ForeignCounts)[]) foreignBy[k] = (foreignBy[k] ?? 0) + (p.foreignBy[k] ?? 0);
  // Present only when some receiver counted any (receiver.ts ForeignCounts).
  const outOfWindow = sum((p) => p.foreignBy.outOfWindow ?? 0);
  if (outOfWindow > 0) foreignBy.outOfWindow = outOfWindow;
  const ends = ps.map((p) => p.end);
  const allEnded = ends.every((e) => e !== null);
  return {
    received: sum((p) => p.received),
    duplicates: sum((p) => p.duplicates),
    reordered: sum((p) => p.reordered),
    late: sum((p) => p.late),
    expected: sum((p) => p.expected),
    foreign: sum((p) => p.foreign),
    foreignBy,
    warmupReceived: sum((p) => p.warmupReceived),
    jitterNs: 0, // not summable: the aggregate's jitter is set to null after the merge
    delay: null,
    rtt: null,
    endMarkerSeen: ps.every((p) => p.endMarkerSeen),
    end: allEnded
      ? { seqEnd: ends.reduce((a, e) => a + (e?.seqEnd ?? 0), 0), sent: ends.reduce((a, e) => a + (e?.sent ?? 0), 0), burned: ends.reduce((a, e) => a + (e?.burned ?? 0), 0) }
      : null,
    endMarkers: sum((p) => p.endMarkers),
    sources: [],
    intervalReceived: sumSeries(ps.map((p) => p.intervalReceived)),
    intervalExpected: sumSeries(ps.map((p) => p.intervalExpected)),
    receivedBytes: sum((p) => p.receivedBytes ?? 0),
    // Per-second delays are per client (a mean of means would hide who waited).
    intervalDelayMeanUs: [],
    intervalDelayMaxUs: [],
    frames: ps.some((p) => p.frames != null)
      ? {
          complete: sum((p) => p.frames?.complete ?? 0),
          partial: sum((p) => p.frames?.partial ?? 0),
          highest: sum((p) => p.frames?.highest ?? 0),
          lateDatagrams: sum((p) => p.frames?.lateDatagrams ?? 0),
          badFrames: sum((p) => p.frames?.badFrames ?? 0),
          endFrames: ps.every((p) => p.frames?.endFrames != null) ? sum((p) => p.frames?.endFrames ?? 0) : null,
          // Percentiles are per client; the merge keeps only the largest maximum (see aggregateDirection).
          delay: null,
          intervalFrameDelayMaxUs: maxSeries(ps.map((p) => p.frames?.intervalFrameDelayMaxUs ?? [])),
        }
      : null,
    // Stalls are per receiving thread, which the peers of one socket share: the longest list says how many the threads took.
    stalls: ps.reduce<ReceiverPartial['stalls']>((best, p) => (p.stalls != null && (best === null || p.stalls.count > best.count) ? p.stalls : best), null),
  };
}

/** Element-wise maximum of per-second series (as long as the longest). */
function maxSeries(series: readonly (readonly number[])[]): number[] {
  const n = Math.max(0, ...series.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.max(0, ...series.map((s) => s[i] ?? 0)));
  return out;
}

/** The largest of the peers' maxima, with the other percentiles left to the peers. */
function maxOnly(list: readonly (LatencyUs | undefined)[], what: string): LatencyUs {
  const maxes = list.map((l) => l?.max ?? null).filter((v): v is number => v !== null);
  return {
    p50: null,
    p90: null,
    p99: null,
    max: maxes.length > 0 ? Math.max(...maxes) : null,
    note: `${what}: percentiles per client only (peers[]); max is the largest over all clients`,
  };
}

/** Everything needed for one aggregate direction. */
export interface AggregateInputs {
  from: 'A' | 'B';
  to: 'A' | 'B';
  senders: readonly (SenderPartial | null)[];
  receivers: readonly (ReceiverPartial | null)[];
  /** The per-peer directions already merged (for the delay maxima). */
  perPeer: readonly DirectionResult[];
  /** Drops of every receiving socket of this direction over the measured phase (exact on loopback); `null` when unknown. */
  kernelDrops: number | null;
  kernelExact: boolean;
  extraForeign: number;
  sizeBytes: number;
  /** Offered rate per peer (the aggregate's offer is N times it); `null` for unpaced. */
  offeredPpsPerPeer: number | null;
  sharedClock: boolean;
  /**
   * The aggregate's measured time: `union` (default), from the first peer's
   * start to the last one's end — right when every peer starts at one agreed
   * moment (local `--clients`); `mean`, the peers' mean measured time — for
   * peers that each start on their own signal (remote sessions, whose starts
   * may differ by a retransmitted go), where the union would stretch the time
   * and understate the rates. With `mean` the aggregate rates are about the
   * sums of the peers' rates.
   */
  span?: 'union' | 'mean';
  /** The receiving sockets' peak queue: the server's one socket, or the largest over the clients' sockets. */
  rxQueuePeak?: RxQueuePeak | null;
}

/** The largest of several sockets' peak queues (by bytes); `null` when none was sampled. */
export function largestQueue(list: readonly (RxQueuePeak | null)[]): RxQueuePeak | null {
  return list.reduce<RxQueuePeak | null>((best, q) => (q !== null && (best === null || q.bytes > best.bytes) ? q : best), null);
}

/** One direction over all peers. */
export function aggregateDirection(a: AggregateInputs): DirectionResult {
  const n = a.perPeer.length;
  const sender = sumSenders(a.senders);
  if (sender !== null && a.span === 'mean') {
    const spans = (a.senders as SenderPartial[]).filter((p) => p.measureEndNs > p.measureStartNs).map((p) => p.measureEndNs - p.measureStartNs);
    if (spans.length > 0) sender.measureStartNs = sender.measureEndNs - spans.reduce((x, y) => x + y, 0) / spans.length;
  }
  const d = mergeDirection({
    from: a.from,
    to: a.to,
    sender,
    receiver: sumReceivers(a.receivers),
    kernelDrops: a.kernelDrops,
    kernelExact: a.kernelExact,
    extraForeign: a.extraForeign,
    sizeBytes: a.sizeBytes,
    offeredPps: a.offeredPpsPerPeer === null ? null : a.offeredPpsPerPeer * n,
    sharedClock: a.sharedClock,
    endMarkerCopies: END_MARKER_COPIES * n,
    ...(a.rxQueuePeak === undefined ? {} : { rxQueuePeak: a.rxQueuePeak }),
  });
  d.jitterMs = null;
  d.latencyUs = maxOnly(
    a.perPeer.map((p) => p.latencyUs),
    a.sharedClock ? 'one-way delay' : 'n/a across machines',
  );
  d.rttUs = maxOnly(
    a.perPeer.map((p) => p.rttUs),
    'round-trip time',
  );
  if (d.frames != null) d.frames.delayUs = maxOnly(a.perPeer.map((p) => p.frames?.delayUs), a.sharedClock ? 'frame delay' : 'frame delay n/a across machines');
  return d;
}

/**
 * Jain's fairness index over per-peer rates, (Σx)² / (n·Σx²): 1 when every
 * peer got the same, 1/n when one got everything (R. Jain, D. Chiu, W. Hawe,
 * DEC-TR-301, 1984). `null` with a missing rate or none at all.
 */
export function jainIndex(rates: readonly (number | null)[]): number | null {
  if (rates.length === 0 || rates.some((r) => r === null)) return null;
  const xs = rates as number[];
  const sum = xs.reduce((a, x) => a + x, 0);
  const squares = xs.reduce((a, x) => a + x * x, 0);
  // Never above 1, also not by a rounding error in the last place.
  return squares === 0 ? null : Math.min(1, (sum * sum) / (xs.length * squares));
}
