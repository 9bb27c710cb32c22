/**
 * Capacity that falls during a search (issue 24): on a shared machine a
 * contender's sender reached 152k/s at trial 10 of a bench:perf search and
 * only 121–125k/s from trial 16 on. The passes measured before the fall are
 * stale; a search that leaned on them walked down one refuted rate at a time
 * and ran out of trials. After a refutation the search now steps down from
 * the refuted rate with fresh trials (search.ts REBRACKET_STEPS). Measured
 * on these very cases with the search before that change and its budget (26):
 * falls at trials 6–10 ended 'max-trials' (unbounded, 29–39 trials); now
 * falls at trials 3, 7, 9 and 10 end decided in 20–23 trials of 34. Injected
 * trials only: the truth (the capacity at each trial) is known, so the test
 * can check the answer against it, not against the search's own arithmetic.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findMaxRate, searchBudget, type DirectionOutcome, type TrialRunner } from '../src/bench/search.js';
import { mulberry32 } from '../src/udp/pattern.js';

const FLOOR = 1_000;
const CEILING = 200_000;
const opts = { floorPps: FLOOR, ceilingPps: CEILING, resolutionPercent: 1, confirmTrials: 2 } as const;
const BUDGET = searchBudget(opts);

/** A direction whose capacity is `before` until trial `dropAt` (0-based), then `after`; optional seeded noise fails a trial below capacity. */
interface Drift {
  before: number;
  after: number;
  dropAt: number;
}

function driftRunner(
  ab: Drift,
  ba: Drift,
  noise = 0,
  seed = 1,
  jitter = 0,
): { runner: TrialRunner; capacityAt: (dir: 'ab' | 'ba', trial: number) => number } {
  const rnd = mulberry32(seed);
  let trial = 0;
  const capacityAt = (dir: 'ab' | 'ba', t: number): number => {
    const d = dir === 'ab' ? ab : ba;
    return t < d.dropAt ? d.before : d.after;
  };
  const one = (dir: 'ab' | 'ba', rate: number): DirectionOutcome => {
    // `jitter`: each trial's capacity lies uniformly in [1 − jitter, 1] × the nominal one (never above it).
    const cap = capacityAt(dir, trial) * (1 - jitter * rnd());
    // Above capacity the excess is lost; below, a noisy trial loses a little.
    if (rate > cap) return { offeredPps: rate, sentPps: rate, lossPercent: ((rate - cap) / rate) * 100 };
    return { offeredPps: rate, sentPps: rate, lossPercent: rnd() < noise ? 0.5 : 0 };
  };
  const runner: TrialRunner = async ({ abPps, baPps }) => {
    const out = { ab: one('ab', abPps), ba: one('ba', baPps) };
    trial++;
    return out;
  };
  return { runner, capacityAt };
}

