/**
 * Lossless even at the ceiling: the result is the ceiling itself, flagged
 * `limitedBy: 'ceiling'` (the true limit may be higher), after the usual re-checks.
 */
import { describe, it, expect } from 'vitest';
import { findMaxRate, planTotalTrials, type DirectionRates, type TrialRunner } from '../src/bench/search.js';

function losslessRunner(): { runner: TrialRunner; calls: DirectionRates[] } {
  const calls: DirectionRates[] = [];
  const runner: TrialRunner = async (rates) => {
    calls.push({ ...rates });
    return {
      ab: { offeredPps: rates.abPps, sentPps: rates.abPps, lossPercent: 0 },
      ba: { offeredPps: rates.baPps, sentPps: rates.baPps, lossPercent: 0 },
    };
  };
  return { runner, calls };
}

describe('findMaxRate when lossless at the ceiling', () => {
  it('returns the given ceiling after one ceiling trial and the re-checks', async () => {
    const { runner, calls } = losslessRunner();
    const options = { floorPps: 1_000, ceilingPps: 250_000, maxTrials: 30, confirmTrials: 2 };
    const result = await findMaxRate(runner, options);

    for (const dir of ['ab', 'ba'] as const) {
      expect(result.directions[dir]).toEqual({
        ratePps: 250_000,
        lossPercentAtRate: 0,
        lowestFailingPps: null,
        limitedBy: 'ceiling',
        confirmed: true,
        trials: 3,
      });
    }
    expect(calls).toEqual(Array.from({ length: 3 }, () => ({ abPps: 250_000, baPps: 250_000 })));
    expect(result.trials.map((t) => t.phase)).toEqual(['ceiling', 'confirm', 'confirm']);
    expect(result.ceiling).toEqual({ source: 'option', rates: { abPps: 250_000, baPps: 250_000 }, measured: null });
    expect(calls.length).toBeLessThanOrEqual(planTotalTrials(options));
  });

  it('measures the ceiling with the flood probe (sent rate x 1.05) when none is given', async () => {
    const { runner, calls } = losslessRunner();
    let probes = 0;
    const result = await findMaxRate(runner, {
      floorPps: 1_000,
      measureCeiling: async () => {
        probes += 1;
        return { abPps: 200_000, baPps: 100_000 };
      },
      maxTrials: 30,
      confirmTrials: 1,
    });
    expect(probes).toBe(1);
    expect(result.ceiling).toEqual({
      source: 'measured',
      rates: { abPps: 210_000, baPps: 105_000 },
      measured: { abPps: 200_000, baPps: 100_000 },
    });
    expect(calls[0]).toEqual({ abPps: 210_000, baPps: 105_000 });
    expect(result.directions.ab.ratePps).toBe(210_000);
    expect(result.directions.ba.ratePps).toBe(105_000);
    expect(result.directions.ab.limitedBy).toBe('ceiling');
    expect(result.directions.ba.limitedBy).toBe('ceiling');
    expect(result.trials).toHaveLength(2);
  });

  it('limits only the direction that is lossless at its ceiling', async () => {
    // B→A loses above 40k; A→B never does. A→B is held at its ceiling while B→A searches.
    const runner: TrialRunner = async ({ abPps, baPps }) => ({
      ab: { offeredPps: abPps, sentPps: abPps, lossPercent: 0 },
      ba: { offeredPps: baPps, sentPps: baPps, lossPercent: baPps <= 40_000 ? 0 : 3 },
    });
    const result = await findMaxRate(runner, { floorPps: 1_000, ceilingPps: 100_000, resolutionPps: 500, maxTrials: 40 });
    expect(result.directions.ab.limitedBy).toBe('ceiling');
    expect(result.directions.ab.ratePps).toBe(100_000);
    expect(result.directions.ba.limitedBy).toBe('loss');
    expect(result.directions.ba.ratePps!).toBeGreaterThanOrEqual(39_500);
    expect(result.directions.ba.ratePps!).toBeLessThanOrEqual(40_000);
    expect(result.trials.every((t) => t.rates.abPps === 100_000)).toBe(true);
  });

  it('rejects a search with neither a ceiling nor a probe', async () => {
    const { runner } = losslessRunner();
    await expect(findMaxRate(runner, { floorPps: 1_000, maxTrials: 10 })).rejects.toThrow(TypeError);
  });
});
