/**
 * The trial budget and the sent-rate check: when `maxTrials` runs out the
 * result is the best passing rate so far (`limitedBy: 'max-trials'`), and a
 * rate the sender cannot emit fails as 'undersent' even without loss.
 */
import { describe, it, expect } from 'vitest';
import { findMaxRate, planTotalTrials, type DirectionOutcome, type TrialRunner } from '../src/bench/search.js';

function knee(rate: number, k: number): DirectionOutcome {
  return { offeredPps: rate, sentPps: rate, lossPercent: rate <= k ? 0 : 5 };
}
const kneeRunner: TrialRunner = async ({ abPps, baPps }) => ({ ab: knee(abPps, 300_000), ba: knee(baPps, 700_000) });

describe('findMaxRate limits', () => {
  it('stops at maxTrials with the best passing rate so far', async () => {
    const result = await findMaxRate(kneeRunner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 100, maxTrials: 5 });
    expect(result.trials).toHaveLength(5);
    for (const [dir, k] of [['ab', 300_000], ['ba', 700_000]] as const) {
      const r = result.directions[dir];
      expect(r.limitedBy).toBe('max-trials');
      expect(r.confirmed).toBe(false);
      const passed = result.trials.filter((t) => t[dir].pass).map((t) => t[dir].offeredPps);
      expect(r.ratePps).toBe(Math.max(...passed));
      expect(r.ratePps!).toBeLessThanOrEqual(k);
    }
  });

  it('reports null with max-trials when nothing passed yet', async () => {
    const result = await findMaxRate(kneeRunner, { floorPps: 1_000, ceilingPps: 1_000_000, maxTrials: 1 });
    expect(result.directions.ab).toMatchObject({ ratePps: null, limitedBy: 'max-trials', trials: 1 });
  });

  it('fails rates the sender cannot emit, with reason undersent', async () => {
    // Lossless at any rate, but the A→B sender tops out at 80 000 pps.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: Math.min(abPps, 80_000), lossPercent: 0 },
      ba: knee(baPps, 700_000),
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 100, maxTrials: 60 });
    const ab = result.directions.ab;
    // 80 000 / 0.95 ≈ 84 210: the highest rate still counted as sent. Every failure
    // above it was the sender falling short at 0 % loss, so the limit is the sender,
    // not loss (the old rule said 'loss' here and blamed the path).
    expect(ab.limitedBy).toBe('undersent');
    expect(ab.ratePps!).toBeLessThanOrEqual(84_210);
    expect(ab.ratePps!).toBeGreaterThanOrEqual(84_210 - 100);
    expect(result.trials[0]?.ab.verdict).toBe('undersent');
  });

  it('says loss, not undersent, when any failure above the result was on loss', async () => {
    // The sender tops out at 80 000 pps, and above 60 000 pps the receiver loses 2 %:
    // the search converges near 60 000 with loss failures above it.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: Math.min(abPps, 80_000), lossPercent: abPps <= 60_000 ? 0 : 2 },
      ba: knee(baPps, 700_000),
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 100, maxTrials: 60 });
    expect(result.directions.ab.limitedBy).toBe('loss');
    expect(result.directions.ab.ratePps!).toBeGreaterThanOrEqual(59_900);
    expect(result.directions.ba.limitedBy).toBe('loss');
  });

  it('says undersent when every failure above was undersent, even if such a trial also lost datagrams', async () => {
    // Above 84 210 pps the sender falls short; far above (≥ 500 000) it is also lossy. The verdict
    // ranks undersent first (the rate was not emitted), and the bracket top is a clean undersent.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: Math.min(abPps, 80_000), lossPercent: abPps >= 500_000 ? 10 : 0 },
      ba: knee(baPps, 700_000),
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 100, maxTrials: 60 });
    expect(result.trials[0]?.ab).toMatchObject({ verdict: 'undersent', outcome: { lossPercent: 10 } });
    expect(result.directions.ab.limitedBy).toBe('undersent');
  });

  it('fails a trial whose figures were not observed (null), never reading them as 0 % loss', async () => {
    // B→A's loss is never observed: no rate may pass, and the floor fails as unobserved.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: knee(abPps, 300_000),
      ba: { offeredPps: baPps, sentPps: baPps, lossPercent: null },
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 1_000, maxTrials: 60 });
    expect(result.directions.ba).toMatchObject({ ratePps: null, limitedBy: 'floor', lossPercentAtRate: null });
    for (const t of result.trials) {
      expect(t.ba.pass).toBe(false);
      expect(t.ba.verdict).toBe('unobserved');
      expect(t.ba.reason).toBe('loss not observed');
    }
    // A→B still finds its own knee while B→A is held.
    expect(result.directions.ab.limitedBy).toBe('loss');
  });

  it('says unobserved when failures above were unobserved and none was on loss', async () => {
    // Above 50 000 pps the sent count goes missing (e.g. the sender's figures were lost).
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: abPps <= 50_000 ? abPps : null, lossPercent: 0 },
      ba: knee(baPps, 700_000),
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 100, maxTrials: 60 });
    expect(result.directions.ab.limitedBy).toBe('unobserved');
    expect(result.directions.ab.ratePps!).toBeLessThanOrEqual(50_000);
    expect(result.trials[0]?.ab.reason).toBe('sent rate not observed');
  });

  it('plans a bound that covers a clean search and never exceeds maxTrials', () => {
    expect(planTotalTrials({ floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 1_000, maxTrials: 100 })).toBe(1 + 10 + 1 + 1 + 2);
    expect(planTotalTrials({ floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps: 1_000, maxTrials: 8 })).toBe(8);
    expect(planTotalTrials({ floorPps: 1_000, maxTrials: 25 })).toBe(25);
  });

  it('rejects inconsistent options', async () => {
    await expect(findMaxRate(kneeRunner, { floorPps: 0, ceilingPps: 10, maxTrials: 5 })).rejects.toThrow(RangeError);
    await expect(findMaxRate(kneeRunner, { floorPps: 100, ceilingPps: 10, maxTrials: 5 })).rejects.toThrow(RangeError);
    await expect(findMaxRate(kneeRunner, { floorPps: 1, ceilingPps: 10, maxTrials: 0 })).rejects.toThrow(RangeError);
    await expect(
      findMaxRate(kneeRunner, { floorPps: 1, ceilingPps: 10, maxTrials: 5, lossThresholdPercent: -1 }),
    ).rejects.toThrow(RangeError);
  });
});
