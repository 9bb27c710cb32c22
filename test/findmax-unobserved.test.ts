/**
 * `--find-max` against runs whose figures are `null` (schema 2: not observed).
 * `runDuplex` is replaced by a fake, so the test is about how the search reads
 * the result, not about sockets: a missing loss must fail the trial as
 * `unobserved` (never read as 0 % loss), and a flood without a sent rate must
 * stop the search with a reason instead of inventing a ceiling.
 */
import { describe, expect, it, vi } from 'vitest';
import type { DirectionResult, DuplexResult, RunConfig } from '../src/result/types.js';
import { localConfig } from './helpers.js';

/** What the fake run reports per direction: sent rate and loss, `null` = not observed. */
const plan: { ab: (cfg: RunConfig) => Partial<DirectionResult>; ba: (cfg: RunConfig) => Partial<DirectionResult> } = {
  ab: () => ({}),
  ba: () => ({}),
};

vi.mock('../src/bench/run.js', () => ({
  runDuplex: async (cfg: RunConfig): Promise<DuplexResult> => {
    const dir = (from: 'A' | 'B', figures: Partial<DirectionResult>): Partial<DirectionResult> => ({
      from,
      to: from === 'A' ? 'B' : 'A',
      ...figures,
    });
    // Only the fields findmax reads; the rest of a real result is irrelevant here.
    return {
      kind: 'duplex',
      complete: true,
      incompleteReason: null,
      warnings: [],
      environment: { hostname: 'test' },
      directions: [dir('A', plan.ab(cfg)), dir('B', plan.ba(cfg))],
    } as unknown as DuplexResult;
  },
}));

const { runFindMax } = await import('../src/bench/findmax.js');

describe('--find-max with unobserved figures', () => {
  it('fails every trial whose loss was not observed, as unobserved, never as 0 % loss', async () => {
    plan.ab = (cfg) => ({ sentPps: cfg.rateAbPps, lossPercent: 0 });
    plan.ba = (cfg) => ({ sentPps: cfg.rateBaPps, lossPercent: null });
    const result = await runFindMax(localConfig(), { lossThresholdPercent: 0, floorPps: 1000, ceilingPps: 50_000, trialSeconds: 1, maxTrials: 20 });
    expect(result.complete).toBe(true);
    expect(result.trials.length).toBeGreaterThan(0);
    for (const t of result.trials) {
      expect(t.ba.verdict).toBe('unobserved');
      expect(t.ba.pass).toBe(false);
      expect(t.ba.outcome.lossPercent).toBeNull();
    }
    expect(result.directions?.ba).toMatchObject({ ratePps: null, limitedBy: 'floor' });
    // A→B is unaffected: lossless at its ceiling.
    expect(result.directions?.ab).toMatchObject({ ratePps: 50_000, limitedBy: 'ceiling' });
  });

  it('stops with a reason when the ceiling flood reports no sent rate', async () => {
    plan.ab = () => ({ sentPps: null, lossPercent: null });
    plan.ba = () => ({ sentPps: 40_000, lossPercent: 0 });
    const result = await runFindMax(localConfig(), { lossThresholdPercent: 0, floorPps: 1000, ceilingPps: null, trialSeconds: 1, maxTrials: 5 });
    expect(result.complete).toBe(false);
    expect(result.incompleteReason).toMatch(/^ceiling-unobserved/);
    expect(result.trials).toEqual([]);
    expect(result.directions).toBeNull();
  });
});
