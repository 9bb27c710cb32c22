/**
 * Loss shape (src/udp/loss-shape.ts): RFC 3611 §4.7.2 burst/gap metrics and
 * G.107 BurstR, streamed in O(1) per call.
 *
 * Three references, in order of independence from the module:
 * - `byDefinition`: classifies every packet by §4.7.2's definitions (losses
 *   less than Gmin received packets apart chain into one run; a run of two or
 *   more losses, first loss to last, is a burst; a single loss with ≥ Gmin
 *   received packets on each side, or the session's edge, is a gap loss, as
 *   the RFC's own example shows) and counts transitions for BurstR. Every
 *   output of `lossShape` must equal it.
 * - `a2PerPacket`: RFC 3611 Appendix A.2's per-packet counting, one packet at
 *   a time, with the module's start rule. The module's counters must equal it
 *   exactly: that is the proof that handling a run of losses in closed form
 *   is the per-packet algorithm.
 * - `a2Literal`: A.2 exactly as written (no start rule, no closing at the
 *   report), only to pin down where and why the module departs from it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_GMIN,
  lossShape,
  newLossShape,
  packetsToMs,
  recordReceived,
  recordTrailingLoss,
  type LossShape,
  type LossShapeState,
} from '../src/udp/loss-shape.js';

// ---------------------------------------------------------------- sequences

/** true = received, false = lost. */
type Seq = boolean[];

const R = (n: number): Seq => new Array<boolean>(n).fill(true);
const L = (n: number): Seq => new Array<boolean>(n).fill(false);
/** '1' received, anything else ('0' lost, 'X' discarded) lost. */
const pattern = (s: string): Seq => [...s].map((c) => c === '1');

/** xorshift32, seeded: deterministic uniform [0, 1). */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Gilbert (2-state Markov) loss: p = P(lost | previous received), q = P(received | previous lost); starts as after a received packet. */
function gilbert(n: number, p: number, q: number, seed: number): Seq {
  const rnd = xorshift(seed);
  const out: Seq = new Array<boolean>(n);
  let prevLost = false;
  for (let i = 0; i < n; i++) {
    const lost: boolean = prevLost ? rnd() >= q : rnd() < p;
    out[i] = !lost;
    prevLost = lost;
  }
  return out;
}

/** Feeds a sequence the way a receiver would: one call per received packet with the losses before it, then the trailing loss. */
function feed(s: LossShapeState, seq: Seq): LossShapeState {
  let lost = 0;
  for (const received of seq) {
    if (received) {
      recordReceived(s, lost);
      lost = 0;
    } else lost++;
  }
  recordTrailingLoss(s, lost);
  return s;
}

const streamed = (seq: Seq, gmin = DEFAULT_GMIN): LossShape => lossShape(feed(newLossShape(gmin), seq));

// ---------------------------------------------------------------- references

const density256 = (lost: number, packets: number): number => (packets === 0 ? 0 : Math.min(255, Math.floor((256 * lost) / packets)));

/** §4.7.2 by its definitions, one packet at a time, nothing shared with the module. */
function byDefinition(seq: Seq, gmin: number): LossShape {
  const n = seq.length;
  const inBurst = new Array<boolean>(n).fill(false);
  let bursts = 0;
  let burstPackets = 0;
  let burstLost = 0;
  let lostTotal = 0;
  // Chains of losses whose neighbours are < gmin received packets apart.
  let start = -1;
  let last = -1;
  let count = 0;
  const close = (): void => {
    if (count >= 2) {
      bursts++;
      burstPackets += last - start + 1;
      burstLost += count;
      for (let i = start; i <= last; i++) inBurst[i] = true;
    }
  };
  for (let i = 0; i < n; i++) {
    if (seq[i]) continue;
    lostTotal++;
    if (count > 0 && i - last - 1 < gmin) {
      last = i;
      count++;
    } else {
      close();
      start = i;
      last = i;
      count = 1;
    }
  }
  close();
  const gapPackets = n - burstPackets;
  const gapLost = lostTotal - burstLost;
  let gapPeriods = 0;
  for (let i = 0; i < n; i++) if (!inBurst[i] && (i === 0 || inBurst[i - 1])) gapPeriods++;

  // BurstR from the transitions.
  let rr = 0;
  let rl = 0;
  let lr = 0;
  let ll = 0;
  for (let i = 1; i < n; i++) {
    if (seq[i - 1]) {
      if (seq[i]) rr++;
      else rl++;
    } else if (seq[i]) lr++;
    else ll++;
  }
  let burstR: number | null;
  if (n === 0) burstR = null;
  else if (lostTotal === 0) burstR = 1;
  else if (rr + rl === 0 || lr + ll === 0) burstR = null;
  else burstR = 1 / (rl / (rr + rl) + lr / (lr + ll));

  const seen = n > 0;
  return {
    gmin,
    packets: n,
    lost: lostTotal,
    burstDensity: seen ? (burstPackets > 0 ? burstLost / burstPackets : 0) : null,
    gapDensity: seen ? (gapPackets > 0 ? gapLost / gapPackets : 0) : null,
    burstDensity256: seen ? density256(burstLost, burstPackets) : null,
    gapDensity256: seen ? density256(gapLost, gapPackets) : null,
    meanBurstPackets: bursts > 0 ? burstPackets / bursts : null,
    meanGapPackets: gapPeriods > 0 ? gapPackets / gapPeriods : null,
    bursts,
    burstR,
  };
}

