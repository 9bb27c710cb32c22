import { describe, expect, it } from 'vitest';
import { attributeLoss, mergeIntervals } from '../src/bench/merge.js';

describe('merging partial results', () => {
  it('closes the intervals with the totals so that they add up exactly', () => {
    // Cumulative at 1 s and 2 s; the run lasted 2.5 s, so a third, partial interval closes it.
    const out = mergeIntervals([100, 200], [95, 190], [100, 200], { sent: 250, received: 238, lost: 12 }, 2.5);
    expect(out.map((i) => i.t)).toEqual([1, 2, 2.5]);
    expect(out.reduce((n, i) => n + i.sent, 0)).toBe(250);
    expect(out.reduce((n, i) => n + i.received, 0)).toBe(238);
    expect(out.reduce((n, i) => n + i.lost, 0)).toBe(12);
    expect(out[0]).toEqual({ t: 1, sent: 100, received: 95, lost: 5 });
  });

  it('splits loss between the kernel (bounded by the loss) and the network', () => {
    expect(attributeLoss(10, 4, 2)).toEqual({ sender: 2, kernel: 4, network: 6 });
    // A drop counter that also saw end markers or foreign datagrams cannot exceed the loss.
    expect(attributeLoss(10, 15, 0)).toEqual({ sender: 0, kernel: 10, network: 0 });
    expect(attributeLoss(7, null, 0)).toEqual({ sender: 0, kernel: 0, network: 7 });
  });
});