describe('findMaxRate when the machine loses capacity mid-search', () => {
  it.each([
    ['early in the bisection (trial 3)', 3],
    ['late in the bisection (trial 7)', 7],
    ['at the first re-check (trial 9)', 9],
    ['at the last re-check (trial 10)', 10],
  ])('a 20 percent fall %s ends decided, at most the new capacity and within 3 percent of it', async (_label, dropAt) => {
    const ab: Drift = { before: 150_000, after: 120_000, dropAt };
    const ba: Drift = { before: 90_000, after: 72_000, dropAt: dropAt + 2 };
    const { runner } = driftRunner(ab, ba);
    const r = await findMaxRate(runner, { ...opts, maxTrials: BUDGET });
    console.log(`fall at trial ${dropAt}: ${r.trials.length} of ${BUDGET} trials; A→B ${r.directions.ab.ratePps} (${r.directions.ab.limitedBy}), B→A ${r.directions.ba.ratePps} (${r.directions.ba.limitedBy})`);
    for (const [dir, d] of [['ab', ab], ['ba', ba]] as const) {
      const res = r.directions[dir];
      expect(res.limitedBy, dir).not.toBe('max-trials');
      expect(res.confirmed, dir).toBe(true);
      expect(res.ratePps as number, dir).toBeLessThanOrEqual(d.after);
      expect(res.ratePps as number, dir).toBeGreaterThanOrEqual(d.after * 0.97);
    }
    // Within the budget the search before the re-bracket had (26 for this range), which it ran out of
    // with the fall at trial 6, 7, 8, 9 or 10 (measured; unbounded it needed 29, 33, 36, 38 and 39 trials).
    expect(r.trials.length).toBeLessThanOrEqual(26);
  });

  it('records the re-bracket: after the refutation, fresh search trials at the nearest older pass, then 10 and 20 percent below the refuted rate', async () => {
    // A→B converges near 150k, re-checks at trials 9 and 10 fail on the fall to 120k: refuted.
    const { runner } = driftRunner({ before: 150_000, after: 120_000, dropAt: 9 }, { before: 90_000, after: 90_000, dropAt: 0 });
    const r = await findMaxRate(runner, { ...opts, maxTrials: BUDGET });
    const ab = r.trials.map((t) => t.ab);
    const refutedAt = ab.findIndex((t, i) => i > 0 && t.role === 'confirm' && !t.pass && ab[i - 1]!.role === 'confirm' && !ab[i - 1]!.pass);
    expect(refutedAt).toBeGreaterThan(0);
    const top = ab[refutedAt]!.offeredPps;
    const next = ab.slice(refutedAt + 1, refutedAt + 4);
    // The first step re-tests the nearest older pass when one lies within 5 % below (here the bisection's
    // last pass, measured before the fall), else the 5 % point; then 10 and 20 % below; the 20 % step passes.
    const older = ab.slice(0, refutedAt).filter((t) => t.pass && t.offeredPps < top).map((t) => t.offeredPps);
    const nearest = Math.max(...older);
    expect(nearest).toBeGreaterThanOrEqual(Math.round(top * 0.95));
    expect(next.map((t) => t.role)).toEqual(['search', 'search', 'search']);
    expect(next.map((t) => t.offeredPps)).toEqual([nearest, Math.round(top * 0.9), Math.round(top * 0.8)]);
    expect(next.map((t) => t.pass)).toEqual([false, false, true]);
    expect(r.directions.ab.ratePps as number).toBeLessThanOrEqual(120_000);
    expect(r.directions.ab.limitedBy).toBe('loss');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'with capacity jitter (seed %i): 20 percent falls in the bisection (A→B) and at the re-checks (B→A) end decided within 2 resolutions below the new capacity',
    async (seed) => {
      // Each trial's capacity is 0–1 % below its nominal value (a shared machine's jitter, downward only, so
      // no trial can pass above the new capacity C2). Why the lower bound C2 × (1 − 2 × 1 %): every failure
      // lies above the capacity at its trial, so above C2 × 0.99 once the fall has happened (or above C1 >
      // C2 before it); the converged rate lies within 1 % of the lowest such failure after the refutation.
      const ab: Drift = { before: 150_000, after: 120_000, dropAt: 4 + (seed % 4) };
      const ba: Drift = { before: 90_000, after: 72_000, dropAt: 8 + (seed % 3) };
      const { runner } = driftRunner(ab, ba, 0, seed, 0.01);
      const r = await findMaxRate(runner, { ...opts, maxTrials: BUDGET });
      for (const [dir, d] of [['ab', ab], ['ba', ba]] as const) {
        const res = r.directions[dir];
        expect(res.limitedBy, dir).toBe('loss');
        expect(res.confirmed, dir).toBe(true);
        expect(res.ratePps as number, dir).toBeLessThanOrEqual(d.after);
        expect(res.ratePps as number, dir).toBeGreaterThanOrEqual(d.after * (1 - 2 * 0.01));
      }
      expect(r.trials.length).toBeLessThanOrEqual(BUDGET);
    },
  );

  it('costs no more trials than before when nothing drifts', async () => {
    const { runner } = driftRunner({ before: 150_000, after: 150_000, dropAt: 0 }, { before: 90_000, after: 90_000, dropAt: 0 });
    const r = await findMaxRate(runner, { ...opts, maxTrials: BUDGET });
    // Ceiling + bisection to 1 % + 2 re-checks: 11 trials, as the search before the re-bracket took on this
    // case (measured); without a refutation the re-bracket never starts, so the path is the same.
    expect(r.trials.length).toBe(11);
    expect(r.trials.every((t) => t.ab.pass || t.ab.role !== 'confirm')).toBe(true);
    expect(r.directions.ab.confirmed && r.directions.ba.confirmed).toBe(true);
  });

  it('property: any fall of up to 30 % at any trial, with 5 % noisy trials, ends decided and never above the capacity at its last re-check', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20_000, max: 190_000 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        async (before, fall, dropAt, seed) => {
          const d: Drift = { before, after: Math.round(before * (1 - fall)), dropAt };
          const { runner, capacityAt } = driftRunner(d, d, 0.05, seed);
          const r = await findMaxRate(runner, { ...opts, maxTrials: BUDGET });
          for (const dir of ['ab', 'ba'] as const) {
            const res = r.directions[dir];
            if (res.limitedBy === 'max-trials') return false;
            const last = r.trials.length - 1;
            if (res.ratePps !== null && res.ratePps > capacityAt(dir, last)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200, seed: 24 },
    );
  });
});
