import { describe, expect, it } from 'vitest';
import type dgram from 'node:dgram';
import { jainIndex, sumReceivers, sumSenders } from '../src/bench/aggregate.js';
import { PeerDemux } from '../src/udp/demux.js';
import type { ReceiverPartial, SenderPartial } from '../src/bench/messages.js';

describe("Jain's fairness index", () => {
  it('is 1 for equal shares, 1/n when one peer gets everything, and null with a missing rate', () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([8, 0, 0, 0])).toBeCloseTo(0.25, 12);
    // (1+2+3)² / (3 · (1+4+9)) = 36 / 42
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 12);
    expect(jainIndex([1, null])).toBeNull();
    expect(jainIndex([])).toBeNull();
    expect(jainIndex([0, 0])).toBeNull();
  });
});

const sender = (sent: number, intervals: number[]): SenderPartial => ({
  sent,
  attempted: sent + 1,
  warmupSent: 3,
  errors: { EAGAIN: 1 },
  measureErrors: 1,
  seqEnd: sent + 1,
  measureStartNs: 1000 + sent,
  measureEndNs: 2000 + sent,
  intervalSent: intervals,
  peerDropsAtStart: 7,
});

const receiver = (received: number, end: boolean): ReceiverPartial => ({
  received,
  duplicates: 1,
  reordered: 2,
  late: 0,
  expected: received + 1,
  foreign: 0,
  foreignBy: { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 },
  warmupReceived: 0,
  jitterNs: 10,
  delay: null,
  rtt: null,
  endMarkerSeen: end,
  end: end ? { seqEnd: received + 1, sent: received, burned: 0 } : null,
  endMarkers: end ? 5 : 0,
  sources: [],
  intervalReceived: [received],
  intervalExpected: [received + 1],
});

describe('summing per-peer partials', () => {
  it('adds counts and series, spans the earliest start to the latest end, and refuses a sum with a hole', () => {
    const s = sumSenders([sender(10, [4, 10]), sender(20, [9])]);
    expect(s?.sent).toBe(30);
    expect(s?.errors).toEqual({ EAGAIN: 2 });
    expect(s?.measureStartNs).toBe(1010);
    expect(s?.measureEndNs).toBe(2020);
    // A second is summed only where every peer has it.
    expect(s?.intervalSent).toEqual([13]);
    expect(s?.peerDropsAtStart).toBeNull();
    expect(sumSenders([sender(1, []), null])).toBeNull();
    const r = sumReceivers([receiver(5, true), receiver(7, true)]);
    expect(r?.received).toBe(12);
    expect(r?.end).toEqual({ seqEnd: 14, sent: 12, burned: 0 });
    expect(r?.endMarkers).toBe(10);
    // One receiver without an end marker: no summed end marker either.
    expect(sumReceivers([receiver(5, true), receiver(7, false)])?.end).toBeNull();
  });
});

describe('PeerDemux', () => {
  it('routes by source port and address and counts every other source as a stranger', () => {
    const d = new PeerDemux();
    const got: string[] = [];
    const target = (name: string) => ({ onMessage: () => void got.push(name) });
    d.add('127.0.0.1', 4000, target('a'));
    d.add('127.0.0.2', 4000, target('b'));
    d.add('127.0.0.1', 4001, target('c'));
    expect(() => d.add('127.0.0.1', 4000, target('x'))).toThrow(RangeError);
    const rinfo = (address: string, port: number) => ({ address, port, family: 'IPv4', size: 1 }) as dgram.RemoteInfo;
    const msg = Buffer.alloc(1);
    d.onMessage(msg, rinfo('127.0.0.2', 4000));
    d.onMessage(msg, rinfo('127.0.0.1', 4001));
    d.onMessage(msg, rinfo('127.0.0.1', 4000));
    d.onMessage(msg, rinfo('127.0.0.3', 4000));
    d.onMessage(msg, rinfo('127.0.0.1', 4002));
    expect(got).toEqual(['b', 'c', 'a']);
    expect(d.strangers).toBe(2);
    expect(d.size).toBe(3);
  });
});

describe('clientGroups', () => {
  it('spreads clients over at most one thread per core in single mode, in blocks that differ by at most one; one each in split mode', async () => {
    const { clientGroups } = await import('../src/bench/clients.js');
    expect(clientGroups(16, 'single', 2)).toEqual([8, 8]);
    expect(clientGroups(5, 'single', 2)).toEqual([3, 2]);
    expect(clientGroups(3, 'single', 8)).toEqual([1, 1, 1]);
    expect(clientGroups(7, 'single', 3)).toEqual([3, 2, 2]);
    expect(clientGroups(4, 'split', 2)).toEqual([1, 1, 1, 1]);
    for (const [n, t] of [[16, 2], [64, 3], [5, 5]] as const) expect(clientGroups(n, 'single', t).reduce((a, b) => a + b, 0)).toBe(n);
  });
});
