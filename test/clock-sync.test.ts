/**
 * The clock estimate on synthetic timestamp streams whose truth is known: a
 * listener clock 3.2 s ahead running 50 ppm fast, asymmetric path delays and
 * random queueing. The estimate must recover offset and drift within its own
 * bound, and the corrected one-way delays must match the truth within it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bestSample, driftCorrection, estimateClock, offsetAt, offsetOf, plausibleSample, roundTripOf, type ClockSample } from '../src/bench/clock-sync.js';

/** A listener clock: θ(t) = offset + drift × t (t on the client clock, ns). */
interface Truth {
  offsetNs: number;
  driftPerNs: number;
}
const theta = (tr: Truth, tNs: number): number => tr.offsetNs + tr.driftPerNs * tNs;

/** One probe sent at client time t1 with one-way delays up/down (ns) and a hold at the listener. */
function probe(tr: Truth, t1: number, upNs: number, downNs: number, holdNs: number): ClockSample {
  const arriveClient = t1 + upNs; // client time of arrival at the listener
  const t2 = arriveClient + theta(tr, arriveClient);
  const leaveClient = arriveClient + holdNs;
  const t3 = leaveClient + theta(tr, leaveClient);
  const t4 = leaveClient + downNs;
  return { t1, t2, t3, t4 };
}

/** A seeded PRNG for repeatable noise. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function burst(tr: Truth, startNs: number, base: { up: number; down: number }, random: () => number): ClockSample[] {
  const out: ClockSample[] = [];
  for (let i = 0; i < 16; i++) {
    // Queueing: exponential-ish extra delay each way, independent.
    const qUp = -Math.log(1 - random()) * 300_000;
    const qDown = -Math.log(1 - random()) * 300_000;
    out.push(probe(tr, startNs + i * 5e6, base.up + qUp, base.down + qDown, 20_000 + random() * 50_000));
  }
  return out;
}

describe('clock-sync', () => {
  const truth: Truth = { offsetNs: 3.2e9, driftPerNs: 50e-6 };

  it('a single symmetric probe gives the exact offset at its midpoint and the round trip without the hold', () => {
    const s = probe({ offsetNs: 3.2e9, driftPerNs: 0 }, 1e9, 200_000, 200_000, 30_000);
    expect(offsetOf(s)).toBeCloseTo(3.2e9, 3);
    expect(roundTripOf(s)).toBeCloseTo(400_000, 3);
  });

  it('recovers +3.2 s and +50 ppm within its bound, with asymmetric delays and random queueing', () => {
    const random = rng(42);
    const base = { up: 150_000, down: 400_000 }; // an asymmetric path: 250 µs more one way
    const before = burst(truth, 10e9, base, random);
    const after = burst(truth, 20e9, base, random);
    const e = estimateClock(before, after);
    expect(e).not.toBeNull();
    if (e === null) return;
    // The offset at the estimate's own instant is within its bound of the truth there.
    expect(Math.abs(e.offsetNs - theta(truth, e.atNs))).toBeLessThanOrEqual(e.boundNs);
    // Drift: 50 ppm, within the error the two bounds allow over the 10 s between bursts.
    const driftErrorPerNs = (2 * e.boundNs) / 10e9;
    expect(Math.abs(e.driftPerNs - truth.driftPerNs)).toBeLessThanOrEqual(driftErrorPerNs);
    expect(e.driftPerNs * 1e6).toBeGreaterThan(40);
    expect(e.driftPerNs * 1e6).toBeLessThan(60);
    // Anywhere between the bursts, θ is within the bound (plus the drift error's share).
    for (const t of [10e9, 15e9, 20e9]) expect(Math.abs(offsetAt(e, t) - theta(truth, t))).toBeLessThanOrEqual(e.boundNs * 3);
  });

  it('corrected one-way delays of a data phase match the true ones within the bound, each direction', () => {
    const random = rng(7);
    const base = { up: 120_000, down: 300_000 };
    const before = burst(truth, 1e9, base, random);
    const after = burst(truth, 12e9, base, random);
    const e = estimateClock(before, after);
    if (e === null) throw new Error('no estimate');
    const measure = { startNs: 2e9, endNs: 11e9 };
    // What a receiver records: the true delay seen through the pre-run offset held constant.
    const trueUp = 500_000;
    const trueDown = 900_000;
    const tMid = (measure.startNs + measure.endNs) / 2;
    // A→B at B: arrival_B − send_A − θ_pre = true + θ(t) − θ_pre.
    const recordedUp = trueUp + theta(truth, tMid) - e.offsetNs;
    // B→A at A: arrival_A − send_B + θ_pre = true − θ(t) + θ_pre.
    const recordedDown = trueDown - theta(truth, tMid) + e.offsetNs;
    const up = driftCorrection(e, measure, 1);
    const down = driftCorrection(e, measure, -1);
    expect(Math.abs(recordedUp + up.shiftNs - trueUp)).toBeLessThanOrEqual(e.boundNs + up.extraBoundNs);
    expect(Math.abs(recordedDown + down.shiftNs - trueDown)).toBeLessThanOrEqual(e.boundNs + down.extraBoundNs);
  });

  it('property: for any offset, drift ≤ 200 ppm and path asymmetry, the offset is within its bound', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        fc.double({ min: -200e-6, max: 200e-6, noNaN: true }),
        fc.integer({ min: 10_000, max: 5_000_000 }),
        fc.integer({ min: 10_000, max: 5_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (offsetNs, driftPerNs, up, down, seed) => {
          const tr = { offsetNs, driftPerNs };
          const random = rng(seed);
          const e = estimateClock(burst(tr, 1e9, { up, down }, random), []);
          if (e === null) return false;
          // Floating point on offsets of 1e12 ns: allow 1 µs of rounding.
          return Math.abs(e.offsetNs - theta(tr, e.atNs)) <= e.boundNs + 1000;
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  it('refuses impossible samples (negative round trip or hold) and has no estimate without a probe back', () => {
    const bad: ClockSample = { t1: 100, t2: 50, t3: 40, t4: 90 };
    expect(bestSample([bad])).toBeNull();
    expect(estimateClock([], [])).toBeNull();
    const good = probe({ offsetNs: 0, driftPerNs: 0 }, 0, 1000, 1000, 10);
    expect(bestSample([bad, good])).toBe(good);
    // One burst only: no drift, bound from it alone.
    const e = estimateClock([good], []);
    expect(e?.driftPerNs).toBe(0);
    expect(e?.roundTripNs.after).toBeNull();
  });
});

describe('a clock sample from a hostile listener', () => {
  it('is held only when its timestamps are ordered, within the round trip and below 2^62 ns', () => {
    const ok = { t1: 1_000, t2: 5_000_500, t3: 5_000_600, t4: 2_000 };
    expect(plausibleSample(ok)).toBe(true);
    expect(plausibleSample({ ...ok, t2: 1e308, t3: 1e308 })).toBe(false);
    expect(plausibleSample({ ...ok, t2: -1e308 })).toBe(false);
    expect(plausibleSample({ ...ok, t3: ok.t2 - 1 })).toBe(false); // replied before it arrived
    expect(plausibleSample({ ...ok, t3: ok.t2 + 1_001 })).toBe(false); // held longer than the round trip took
    expect(plausibleSample({ ...ok, t4: ok.t1 - 1 })).toBe(false);
  });
});