interface A2Counters {
  c11: number;
  c13: number;
  c14: number;
  c22: number;
  c23: number;
  c33: number;
  pkt: number;
  lost: number;
}

/** One lost packet in RFC 3611 A.2's loop body (the branch taken when `pkt` packets were received since the last loss). */
function a2Loss(c: A2Counters, gmin: number): void {
  if (c.pkt >= gmin) {
    if (c.lost === 1) c.c14++;
    else c.c13++;
    c.lost = 1;
    c.c11 += c.pkt;
  } else {
    c.lost++;
    if (c.pkt === 0) c.c33++;
    else {
      c.c23++;
      c.c22 += c.pkt - 1;
    }
  }
  c.pkt = 0;
}

/** RFC 3611 A.2 per packet, with the module's start rule (`lost` = 0: no loss yet, the first loss opens a candidate burst). */
function a2PerPacket(seq: Seq, gmin: number): A2Counters {
  const c = { c11: 0, c13: 0, c14: 0, c22: 0, c23: 0, c33: 0, pkt: 0, lost: 0 };
  for (const received of seq) {
    if (received) {
      c.pkt++;
      continue;
    }
    if (c.lost === 0) {
      // No loss yet: the session is preceded by Gmin received packets (§4.7.2), so this loss opens a burst candidate.
      c.c11 += c.pkt;
      c.lost = 1;
      c.pkt = 0;
      continue;
    }
    a2Loss(c, gmin);
  }
  return c;
}

/** RFC 3611 A.2 exactly as printed: lost = pkt = 0 at the start, nothing done at the report. */
function a2Literal(seq: Seq, gmin: number): A2Counters {
  const c = { c11: 0, c13: 0, c14: 0, c22: 0, c23: 0, c33: 0, pkt: 0, lost: 0 };
  for (const received of seq) {
    if (received) c.pkt++;
    else a2Loss(c, gmin);
  }
  return c;
}

/** A.2's report-time formulas (fractions, not ×256), after the module's closing step; `null` where A.2 divides by zero. */
function a2Report(k: A2Counters): { burstDensity: number | null; gapDensity: number | null; burstLength: number | null; gapLength: number | null } {
  let { c11, c13, c14 } = k;
  const { c22, c23, c33 } = k;
  c11 += k.pkt;
  if (k.lost === 1) c14++;
  else if (k.lost > 1) c13++;
  const c31 = c13;
  const c32 = c23;
  const ctotal = c11 + c14 + c13 + c22 + c23 + c31 + c32 + c33;
  const from3 = c31 + c32 + c33;
  const p32 = from3 === 0 ? null : c32 / from3;
  const p23 = c22 + c23 < 1 ? 1 : 1 - c22 / (c22 + c23);
  const gapLength = c13 === 0 ? null : (c11 + c14 + c13) / c13;
  return {
    burstDensity: p32 === null ? null : p23 / (p23 + p32),
    gapDensity: c11 + c14 === 0 ? null : c14 / (c11 + c14),
    burstLength: gapLength === null ? null : ctotal / c13 - gapLength,
    gapLength,
  };
}

