/**
 * `--server-receivers K`: the server's port is K receiving sockets in one
 * SO_REUSEPORT group, each in its own thread. Every receiver is given every
 * client and accounts for those the kernel hashes to it (by the datagram's
 * 4-tuple, so all of one client's datagrams reach one socket while the group
 * does not change). This pure module merges, per client, the K receivers'
 * partial results into the one the direction is built from.
 *
 * Limits, candidly: when a client's datagrams reached more than one receiver
 * (the group changed under the run: a socket closed or joined), counts add up
 * exactly (received, duplicates, bytes, foreign, warm-up, end markers), the
 * expected count is the largest any receiver saw (each saw the same sequence
 * space), and the figures of order and time (jitter, delay percentiles, RTP
 * jitter, loss shape, late counts, frames) are the receiver's that heard most
 * of that client's datagrams. {@link ShardMerge.heardBy} says how many
 * receivers heard the client, so that a caller can tell.
 */
import type { ReceiverPartial } from './messages.js';

/** One client's receiving half as merged over the K receivers. */
export interface ShardMerge {
  /** The merged partial; `null` when no receiver accounted for the client at all. */
  receiver: ReceiverPartial | null;
  /** How many receivers heard from the client: 1 normally, 0 when none did, more when the group changed under the run. */
  heardBy: number;
  /** Which receiver (index among those given) heard most of the client's datagrams; `null` when none heard any. */
  shard: number | null;
}

/** Whether a receiver heard anything of this client's (data, warm-up, end markers, RTCP or a recorded source). */
function heard(p: ReceiverPartial): boolean {
  return p.received + p.warmupReceived + p.duplicates + p.endMarkers + (p.rtcpPackets ?? 0) > 0 || p.sources.length > 0;
}

/** Element-wise combination of per-second series of possibly different lengths. */
function zipWith(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => f(a[i] ?? 0, b[i] ?? 0));
}

/** Merges one client's receiving halves from the K receivers of an SO_REUSEPORT group (index = receiver). Pure. */
export function mergeShardReceivers(parts: readonly (ReceiverPartial | null)[]): ShardMerge {
  const present = parts.map((p, i) => ({ p, i })).filter((x): x is { p: ReceiverPartial; i: number } => x.p !== null);
  const heardFrom = present.filter((x) => heard(x.p));
  if (heardFrom.length === 0) return { receiver: present[0]?.p ?? null, heardBy: 0, shard: null };
  // The receiver that heard most of the client carries the figures of order and time.
  const main = heardFrom.reduce((best, x) => (x.p.received + x.p.warmupReceived > best.p.received + best.p.warmupReceived ? x : best));
  if (heardFrom.length === 1) return { receiver: main.p, heardBy: 1, shard: main.i };
  const others = heardFrom.filter((x) => x !== main).map((x) => x.p);
  const sum = (f: (p: ReceiverPartial) => number): number => others.reduce((n, p) => n + f(p), f(main.p));
  const foreignBy = { ...main.p.foreignBy } as Record<string, number>;
  for (const p of others) for (const [k, v] of Object.entries(p.foreignBy)) foreignBy[k] = (foreignBy[k] ?? 0) + v;
  const receiver: ReceiverPartial = {
    ...main.p,
    received: sum((p) => p.received),
    duplicates: sum((p) => p.duplicates),
    reordered: sum((p) => p.reordered),
    late: sum((p) => p.late),
    expected: Math.max(main.p.expected, ...others.map((p) => p.expected)),
    foreign: sum((p) => p.foreign),
    foreignBy: foreignBy as unknown as ReceiverPartial['foreignBy'],
    warmupReceived: sum((p) => p.warmupReceived),
    endMarkerSeen: main.p.endMarkerSeen || others.some((p) => p.endMarkerSeen),
    end: main.p.end ?? others.find((p) => p.end !== null)?.end ?? null,
    endMarkers: sum((p) => p.endMarkers),
    sources: [...new Set([main.p.sources, ...others.map((p) => p.sources)].flat())],
    intervalReceived: others.reduce((acc, p) => zipWith(acc, p.intervalReceived, (x, y) => x + y), main.p.intervalReceived),
    intervalExpected: others.reduce((acc, p) => zipWith(acc, p.intervalExpected, Math.max), main.p.intervalExpected),
    receivedBytes: sum((p) => p.receivedBytes),
  };
  return { receiver, heardBy: heardFrom.length, shard: main.i };
}
