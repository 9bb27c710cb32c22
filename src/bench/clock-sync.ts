/**
 * The peer's clock, estimated NTP-style (RFC 5905 §8): a probe leaves the
 * client at t1 (client clock), reaches the listener at t2 and leaves again at
 * t3 (listener clock), and is back at t4 (client clock). Then
 *
 *   offset θ = ((t2 − t1) + (t3 − t4)) / 2     (listener clock − client clock)
 *   delay  δ = (t4 − t1) − (t3 − t2)           (the round trip, the listener's hold removed)
 *
 * θ is exact when the two legs took equally long; otherwise it is off by half
 * their difference, which is at most δ/2 — the error bound of the estimate.
 * Of a burst of probes the one with the smallest δ met the least queueing,
 * so it has the tightest bound (NTP's clock filter keeps it the same way).
 * Probes before and after the data phase give two offsets; their change over
 * the time between them is the drift of one clock against the other.
 *
 * Pure: no clock, no I/O. Limits: an asymmetric path (different delays each
 * way even when idle) shifts θ by half the asymmetry without anyone being able
 * to tell — every one-way method without a shared clock has this limit, and
 * the bound covers it only because the asymmetry is at most the round trip.
 */

/** One probe's four timestamps, ns. */
export interface ClockSample {
  t1: number;
  t2: number;
  t3: number;
  t4: number;
}

/** θ of a sample: listener clock − client clock, ns. */
export function offsetOf(s: ClockSample): number {
  return (s.t2 - s.t1 + (s.t3 - s.t4)) / 2;
}

/** δ of a sample: the round trip without the listener's hold, ns. */
export function roundTripOf(s: ClockSample): number {
  return s.t4 - s.t1 - (s.t3 - s.t2);
}

/** The sample of a burst with the smallest round trip; `null` for none (or only nonsensical ones). */
export function bestSample(samples: readonly ClockSample[]): ClockSample | null {
  let best: ClockSample | null = null;
  for (const s of samples) {
    const d = roundTripOf(s);
    // A negative round trip or hold is impossible: a corrupt or forged sample.
    if (!(d >= 0) || !(s.t3 >= s.t2) || !(s.t4 >= s.t1)) continue;
    if (best === null || d < roundTripOf(best)) best = s;
  }
  return best;
}

/** The estimate a run's one-way delays are corrected with. */
export interface ClockEstimate {
  /** θ at `atNs` (client clock), ns: listener clock − client clock. */
  offsetNs: number;
  /** The client-clock time θ was measured at (the best pre-run probe's midpoint). */
  atNs: number;
  /** Change of θ per ns of client time (drift; × 1e6 for ppm); 0 without a second burst. */
  driftPerNs: number;
  /** Error bound of θ over the run, ns: the larger half round trip of the two bursts' best probes (a drift-less estimate: only the first). */
  boundNs: number;
  /** The best probes' round trips, ns: before and after the run (`null` without a second burst). */
  roundTripNs: { before: number; after: number | null };
}

/**
 * The estimate from the probe bursts before and after the data phase;
 * `null` when no probe before came back (nothing to estimate from).
 */
export function estimateClock(before: readonly ClockSample[], after: readonly ClockSample[]): ClockEstimate | null {
  const b = bestSample(before);
  if (b === null) return null;
  const a = bestSample(after);
  const atB = (b.t1 + b.t4) / 2;
  const thetaB = offsetOf(b);
  const rttB = roundTripOf(b);
  if (a === null) return { offsetNs: thetaB, atNs: atB, driftPerNs: 0, boundNs: rttB / 2, roundTripNs: { before: rttB, after: null } };
  const atA = (a.t1 + a.t4) / 2;
  const rttA = roundTripOf(a);
  const span = atA - atB;
  const driftPerNs = span > 0 ? (offsetOf(a) - thetaB) / span : 0;
  return { offsetNs: thetaB, atNs: atB, driftPerNs, boundNs: Math.max(rttB, rttA) / 2, roundTripNs: { before: rttB, after: rttA } };
}

/** θ at client time `tNs` by the estimate. */
export function offsetAt(e: ClockEstimate, tNs: number): number {
  return e.offsetNs + e.driftPerNs * (tNs - e.atNs);
}

/**
 * How the receivers' delays, recorded with the pre-run offset held constant,
 * are corrected afterwards: by the drift's mean effect over the measured
 * phase, with half its spread added to the bound (a percentile of values
 * shifted by different amounts moves by at most the largest shift). `sign`:
 * +1 for A→B (delay = arrival at B − send at A − θ), −1 for B→A.
 */
export function driftCorrection(e: ClockEstimate, measure: { startNs: number; endNs: number }, sign: 1 | -1): { shiftNs: number; extraBoundNs: number } {
  const mid = (measure.startNs + measure.endNs) / 2;
  const driftNs = e.driftPerNs * (mid - e.atNs);
  const spreadNs = Math.abs(e.driftPerNs) * Math.max(0, measure.endNs - measure.startNs) / 2;
  return { shiftNs: -sign * driftNs, extraBoundNs: spreadNs };
}

/**
 * Whether a sample can feed the estimate: every timestamp below 2^62 ns, t1 ≤ t4,
 * and the peer's t2 ≤ t3 holding the probe no longer than the round trip
 * took (RFC 5905 §8: a reply time outside that is not a reply to this probe).
 * A hostile listener's t2 = 1e308 would otherwise become the offset.
 */
export function plausibleSample(s: ClockSample): boolean {
  const max = 2 ** 62;
  return s.t1 >= 0 && s.t2 >= 0 && s.t1 <= max && s.t2 <= max && s.t3 <= max && s.t4 <= max && s.t4 >= s.t1 && s.t3 >= s.t2 && s.t3 - s.t2 <= s.t4 - s.t1;
}
