import { describe, expect, it } from 'vitest';
import { DirectionAccounting } from '../src/udp/accounting.js';

/** Feeds sequence numbers with send time = seq ms and arrival = send + transit. */
function feed(acct: DirectionAccounting, seqs: number[], transitMs: (i: number) => number = () => 1): void {
  seqs.forEach((seq, i) => acct.record(seq, seq * 1e6, seq * 1e6 + transitMs(i) * 1e6));
}

describe('per-direction accounting', () => {
  it('counts a gap as loss given the final sent count', () => {
    const a = new DirectionAccounting();
    feed(a, [0, 1, 2, 5, 6]);
    expect(a.received).toBe(5);
    expect(a.lostGiven(7)).toBe(2);
    expect(a.reordered).toBe(0);
  });

  it('counts duplicates once and does not count them as received', () => {
    const a = new DirectionAccounting();
    feed(a, [0, 1, 1, 2, 2, 2]);
    expect(a.received).toBe(3);
    expect(a.duplicates).toBe(3);
    expect(a.lostGiven(3)).toBe(0);
  });

  it('counts RFC 4737 reordering: lower than the highest already seen', () => {
    const a = new DirectionAccounting();
    feed(a, [0, 2, 1, 3, 5, 4]);
    expect(a.received).toBe(6);
    expect(a.reordered).toBe(2);
    expect(a.duplicates).toBe(0);
    expect(a.lostGiven(6)).toBe(0);
  });

  it('counts tail loss (after the last received) from the end-marker count', () => {
    const a = new DirectionAccounting();
    feed(a, [0, 1, 2]);
    expect(a.expected).toBe(3);
    expect(a.lostGiven(10)).toBe(7);
  });

  it('tells a duplicate from a reordered datagram after the window wrapped', () => {
    const a = new DirectionAccounting(64);
    feed(a, [0, 1, 2, 100, 101]);
    // 2 is now more than 64 behind the highest (101): too late to judge.
    a.record(2, 0, 0);
    expect(a.late).toBe(1);
    // 70 is within the window, not seen before: reordered, not a duplicate.
    a.record(70, 70e6, 71e6);
    expect(a.reordered).toBe(1);
    a.record(70, 70e6, 71e6);
    expect(a.duplicates).toBe(1);
    expect(a.received).toBe(6);
  });

  it('computes RFC 3550 jitter equal to a value worked out by hand', () => {
    const a = new DirectionAccounting();
    // Transit times 1, 3, 2, 2 ms → |D| = 2, 1, 0 ms.
    // J1 = 0 + (2 − 0)/16 = 0.125; J2 = 0.125 + (1 − 0.125)/16 = 0.1796875;
    // J3 = 0.1796875 + (0 − 0.1796875)/16 = 0.168457031.
    const transits = [1, 3, 2, 2];
    feed(a, [0, 1, 2, 3], (i) => transits[i] ?? 0);
    expect(a.jitterNs / 1e6).toBeCloseTo(0.168457031, 9);
  });

  it('keeps a fixed memory footprint whatever the sequence length', () => {
    const a = new DirectionAccounting(1024);
    for (let s = 0; s < 200000; s++) if (s % 10 !== 0) a.record(s, 0, 0);
    expect(a.received).toBe(180000);
    expect(a.lostGiven(200000)).toBe(20000);
  });
});