// ---------------------------------------------------------------- comparison

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

/** Counts and ×256 figures exactly; fractions and means to 1e-12 relative. */
function expectShape(actual: LossShape, expected: LossShape): void {
  for (const key of Object.keys(expected) as (keyof LossShape)[]) {
    const a = actual[key];
    const e = expected[key];
    if (typeof a === 'number' && typeof e === 'number' && !Number.isInteger(e)) {
      if (!close(a, e)) expect.fail(`${key}: ${a} != ${e}`);
    } else expect(a, key).toBe(e);
  }
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
}

const counters = (s: LossShapeState): A2Counters => ({ c11: s.c11, c13: s.c13, c14: s.c14, c22: s.c22, c23: s.c23, c33: s.c33, pkt: s.pkt, lost: s.lost });

// ---------------------------------------------------------------- arbitraries

const gminArb = fc.constantFrom(1, 2, 3, 16);
const randomSeq = fc.array(fc.boolean(), { maxLength: 400 });
/** Runs of received then lost, some lost runs long. */
const runSeq = fc
  .array(
    fc.record({
      received: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 40 })),
      lost: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 600 })),
    }),
    { maxLength: 50 },
  )
  .map((runs) => runs.flatMap((r) => [...R(r.received), ...L(r.lost)]));
const gilbertSeq = fc
  .record({
    p: fc.double({ min: 0, max: 1, noNaN: true }),
    q: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 0, max: 3000 }),
    seed: fc.integer(),
  })
  .map(({ p, q, n, seed }) => gilbert(n, p, q, seed));
/** Rare, long bursts: the shape the metrics are for. */
const burstySeq = fc
  .record({
    p: fc.double({ min: 0.001, max: 0.08, noNaN: true }),
    q: fc.double({ min: 0.05, max: 0.7, noNaN: true }),
    n: fc.integer({ min: 0, max: 5000 }),
    seed: fc.integer(),
  })
  .map(({ p, q, n, seed }) => gilbert(n, p, q, seed));
const anySeq = fc.oneof(randomSeq, runSeq, gilbertSeq, burstySeq);

// ---------------------------------------------------------------- tests

describe('loss shape: streaming equals the references', () => {
  it('counters equal RFC 3611 A.2 applied one packet at a time (a run of losses in closed form)', () => {
    fc.assert(
      fc.property(anySeq, gminArb, (seq, gmin) => {
        expect(counters(feed(newLossShape(gmin), seq))).toEqual(a2PerPacket(seq, gmin));
      }),
      { numRuns: 300 },
    );
  });

  it('every output equals the §4.7.2 definitions and the transition count, for Gmin 16 and small Gmin', () => {
    fc.assert(
      fc.property(anySeq, gminArb, (seq, gmin) => {
        expectShape(streamed(seq, gmin), byDefinition(seq, gmin));
      }),
      { numRuns: 300 },
    );
  });

  it("A.2's Markov burst density p23/(p23+p32), gap density and burst length equal the count ratios reported", () => {
    fc.assert(
      fc.property(anySeq, gminArb, (seq, gmin) => {
        const shape = streamed(seq, gmin);
        const a2 = a2Report(a2PerPacket(seq, gmin));
        if (shape.bursts > 0) {
          expect(close(a2.burstDensity as number, shape.burstDensity as number)).toBe(true);
          expect(close(a2.burstLength as number, shape.meanBurstPackets as number)).toBe(true);
        }
        if (a2.gapDensity !== null) expect(close(a2.gapDensity, shape.gapDensity as number)).toBe(true);
      }),
    );
  });

  it('a report reads the state without changing it, and can be taken at any point', () => {
    fc.assert(
      fc.property(anySeq, anySeq, gminArb, (first, second, gmin) => {
        const s = newLossShape(gmin);
        feed(s, first);
        const before = { ...s };
        expectShape(lossShape(s), byDefinition(first, gmin));
        expect(s).toEqual(before);
        // Continue (the trailing loss of `first` joins the losses of `second`).
        feed(s, second);
        expectShape(lossShape(s), byDefinition([...first, ...second], gmin));
      }),
      { numRuns: 150 },
    );
  });

  it('recordTrailingLoss(a) then recordReceived(b) is recordReceived(a + b)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ lost: fc.integer({ min: 0, max: 50 }), split: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 80 }),
        gminArb,
        (calls, gmin) => {
          const whole = newLossShape(gmin);
          const split = newLossShape(gmin);
          for (const c of calls) {
            const a = Math.floor(c.lost * c.split);
            recordReceived(whole, c.lost);
            recordTrailingLoss(split, a);
            recordReceived(split, c.lost - a);
          }
          expect(split).toEqual(whole);
        },
      ),
    );
  });
});

