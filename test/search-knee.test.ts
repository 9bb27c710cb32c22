/**
 * The core behaviour: on a loss curve that is 0 below a knee K and rises above
 * it, the search finds K within one resolution step, independently per direction,
 * with both directions loaded in every trial.
 */
import { describe, it, expect } from 'vitest';
import {
  findMaxRate,
  planTotalTrials,
  type DirectionOutcome,
  type DirectionRates,
  type TrialOutcome,
  type TrialRunner,
} from '../src/bench/search.js';

/** Lossless up to `knee`, then losing everything above it (a simple overload model). */
function kneeCurve(knee: number): (rate: number) => DirectionOutcome {
  return (rate) => ({
    offeredPps: rate,
    sentPps: rate,
    lossPercent: rate <= knee ? 0 : ((rate - knee) / rate) * 100,
  });
}

function duplexRunner(kneeAb: number, kneeBa: number): { runner: TrialRunner; calls: DirectionRates[] } {
  const ab = kneeCurve(kneeAb);
  const ba = kneeCurve(kneeBa);
  const calls: DirectionRates[] = [];
  const runner: TrialRunner = async (rates): Promise<TrialOutcome> => {
    calls.push({ ...rates });
    return { ab: ab(rates.abPps), ba: ba(rates.baPps) };
  };
  return { runner, calls };
}

describe('findMaxRate on a knee curve', () => {
  const cases = [
    { kneeAb: 412_345, kneeBa: 157_000 },
    { kneeAb: 1_001, kneeBa: 999_999 },
    { kneeAb: 600_000, kneeBa: 600_000 },
  ];

  for (const { kneeAb, kneeBa } of cases) {
    it(`finds each direction's knee within one absolute step (ab ${kneeAb}, ba ${kneeBa})`, async () => {
      const resolutionPps = 1_000;
      const { runner, calls } = duplexRunner(kneeAb, kneeBa);
      const options = { floorPps: 1_000, ceilingPps: 1_000_000, resolutionPps, maxTrials: 60, confirmTrials: 2 };
      const result = await findMaxRate(runner, options);

      expect(result.kind).toBe('search');
      for (const [dir, knee] of [['ab', kneeAb], ['ba', kneeBa]] as const) {
        const r = result.directions[dir];
        expect(r.limitedBy).toBe('loss');
        expect(r.confirmed).toBe(true);
        expect(r.ratePps).not.toBeNull();
        expect(r.ratePps!).toBeLessThanOrEqual(knee);
        expect(r.ratePps!).toBeGreaterThanOrEqual(knee - resolutionPps);
        expect(r.lossPercentAtRate).toBe(0);
        expect(r.lowestFailingPps! - r.ratePps!).toBeLessThanOrEqual(resolutionPps);
      }
      // Every trial drove both directions, and the records match the runner calls.
      expect(result.trials).toHaveLength(calls.length);
      result.trials.forEach((t, i) => {
        expect(t.index).toBe(i);
        expect(t.rates).toEqual(calls[i]);
        expect(t.rates.abPps).toBeGreaterThan(0);
        expect(t.rates.baPps).toBeGreaterThan(0);
      });
      expect(result.trials[0]?.phase).toBe('ceiling');
      expect(calls.length).toBeLessThanOrEqual(planTotalTrials(options));
    });
  }

  it('finds the knee within a relative resolution step', async () => {
    const { runner } = duplexRunner(333_333, 55_555);
    const result = await findMaxRate(runner, {
      floorPps: 1_000,
      ceilingPps: 1_000_000,
      resolutionPercent: 2,
      maxTrials: 60,
      confirmTrials: 2,
    });
    for (const [dir, knee] of [['ab', 333_333], ['ba', 55_555]] as const) {
      const r = result.directions[dir];
      expect(r.ratePps!).toBeLessThanOrEqual(knee);
      // Within 2 % of the bracket's upper end, which lies above the knee.
      expect(r.lowestFailingPps!).toBeGreaterThan(knee);
      expect(r.lowestFailingPps! - r.ratePps!).toBeLessThanOrEqual(0.02 * r.lowestFailingPps!);
    }
  });

  it('holds a converged direction at its rate while the other keeps searching', async () => {
    // ba's range is 100 times narrower, so it converges (and is re-checked) many trials before ab.
    const { runner } = duplexRunner(777_777, 2_000);
    const result = await findMaxRate(runner, {
      floorPps: 1_000,
      ceilingPps: { abPps: 1_000_000, baPps: 10_000 },
      resolutionPps: 50,
      maxTrials: 80,
      confirmTrials: 2,
    });
    const ba = result.directions.ba;
    const held = result.trials.filter((t) => t.ba.role === 'hold');
    expect(held.length).toBeGreaterThan(0);
    for (const t of held) expect(t.rates.baPps).toBe(ba.ratePps);
    // Held trials still judge the direction, but do not count as its search trials.
    expect(ba.trials).toBe(result.trials.length - held.length);
    // The search ends as soon as both directions are done: the last trial is a re-check of ab.
    expect(result.trials.at(-1)?.ab.role).toBe('confirm');
  });

  it('reports each trial through onTrial, in order', async () => {
    const { runner } = duplexRunner(50_000, 80_000);
    const seen: number[] = [];
    const result = await findMaxRate(runner, {
      floorPps: 100,
      ceilingPps: { abPps: 100_000, baPps: 200_000 },
      maxTrials: 40,
      onTrial: (t) => seen.push(t.index),
    });
    expect(seen).toEqual(result.trials.map((t) => t.index));
    expect(result.trials[0]?.rates).toEqual({ abPps: 100_000, baPps: 200_000 });
  });
});
