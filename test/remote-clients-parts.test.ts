/**
 * The pure parts of `bench duplex --peer --clients N`: the start barrier, the
 * summed progress, and the aggregate's measured time when every session
 * starts on its own go.
 */
import { describe, expect, it } from 'vitest';
import { aggregateDirection } from '../src/bench/aggregate.js';
import { progressSum, startBarrier } from '../src/bench/remote-clients.js';
import { listenerEndpoint } from '../src/bench/remote-combine.js';
import { mergeDirection } from '../src/bench/merge.js';
import type { ReceiverPartial, SenderPartial } from '../src/bench/messages.js';
import type { ProgressSample } from '../src/bench/hooks.js';
import type { RemoteReport } from '../src/bench/session.js';

const sender = (sent: number, startNs: number, endNs: number): SenderPartial => ({
  sent,
  attempted: sent,
  warmupSent: 0,
  errors: {},
  measureErrors: 0,
  seqEnd: sent,
  measureStartNs: startNs,
  measureEndNs: endNs,
  intervalSent: [],
  peerDropsAtStart: null,
});
const receiver = (received: number): ReceiverPartial => ({
  received,
  duplicates: 0,
  reordered: 0,
  late: 0,
  expected: received,
  foreign: 0,
  foreignBy: { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 },
  warmupReceived: 0,
  jitterNs: 0,
  delay: null,
  rtt: null,
  endMarkerSeen: true,
  end: { seqEnd: received, sent: received, burned: 0 },
  endMarkers: 5,
  sources: [],
  intervalReceived: [],
  intervalExpected: [],
});

describe('the aggregate of sessions that start on their own go', () => {
  it("uses the sessions' mean measured time ('mean'), not the union that a late start stretches", () => {
    // Two sessions of 2 s at 1,000/s each; the second started 0.5 s later (a retransmitted go).
    const senders = [sender(2000, 1e9, 3e9), sender(2000, 1.5e9, 3.5e9)];
    const receivers = [receiver(2000), receiver(2000)];
    const common = { sizeBytes: 200, sharedClock: false, kernelExact: false, extraForeign: 0, kernelDrops: null, offeredPpsPerPeer: 1000, from: 'A', to: 'B' } as const;
    const perPeer = senders.map((s, i) => mergeDirection({ ...common, sender: s, receiver: receivers[i] ?? null, offeredPps: 1000 }));
    const union = aggregateDirection({ ...common, senders, receivers, perPeer });
    const mean = aggregateDirection({ ...common, senders, receivers, perPeer, span: 'mean' });
    expect(union.durationSeconds).toBeCloseTo(2.5, 9);
    expect(union.sentPps).toBeCloseTo(1600, 6);
    expect(union.undersent).toBe(true); // the stretched time reads as a sender that fell short
    expect(mean.durationSeconds).toBeCloseTo(2, 9);
    expect(mean.sentPps).toBeCloseTo(2000, 6);
    expect(mean.receivedPps).toBeCloseTo(2000, 6);
    expect(mean.undersent).toBe(false);
    expect(mean.sent).toBe(4000);
  });
});

describe('the start barrier', () => {
  it('releases everyone once all n have arrived, not before', async () => {
    const meet = startBarrier(3);
    const signal = new AbortController().signal;
    const order: string[] = [];
    const a = meet(signal).then(() => order.push('a'));
    const b = meet(signal).then(() => order.push('b'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    await Promise.all([a, b, meet(signal).then(() => order.push('c'))]);
    expect(order.sort()).toEqual(['a', 'b', 'c']);
  });

  it('lets a waiter go with an error when its signal aborts (a client that failed stops the others)', async () => {
    const meet = startBarrier(2);
    const stop = new AbortController();
    const waiting = meet(stop.signal);
    stop.abort();
    await expect(waiting).rejects.toThrow(/interrupted/);
    await expect(meet(stop.signal)).rejects.toThrow(/interrupted/);
  });
});

describe('the summed progress of n clients', () => {
  const sample = (direction: 'A→B' | 'B→A', from: number, sent: number | null, received: number | null, lost: number | null): ProgressSample => ({ direction, fromSeconds: from, toSeconds: from + 1, sent, received, lost, omitted: false });

  it('emits one line per direction, second and half once every client reported it, with the sums', () => {
    const out: ProgressSample[] = [];
    const add = progressSum(2, (s) => out.push(s));
    add(sample('A→B', 0, 100, null, null));
    add(sample('B→A', 0, null, 90, 1));
    expect(out).toEqual([]);
    add(sample('A→B', 0, 150, null, null));
    add(sample('B→A', 0, null, 80, 2));
    expect(out).toEqual([sample('A→B', 0, 250, null, null), sample('B→A', 0, null, 170, 3)]);
  });

  it('drops a second one client never reported once a later one completes (bounded)', () => {
    const out: ProgressSample[] = [];
    const add = progressSum(2, (s) => out.push(s));
    add(sample('A→B', 0, 100, null, null)); // the other client never reports second 0
    add(sample('A→B', 1, 100, null, null));
    add(sample('A→B', 1, 100, null, null));
    expect(out).toEqual([sample('A→B', 1, 200, null, null)]);
    add(sample('A→B', 0, 100, null, null)); // a late one starts a fresh entry; it can no longer complete with the dropped one
    expect(out).toHaveLength(1);
  });
});

describe("the listener's endpoint over its sessions", () => {
  it('is one entry for its one port: counts summed, CPU summed per thread role, sources of every session', () => {
    const report = (port: number, elu: number): RemoteReport =>
      ({
        report: {
          endpoint: {
            id: 'B',
            address: '127.0.0.1',
            port: 5301,
            threads: 'single',
            rcvbuf: { requested: null, effective: 212992 },
            sndbuf: { requested: null, effective: 212992 },
            leaked: 1,
            peerSources: [`127.0.0.1:${port}`],
            cpu: [{ thread: 'endpoint', userUs: 100, systemUs: 50, eventLoopUtilization: elu }],
            warmupSent: 10,
            warmupReceived: 9,
          },
        },
      }) as unknown as RemoteReport;
    const b = listenerEndpoint([report(4000, 0.2), report(4001, 0.4), report(4002, 0.6)]);
    expect(b?.port).toBe(5301);
    expect(b?.leaked).toBe(3);
    expect(b?.warmupSent).toBe(30);
    expect(b?.peerSources).toEqual(['127.0.0.1:4000', '127.0.0.1:4001', '127.0.0.1:4002']);
    expect(b?.cpu).toHaveLength(1);
    expect(b?.cpu[0]?.thread).toBe('endpoint ×3');
    expect(b?.cpu[0]?.userUs).toBe(300);
    expect(b?.cpu[0]?.eventLoopUtilization).toBeCloseTo(0.4, 12);
    expect(listenerEndpoint([])).toBeNull();
  });
});