describe('loss shape: crafted sequences (Gmin 16), computed by hand', () => {
  it('nothing seen: every figure unobserved', () => {
    expect(lossShape(newLossShape())).toEqual({
      gmin: 16,
      packets: 0,
      lost: 0,
      burstDensity: null,
      gapDensity: null,
      burstDensity256: null,
      gapDensity256: null,
      meanBurstPackets: null,
      meanGapPackets: null,
      bursts: 0,
      burstR: null,
    });
  });

  it('no loss in 1000: one gap of 1000, no burst, BurstR 1', () => {
    expect(streamed(R(1000))).toEqual({
      gmin: 16,
      packets: 1000,
      lost: 0,
      burstDensity: 0, // no burst: 0, as RFC 3611 would encode it
      gapDensity: 0,
      burstDensity256: 0,
      gapDensity256: 0,
      meanBurstPackets: null,
      meanGapPackets: 1000,
      bursts: 0,
      burstR: 1, // no loss: neutral by definition (see LossShape.burstR)
    });
  });

  it('one isolated loss in 1000: a gap loss, not a burst', () => {
    // 500 received, 1 lost, 499 received: ≥ 16 received on each side.
    // Gap: 1000 packets, 1 lost → 1/1000, ⌊0.256⌋ = 0.
    // Transitions: RR 499 + 498 = 997, RL 1, LR 1, LL 0 → p = 1/998, q = 1,
    // BurstR = 1/(1 + 1/998) = 998/999 (a lone loss is as random as it gets).
    const shape = streamed([...R(500), ...L(1), ...R(499)]);
    expect(shape).toEqual({
      gmin: 16,
      packets: 1000,
      lost: 1,
      burstDensity: 0,
      gapDensity: 1 / 1000,
      burstDensity256: 0,
      gapDensity256: 0,
      meanBurstPackets: null,
      meanGapPackets: 1000,
      bursts: 0,
      burstR: shape.burstR,
    });
    expect(shape.burstR).toBeCloseTo(998 / 999, 12);
  });

  it('a burst of 5 consecutive losses in 100', () => {
    // 50 received, 5 lost, 45 received.
    // Burst: the 5 lost packets, density 1 → ×256 = 256, capped at 255.
    // Gaps: 50 before and 45 after, no loss → mean 47.5.
    // Transitions: RR 49 + 44 = 93, RL 1, LL 4, LR 1 → p = 1/94, q = 1/5,
    // BurstR = 1/(1/94 + 1/5) = 470/99 ≈ 4.75.
    const shape = streamed([...R(50), ...L(5), ...R(45)]);
    expect({ ...shape, burstR: 0 }).toEqual({
      gmin: 16,
      packets: 100,
      lost: 5,
      burstDensity: 1,
      gapDensity: 0,
      burstDensity256: 255,
      gapDensity256: 0,
      meanBurstPackets: 5,
      meanGapPackets: 47.5,
      bursts: 1,
      burstR: 0,
    });
    expect(shape.burstR).toBeCloseTo(470 / 99, 12);
  });

  it('a loss every 3rd packet over 30 packets, 100 received each side', () => {
    // 100 R, (L R R) × 10, 100 R: 230 packets, losses 2 received apart.
    // A burst starts and ends with a loss (§4.7.2), so it is the 28 packets
    // from the first loss to the tenth: density 10/28 = 5/14 (the 30-packet
    // span loses 1/3, but its last two packets are received ones after the
    // burst), ⌊256 × 10/28⌋ = ⌊91.4⌋ = 91.
    // Gaps: 100 before; 2 + 100 = 102 after → mean 101, no loss.
    // Transitions: RR 99 + 10 + 1 + 99 = 209, RL 10, LR 10, LL 0 →
    // p = 10/219, q = 1, BurstR = 219/229 (regular spacing: smoother than random).
    const seq = [...R(100), ...Array.from({ length: 10 }, () => [false, true, true]).flat(), ...R(100)];
    expect(seq).toHaveLength(230);
    const shape = streamed(seq);
    expect({ ...shape, burstDensity: 0, burstR: 0 }).toEqual({
      gmin: 16,
      packets: 230,
      lost: 10,
      burstDensity: 0,
      gapDensity: 0,
      burstDensity256: 91,
      gapDensity256: 0,
      meanBurstPackets: 28,
      meanGapPackets: 101,
      bursts: 1,
      burstR: 0,
    });
    expect(shape.burstDensity).toBeCloseTo(5 / 14, 12);
    expect(shape.burstR).toBeCloseTo(219 / 229, 12);
    // A.2's counters for it: c13 1 (the burst), c23 9 and c22 9 (nine
    // received runs of 2 inside it), c33 0, c11 100 + 102 after closing.
    const s = feed(newLossShape(), seq);
    expect(counters(s)).toEqual({ c11: 100, c13: 0, c14: 0, c22: 9, c23: 9, c33: 0, pkt: 102, lost: 10 });

    // With Gmin 2, two received packets separate bursts: ten isolated gap
    // losses, one gap of 230 → 10/230 = 1/23, ⌊256/23⌋ = 11.
    const g2 = streamed(seq, 2);
    expect({ ...g2, gapDensity: 0, burstR: 0 }).toEqual({
      gmin: 2,
      packets: 230,
      lost: 10,
      burstDensity: 0,
      gapDensity: 0,
      burstDensity256: 0,
      gapDensity256: 11,
      meanBurstPackets: null,
      meanGapPackets: 230,
      bursts: 0,
      burstR: 0,
    });
    expect(g2.gapDensity).toBeCloseTo(1 / 23, 12);
    expect(g2.burstR).toBeCloseTo(219 / 229, 12);
    // Gmin 3: back to the one burst.
    expect(streamed(seq, 3).bursts).toBe(1);
  });

  it('trailing loss: the report is taken as followed by Gmin received packets', () => {
    // 100 R then 3 lost that never arrive: a burst of 3 at the end, one gap
    // of 100 before it (none after). Transitions: RR 99, RL 1, LL 2, LR 0 →
    // p = 1/100, q = 0/2 = 0 (observed: two lost packets had a successor,
    // both lost), BurstR = 1/p = 100.
    const s = newLossShape();
    for (let i = 0; i < 100; i++) recordReceived(s, 0);
    recordTrailingLoss(s, 3);
    expect(lossShape(s)).toEqual({
      gmin: 16,
      packets: 103,
      lost: 3,
      burstDensity: 1,
      gapDensity: 0,
      burstDensity256: 255,
      gapDensity256: 0,
      meanBurstPackets: 3,
      meanGapPackets: 100,
      bursts: 1,
      burstR: 100,
    });
    // One trailing loss is an isolated gap loss: 1/101, ⌊256/101⌋ = 2. No
    // packet follows any lost one, so q is unobserved: BurstR null.
    const one = streamed([...R(100), ...L(1)]);
    expect(one).toMatchObject({ packets: 101, lost: 1, bursts: 0, burstDensity: 0, gapDensity: 1 / 101, gapDensity256: 2, meanGapPackets: 101, meanBurstPackets: null, burstR: null });
  });

  it('everything lost: one burst from the first packet, no gap, BurstR unobserved', () => {
    const s = newLossShape();
    recordTrailingLoss(s, 5);
    expect(lossShape(s)).toEqual({
      gmin: 16,
      packets: 5,
      lost: 5,
      burstDensity: 1,
      gapDensity: 0,
      burstDensity256: 255,
      gapDensity256: 0,
      meanBurstPackets: 5,
      meanGapPackets: null,
      bursts: 1,
      burstR: null,
    });
  });

  it('the example of RFC 3611 §4.7.2: a burst of twelve packets between two gaps', () => {
    // As we transcribe it, X = discarded (fed as lost). Losses at 4, 23, 27,
    // 29, 34, 53 of 63 packets. 4 and 53 have ≥ 16 received (or the session
    // edge) each side: gap losses. 23..34 are 3, 1 and 4 received apart: the
    // burst the RFC marks, 12 packets, 4 lost → 1/3, ⌊1024/12⌋ = 85.
    // Gaps: 0..22 (23 packets) and 35..62 (28): 51 packets, 2 lost → 2/51,
    // ⌊512/51⌋ = 10, mean 25.5. Transitions: RL 6, LR 6, LL 0, RR 50 →
    // p = 6/56, q = 1, BurstR = 56/62.
    const seq = pattern('11110111111111111111111X111X1011110111111111111111111X111111111');
    const shape = streamed(seq);
    expect({ ...shape, burstDensity: 0, gapDensity: 0, burstR: 0 }).toEqual({
      gmin: 16,
      packets: 63,
      lost: 6,
      burstDensity: 0,
      gapDensity: 0,
      burstDensity256: 85,
      gapDensity256: 10,
      meanBurstPackets: 12,
      meanGapPackets: 25.5,
      bursts: 1,
      burstR: 0,
    });
    expect(shape.burstDensity).toBeCloseTo(1 / 3, 12);
    expect(shape.gapDensity).toBeCloseTo(2 / 51, 12);
    expect(shape.burstR).toBeCloseTo(56 / 62, 12);
  });

  it('a burst at the very start has no gap before it', () => {
    // 3 lost, 100 received: the session is taken as preceded by Gmin
    // received packets, so the three losses are one burst; one gap after.
    expect(streamed([...L(3), ...R(100)])).toMatchObject({ bursts: 1, meanBurstPackets: 3, burstDensity: 1, meanGapPackets: 100 });
    // One loss at the very start is an isolated gap loss.
    expect(streamed([...L(1), ...R(100)])).toMatchObject({ bursts: 0, gapDensity: 1 / 101, meanGapPackets: 101 });
  });

  it('where the literal A.2 code differs, and what the module does instead', () => {
    // 1. Start: A.2 starts with lost = pkt = 0, so losses among the first
    //    Gmin packets are in-burst transitions: three losses at the start
    //    count c33 = 3, i.e. 4 burst losses (c13 + c33) for 3 lost packets.
    const start = [...L(3), ...R(100), ...L(1)];
    expect(a2Literal(start, 16)).toMatchObject({ c13: 1, c33: 3 });
    expect(a2PerPacket(start, 16)).toMatchObject({ c13: 1, c33: 2 });
    // 2. A first loss after ≥ Gmin received packets closes a phantom burst
    //    (lost = 0 is not 1, so c13++); the second loss then rightly closes
    //    the first as isolated (c14).
    const phantom = [...R(20), ...L(1), ...R(20), ...L(1)];
    expect(a2Literal(phantom, 16)).toMatchObject({ c13: 1, c14: 1 });
    expect(a2PerPacket(phantom, 16)).toMatchObject({ c13: 0, c14: 1 });
    expect(streamed(phantom)).toMatchObject({ bursts: 0, gapDensity: 2 / 42 });
    // 3. No closing at the report: the burst in progress is not counted (the
    //    literal code's c13 = 1 here is point 2's phantom, not this burst).
    expect(a2Literal([...R(50), ...L(5), ...R(45)], 16)).toMatchObject({ c13: 1, c33: 4, lost: 5 });
    expect(a2PerPacket([...R(50), ...L(5), ...R(45)], 16)).toMatchObject({ c13: 0, c33: 4, lost: 5 });
    expect(streamed([...R(50), ...L(5), ...R(45)]).bursts).toBe(1);
    // 4. Gap length: A.2's (c11 + c14 + c13)/c13 is (gap packets + bursts)/bursts;
    //    §4.7.2 means gap packets per gap period. 50 R, 5 L, 45 R: A.2 says
    //    (95 + 1)/1 = 96, the two gaps are 50 and 45 long (mean 47.5).
    const burst5 = [...R(50), ...L(5), ...R(45)];
    expect(a2Report(a2PerPacket(burst5, 16)).gapLength).toBe(96);
    expect(streamed(burst5).meanGapPackets).toBe(47.5);
  });
});

