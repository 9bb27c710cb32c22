/**
 * A loss threshold above 0 (a partial-drop rate, MLRsearch / RFC 9971): on a
 * curve whose loss rises gently past the knee, the search finds the rate where
 * loss crosses the threshold, not the knee.
 */
import { describe, it, expect } from 'vitest';
import { findMaxRate, type DirectionOutcome, type TrialRunner } from '../src/bench/search.js';

/** Loss 0 up to `knee`, then rising linearly by `percentPerKpps` per 1 000 pps. */
function gentle(rate: number, knee: number, percentPerKpps: number): DirectionOutcome {
  const lossPercent = rate <= knee ? 0 : ((rate - knee) / 1_000) * percentPerKpps;
  return { offeredPps: rate, sentPps: rate, lossPercent: Math.min(100, lossPercent) };
}

// A→B: knee 100k, +0.1 % per kpps → 0.5 % at 105k.  B→A: knee 60k, +0.02 % per kpps → 0.5 % at 85k.
const runner: TrialRunner = async ({ abPps, baPps }) => ({
  ab: gentle(abPps, 100_000, 0.1),
  ba: gentle(baPps, 60_000, 0.02),
});
const base = { floorPps: 1_000, ceilingPps: 400_000, resolutionPps: 200, maxTrials: 60 } as const;

describe('findMaxRate with a loss threshold', () => {
  it('finds where loss crosses 0.5 %, per direction', async () => {
    const result = await findMaxRate(runner, { ...base, lossThresholdPercent: 0.5 });
    expect(result.lossThresholdPercent).toBe(0.5);
    for (const [dir, crossing] of [['ab', 105_000], ['ba', 85_000]] as const) {
      const r = result.directions[dir];
      expect(r.limitedBy).toBe('loss');
      expect(r.confirmed).toBe(true);
      expect(r.ratePps!).toBeLessThanOrEqual(crossing);
      expect(r.ratePps!).toBeGreaterThanOrEqual(crossing - 200);
      // Lossy, but within the threshold.
      expect(r.lossPercentAtRate!).toBeGreaterThan(0);
      expect(r.lossPercentAtRate!).toBeLessThanOrEqual(0.5);
    }
    // Trials with loss under the threshold passed although lossy.
    expect(result.trials.some((t) => t.ab.pass && t.ab.outcome.lossPercent > 0)).toBe(true);
  });

  it('finds the knee itself with the default threshold of 0 (RFC 2544 throughput)', async () => {
    const result = await findMaxRate(runner, base);
    expect(result.lossThresholdPercent).toBe(0);
    for (const [dir, k] of [['ab', 100_000], ['ba', 60_000]] as const) {
      const r = result.directions[dir];
      expect(r.ratePps!).toBeLessThanOrEqual(k);
      expect(r.ratePps!).toBeGreaterThanOrEqual(k - 200);
      expect(r.lossPercentAtRate).toBe(0);
    }
  });
});
