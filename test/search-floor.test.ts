/**
 * Lossy even at the floor: no rate in range passes, so the result is a null
 * rate flagged `limitedBy: 'floor'`, after the floor itself was tried.
 */
import { describe, it, expect } from 'vitest';
import { findMaxRate, type DirectionOutcome, type TrialRunner } from '../src/bench/search.js';

const FLOOR = 2_000;

function lossy(rate: number): DirectionOutcome {
  return { offeredPps: rate, sentPps: rate, lossPercent: 4 };
}
function knee(rate: number, k: number): DirectionOutcome {
  return { offeredPps: rate, sentPps: rate, lossPercent: rate <= k ? 0 : 10 };
}

describe('findMaxRate when lossy at the floor', () => {
  it('reports null and limitedBy floor for both directions', async () => {
    const runner: TrialRunner = async ({ abPps, baPps }) => ({ ab: lossy(abPps), ba: lossy(baPps) });
    const result = await findMaxRate(runner, { floorPps: FLOOR, ceilingPps: 500_000, resolutionPps: 1_000, maxTrials: 40 });

    for (const dir of ['ab', 'ba'] as const) {
      const r = result.directions[dir];
      expect(r.ratePps).toBeNull();
      expect(r.limitedBy).toBe('floor');
      expect(r.lossPercentAtRate).toBe(4);
      expect(r.lowestFailingPps).toBe(FLOOR);
      expect(r.confirmed).toBe(false);
    }
    // The floor itself was tried (and failed) — the verdict is not inferred from the bisection.
    const last = result.trials.at(-1)!;
    expect(last.rates).toEqual({ abPps: FLOOR, baPps: FLOOR });
    expect(last.ab.verdict).toBe('loss');
    expect(result.trials.every((t) => !t.ab.pass && !t.ba.pass)).toBe(true);
  });

  it('keeps searching the other direction, holding the failed one at the floor', async () => {
    const runner: TrialRunner = async ({ abPps, baPps }) => ({ ab: lossy(abPps), ba: knee(baPps, 123_456) });
    const result = await findMaxRate(runner, { floorPps: FLOOR, ceilingPps: 500_000, resolutionPps: 1_000, maxTrials: 60 });

    expect(result.directions.ab.limitedBy).toBe('floor');
    expect(result.directions.ab.ratePps).toBeNull();
    const ba = result.directions.ba;
    expect(ba.limitedBy).toBe('loss');
    expect(ba.ratePps!).toBeLessThanOrEqual(123_456);
    expect(ba.ratePps!).toBeGreaterThan(123_456 - 1_000);
    const held = result.trials.filter((t) => t.ab.role === 'hold');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((t) => t.rates.abPps === FLOOR)).toBe(true);
  });

  it('treats a floor the sender cannot even emit as not sustained', async () => {
    // No loss is reported, but the sender only manages 1 000 pps.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: Math.min(abPps, 1_000), lossPercent: 0 },
      ba: knee(baPps, 50_000),
    });
    const result = await findMaxRate(runner, { floorPps: FLOOR, ceilingPps: 100_000, maxTrials: 40 });
    expect(result.directions.ab.limitedBy).toBe('floor');
    expect(result.directions.ab.ratePps).toBeNull();
    expect(result.trials.every((t) => t.ab.verdict === 'undersent' || t.ab.role === 'hold')).toBe(true);
  });

  it('gives a floor verdict when the measured flood rate is below the floor', async () => {
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: 500, lossPercent: 0 },
      ba: { offeredPps: baPps, sentPps: 500, lossPercent: 0 },
    });
    const result = await findMaxRate(runner, {
      floorPps: FLOOR,
      measureCeiling: async () => ({ abPps: 500, baPps: 500 }),
      maxTrials: 10,
    });
    expect(result.ceiling.rates).toEqual({ abPps: FLOOR, baPps: FLOOR });
    expect(result.directions.ab.limitedBy).toBe('floor');
    expect(result.directions.ba.limitedBy).toBe('floor');
    expect(result.trials).toHaveLength(1);
  });
});