describe('loss shape: O(1) in the length of a loss run', () => {
  it('a run of 10^9 losses is one closed-form step', () => {
    // 100 R, 10^9 lost, then 100 R (the first of them is the recordReceived
    // that carries the run). Burst: the 10^9 losses, density 1; gaps of 100
    // each side. A.2: the run's first loss opens the candidate burst, the
    // other 10^9 − 1 are 3 → 3 (c33). Transitions: RR 99 + 99, RL 1,
    // LL 10^9 − 1, LR 1 → p = 1/199, q = 10^-9.
    const s = newLossShape();
    for (let i = 0; i < 100; i++) recordReceived(s, 0);
    const t0 = performance.now();
    recordReceived(s, 1e9);
    const elapsedMs = performance.now() - t0;
    for (let i = 0; i < 99; i++) recordReceived(s, 0);
    expect(elapsedMs).toBeLessThan(50); // a per-packet loop would take seconds
    expect(counters(s)).toEqual({ c11: 100, c13: 0, c14: 0, c22: 0, c23: 0, c33: 1e9 - 1, pkt: 100, lost: 1e9 });
    const shape = lossShape(s);
    expect({ ...shape, burstR: 0 }).toEqual({
      gmin: 16,
      packets: 1e9 + 200,
      lost: 1e9,
      burstDensity: 1,
      gapDensity: 0,
      burstDensity256: 255,
      gapDensity256: 0,
      meanBurstPackets: 1e9,
      meanGapPackets: 100,
      bursts: 1,
      burstR: 0,
    });
    expect(shape.burstR).toBeCloseTo(1 / (1 / 199 + 1e-9), 6);
  });
});

