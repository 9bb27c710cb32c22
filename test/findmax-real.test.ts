import { describe, expect, it } from 'vitest';
import { runFindMax } from '../src/bench/findmax.js';
import { expectChecked, localConfig } from './helpers.js';

const FLOOR = 1000;
const CEILING = 20_000;
const MAX_TRIALS = 4;

describe('bench duplex --find-max on loopback with a tiny budget', () => {
  it('returns a rate or null per direction, with every trial and its full, conserved run', async () => {
    const cfg = localConfig({ sizeBytes: 64 });
    const seen: number[] = [];
    const result = await runFindMax(
      cfg,
      { lossThresholdPercent: 0, floorPps: FLOOR, ceilingPps: CEILING, trialSeconds: 0.5, maxTrials: MAX_TRIALS },
      { onTrial: (trial) => seen.push(trial.index) },
    );

    expect(result.kind).toBe('search');
    expect(result.complete).toBe(true);
    expect(result.search).toMatchObject({ floorPps: FLOOR, ceilingPps: CEILING, trialSeconds: 0.5, maxTrials: MAX_TRIALS, lossThresholdPercent: 0 });
    expect(result.ceiling).toEqual({ source: 'option', rates: { abPps: CEILING, baPps: CEILING }, measured: null });
    expect(result.ceilingRun).toBeNull();
    expect(result.trials.length).toBeGreaterThanOrEqual(1);
    expect(result.trials.length).toBeLessThanOrEqual(MAX_TRIALS);
    expect(seen).toEqual(result.trials.map((t) => t.index));
    expect(result.trialRuns).toHaveLength(result.trials.length);

    result.trials.forEach((trial, i) => {
      expect(trial.index).toBe(i);
      const run = result.trialRuns[i];
      if (run === undefined) throw new Error(`trial ${i} has no run`);
      expect(run.complete).toBe(true);
      expectChecked(run);
      // The run is the trial: same rates, same duration, same figures the search judged.
      expect(run.config.durationSeconds).toBe(0.5);
      expect(run.config.rateAbPps).toBe(trial.rates.abPps);
      expect(run.config.rateBaPps).toBe(trial.rates.baPps);
      for (const [key, from] of [['ab', 'A'], ['ba', 'B']] as const) {
        const d = run.directions.find((x) => x.from === from);
        expect(trial[key].outcome.sentPps).toBe(d?.sentPps);
        expect(trial[key].outcome.lossPercent).toBe(d?.lossPercent);
        expect(trial[key].pass).toBe(trial[key].verdict === 'pass');
        expect(trial[key].offeredPps).toBeGreaterThanOrEqual(FLOOR);
        expect(trial[key].offeredPps).toBeLessThanOrEqual(CEILING);
      }
    });

    const directions = result.directions;
    if (directions === null) throw new Error('a complete search has an answer');
    for (const key of ['ab', 'ba'] as const) {
      const answer = directions[key];
      if (answer.ratePps === null) {
        expect(['floor', 'max-trials']).toContain(answer.limitedBy);
        continue;
      }
      expect(answer.ratePps).toBeGreaterThanOrEqual(FLOOR);
      expect(answer.ratePps).toBeLessThanOrEqual(CEILING);
      // The answer is a rate that some trial actually passed.
      expect(result.trials.some((t) => t[key].offeredPps === answer.ratePps && t[key].pass)).toBe(true);
    }
  });
});
