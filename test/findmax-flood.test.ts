import { describe, expect, it } from 'vitest';
import { runFindMax } from '../src/bench/findmax.js';
import { expectChecked, localConfig } from './helpers.js';

describe('bench duplex --find-max without --ceiling', () => {
  it('measures the ceiling with an unpaced flood first and starts the search there', async () => {
    const starts: (number | null)[] = [];
    const result = await runFindMax(
      localConfig({ sizeBytes: 64 }),
      { lossThresholdPercent: 0, floorPps: 1000, ceilingPps: null, trialSeconds: 0.5, maxTrials: 2 },
      { onRunStart: (s) => starts.push(s.index) },
    );
    expect(result.complete).toBe(true);
    // The flood runs first and is not a trial.
    expect(starts[0]).toBeNull();
    expect(starts.slice(1)).toEqual(result.trials.map((t) => t.index));

    const flood = result.ceilingRun;
    if (flood === null) throw new Error('no flood run recorded');
    expect(flood.config.rateAbPps).toBeNull();
    expect(flood.config.rateBaPps).toBeNull();
    expectChecked(flood);

    const ceiling = result.ceiling;
    if (ceiling === null) throw new Error('no ceiling');
    expect(ceiling.source).toBe('measured');
    const sent = { abPps: flood.directions.find((d) => d.from === 'A')?.sentPps, baPps: flood.directions.find((d) => d.from === 'B')?.sentPps };
    expect(ceiling.measured).toEqual(sent);
    // The first trial is at the ceiling: the faster direction's flood rate, for both, with the recorded headroom, never below the floor.
    const first = result.trials[0];
    expect(first?.phase).toBe('ceiling');
    expect(first?.rates).toEqual(ceiling.rates);
    const top = Math.max(sent.abPps ?? 0, sent.baPps ?? 0);
    expect(ceiling.rates.abPps).toBe(Math.max(1000, Math.round(top * result.search.ceilingHeadroom)));
    expect(ceiling.rates.baPps).toBe(ceiling.rates.abPps);
    expect(result.trialRuns).toHaveLength(result.trials.length);
    for (const run of result.trialRuns) expectChecked(run);
  });
});