describe('loss shape: BurstR', () => {
  it('Bernoulli loss of 5 % over 200k packets is random: BurstR within 0.9..1.1', () => {
    const rnd = xorshift(12345);
    const seq: Seq = Array.from({ length: 200_000 }, () => rnd() >= 0.05);
    const shape = streamed(seq);
    expect(shape.lost / shape.packets).toBeGreaterThan(0.045);
    expect(shape.lost / shape.packets).toBeLessThan(0.055);
    expect(shape.burstR).toBeGreaterThan(0.9);
    expect(shape.burstR).toBeLessThan(1.1);
  });

  it('a Gilbert model with p = 0.01, q = 0.25 gives BurstR ≈ 1/(p+q) = 3.85 within 10 %', () => {
    const expected = 1 / (0.01 + 0.25);
    for (const seed of [1, 2, 3]) {
      const shape = streamed(gilbert(400_000, 0.01, 0.25, seed));
      expect(shape.burstR as number).toBeGreaterThan(expected * 0.9);
      expect(shape.burstR as number).toBeLessThan(expected * 1.1);
      // Bursty loss is what the burst metrics see as well.
      expect(shape.bursts).toBeGreaterThan(0);
      expect(shape.burstDensity as number).toBeGreaterThan(shape.gapDensity as number);
    }
  });
});

