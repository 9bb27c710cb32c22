/**
 * The jitter-buffer answer (late.ts, media-quality.ts) against counts made
 * directly from the delays (not from the histogram), and the E-model
 * estimate's choice of playout delay.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { lateCounts } from '../src/udp/late.js';
import { playoutResultOf, withVoiceQuality } from '../src/bench/media-quality.js';
import { rFactor, mouthToEarDelayMs } from '../src/bench/emodel.js';
import type { DirectionResult, RunConfig } from '../src/result/types.js';
import { localConfig } from './helpers.js';

function histogram(values: readonly number[]): hdr.Histogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  for (const v of values) h.recordValue(v);
  return h;
}

describe('late discard per playout delay', () => {
  it('counts the delays above base + D, within the histogram resolution (0.1 % of the value)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 2000 }), fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }), (delaysUs, playoutMs) => {
        const l = lateCounts({ delay: histogram(delaysUs), frameDelay: null, playoutMs, maxLatePercent: 1 });
        expect(l).not.toBeNull();
        const base = Math.min(...delaysUs);
        expect(Math.abs((l?.baseUs ?? 0) - base)).toBeLessThanOrEqual(base * 0.001 + 1);
        playoutMs.forEach((ms, i) => {
          const threshold = base + ms * 1000;
          // A delay counts as late when its bucket is above the threshold: exact away from the bucket's width.
          const surelyLate = delaysUs.filter((v) => v > threshold * 1.002 + 1).length;
          const maybeLate = delaysUs.filter((v) => v > threshold * 0.998 - 1).length;
          const got = l?.lateDatagrams[i] ?? -1;
          expect(got).toBeGreaterThanOrEqual(surelyLate);
          expect(got).toBeLessThanOrEqual(maybeLate);
        });
        // The needed delay leaves at most the target share late.
        expect((l?.lateAtNeeded ?? 0) / delaysUs.length).toBeLessThanOrEqual(0.01 + 1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('a hand-made case: base 10 ms, 1 in 10 at 70 ms → late at 20 and 50 ms, none at 60 ms', () => {
    const delays = [...Array.from({ length: 9 }, () => 10_000), 70_000];
    const l = lateCounts({ delay: histogram(delays), frameDelay: null, playoutMs: [20, 50, 60], maxLatePercent: 5 });
    expect(l?.lateDatagrams).toEqual([1, 1, 0]);
    const p = playoutResultOf(l as NonNullable<typeof l>, 0, 10);
    expect(p.rows.map((r) => r.latePercent)).toEqual([10, 10, 0]);
    expect(p.rows.map((r) => r.lossAndLatePercent)).toEqual([10, 10, 0]);
    // 5 % late allowed, 10 % are at +60 ms: the needed delay is that (to the histogram's 0.1 %).
    expect(p.neededMs).toBeGreaterThan(59.9);
    expect(p.neededMs).toBeLessThan(60.1);
  });
});

describe('the voice estimate', () => {
  const cfg: RunConfig = { ...localConfig(), patternAb: { kind: 'voice', sizeBytes: 160, intervalMs: 20, offered: { datagramsPerSecond: 50, bitsPerSecond: 64_000, framesPerSecond: 50, largestFrameDatagrams: 1, largestFrameBytes: 160 } } as RunConfig['patternAb'], codec: 'g729a' };

  function direction(over: Partial<DirectionResult>): DirectionResult {
    return { from: 'A', to: 'B', sent: 1000, lost: 10, ...over } as DirectionResult;
  }

  it('takes the playout delay with the highest R, and its R is the E-model at that delay and loss + late', () => {
    const l = lateCounts({ delay: histogram([...Array.from({ length: 960 }, () => 5_000), ...Array.from({ length: 30 }, () => 45_000)]), frameDelay: null, playoutMs: [20, 60, 200], maxLatePercent: 1 });
    const d = withVoiceQuality(direction({ playout: playoutResultOf(l as NonNullable<typeof l>, 10, 1000) }), cfg);
    const v = d.voice;
    expect(v?.codec).toBe('g729a');
    // At 20 ms 30 datagrams are late (4 % with the loss); the needed delay (40 ms, to the histogram's 0.1 %) has none
    // late and less delay than 60 or 200 ms: it wins.
    expect(v?.playoutMs).toBeGreaterThan(39.9);
    expect(v?.playoutMs).toBeLessThan(40.1);
    const expected = rFactor({ mouthToEarDelayMs: mouthToEarDelayMs({ networkOneWayMs: 5, playoutDelayMs: v?.playoutMs ?? 0, codec: 'g729a' }), lossPercent: 1, burstR: 1, codec: 'g729a' });
    expect(v?.effectiveLossPercent).toBeCloseTo(1, 9);
    expect(v?.r).toBeCloseTo(expected.r, 9);
    expect(d.playout?.rows.map((r) => r.r)).toHaveLength(3);
    // Only voice directions get one.
    expect(withVoiceQuality(direction({ from: 'B', to: 'A' }), cfg).voice).toBeUndefined();
  });
});