describe('loss shape: API edges', () => {
  it('Gmin: 16 by default, configurable, a whole number ≥ 1', () => {
    expect(newLossShape().gmin).toBe(16);
    expect(DEFAULT_GMIN).toBe(16);
    expect(lossShape(newLossShape(2)).gmin).toBe(2);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => newLossShape(bad)).toThrow(RangeError);
  });

  it('refuses a loss count that is not a whole number ≥ 0', () => {
    const s = newLossShape();
    for (const bad of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => recordReceived(s, bad)).toThrow(RangeError);
      expect(() => recordTrailingLoss(s, bad)).toThrow(RangeError);
    }
    expect(s).toEqual(newLossShape());
    recordTrailingLoss(s, 0);
    expect(s).toEqual(newLossShape());
  });

  it('packetsToMs: packets × interval, null when either is unobserved', () => {
    expect(packetsToMs(5, 20)).toBe(100);
    expect(packetsToMs(47.5, 20)).toBe(950);
    expect(packetsToMs(null, 20)).toBeNull();
    expect(packetsToMs(5, null)).toBeNull();
    expect(packetsToMs(null, null)).toBeNull();
    expect(packetsToMs(streamed([...R(50), ...L(5), ...R(45)]).meanBurstPackets, 20)).toBe(100);
    expect(packetsToMs(streamed(R(10)).meanBurstPackets, 20)).toBeNull();
    expect(() => packetsToMs(5, -1)).toThrow(RangeError);
    expect(() => packetsToMs(5, Number.NaN)).toThrow(RangeError);
    expect(() => packetsToMs(-1, 20)).toThrow(RangeError);
  });
});
