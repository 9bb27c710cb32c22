/**
 * Loss shape of one direction of a UDP/RTP stream: not how much was lost but
 * how the losses cluster. A pure streaming computation, fed in sequence
 * order with "this packet arrived, after N missing ones"; O(1) time and no
 * allocation per call, whatever N is.
 *
 * Two views of the same received/lost sequence:
 *
 * - Burst/gap metrics of RFC 3611 §4.7.2 (the RTCP XR VoIP Metrics block),
 *   counted with the state machine of RFC 3611 Appendix A.2. A burst is the
 *   longest run that starts and ends with a lost packet and holds no Gmin or
 *   more consecutive received packets; a gap is everything else, so a lost
 *   packet in a gap has at least Gmin received packets on each side (Gmin 16
 *   is RECOMMENDED). The session is taken to be preceded and the report to
 *   be followed by at least Gmin received packets (§4.7.2). Reported: burst
 *   and gap density (share of the packets within bursts / gaps that were
 *   lost, 0..1, and as RFC 3611 encodes it: ×256, integer part, at most
 *   255), mean burst and gap length in packets ({@link packetsToMs} turns
 *   them into ms), number of bursts.
 * - BurstR of ITU-T G.107 / G.113 (the E-model's burst ratio): the 2-state
 *   Markov model fitted to the packet-to-packet transitions, p = P(lost |
 *   previous received), q = P(received | previous lost), BurstR = 1/(p+q):
 *   ≈ 1 for independent (random) loss, > 1 bursty, < 1 smoother than random.
 *
 * Where this departs from the literal A.2 code, and why (each is a case the
 * A.2 code leaves to the implementer or gets wrong at the edges, tested in
 * test/loss-shape.test.ts):
 *
 * - Start: A.2 starts with lost = pkt = 0, so a loss among the first Gmin
 *   packets counts as an in-burst transition (c33/c23) and a first loss after
 *   Gmin received packets ends a phantom burst (c13 with lost = 0). §4.7.2
 *   says the session is preceded by Gmin received packets; here `lost` = 0
 *   means "no loss yet" and the first loss opens a candidate burst with no
 *   counting, which is what A.2 would do after Gmin unseen received packets.
 * - Report: A.2 has no end step, so the candidate burst in progress and the
 *   received packets since the last loss are missing from its counters.
 *   {@link lossShape} applies A.2's "gap terminated" step to copies, as the
 *   Gmin received packets that §4.7.2 assumes after the report would (the
 *   state is not changed: a report can be taken at any time).
 * - Densities are the §4.7.2 ratios of counts. A.2's Markov form of burst
 *   density, p23 / (p23 + p32), is algebraically the same ratio (shown at
 *   {@link lossShape}); counts avoid a float rounding at the ×256 boundary.
 * - Mean gap length is gap packets / gap periods, as §4.7.2 defines it. A.2
 *   approximates it as (c11 + c14 + c13) / c13 = (gap packets + bursts) /
 *   bursts (one period per burst, each one packet long), and divides by 0
 *   when there was no burst although the whole stream was one gap.
 *
 * Limits, candidly:
 * - The caller decides what is lost. Reordered packets count as the caller
 *   feeds them: feed in sequence order, once the reordering window has
 *   decided whether a missing packet is late or lost; a packet already fed
 *   as lost must not be fed again when it shows up, and duplicates must not
 *   be fed at all. Nothing here can check either.
 * - RFC 3611 puts packets discarded by the jitter buffer with the lost ones;
 *   a caller that wants that feeds its discards as lost (there is no
 *   separate discard count).
 * - Lengths are in packets; the ms conversion assumes a constant packet
 *   interval (RFC 3611 measures a period from its first packet's timestamp
 *   to its last's plus one packet duration: the same for constant pacing).
 * - BurstR is the fitted Markov figure over the whole sequence, the way
 *   G.107 uses it; a stream whose loss process changes over time gets one
 *   averaged value. It is not clamped to ≥ 1.
 * - Counts are doubles: exact up to 2^53 packets.
 */

/** RFC 3611 §4.7.2: "A Gmin value of 16 is RECOMMENDED". */
export const DEFAULT_GMIN = 16;

/**
 * Streaming state: plain mutable numbers only (cheap to copy, to send to
 * another thread, and free of per-packet allocation). Field names c11..c33,
 * `pkt` and `lost` are those of RFC 3611 Appendix A.2; the states of its
 * model are 1 = received in a gap, 2 = received in a burst, 3 = lost in a
 * burst, 4 = lost in a gap (isolated), and cXY counts transitions X → Y.
 */
export interface LossShapeState {
  /** Gmin of RFC 3611 §4.7.2: the received run that separates two bursts. */
  gmin: number;
  /** 1 → 1: received packets in gaps (A.2 adds a whole received run of ≥ Gmin when the next loss comes). */
  c11: number;
  /** 1 → 3: bursts closed (a candidate burst of ≥ 2 losses followed by ≥ Gmin received). */
  c13: number;
  /** 1 → 4: isolated losses closed (a candidate burst of 1 loss followed by ≥ Gmin received). */
  c14: number;
  /** 2 → 2: received packets in bursts after the first of their run (A.2: c22 += pkt − 1). */
  c22: number;
  /** 2 → 3: losses in a burst after a received packet; also c32, the received runs inside bursts. */
  c23: number;
  /** 3 → 3: losses in a burst right after a loss. */
  c33: number;
  /** A.2 `pkt`: received packets since the last loss (since the start before the first loss). */
  pkt: number;
  /** A.2 `lost`: losses in the candidate burst in progress; 0 = no loss yet (see the start rule above). */
  lost: number;
  /** 1 when the candidate burst in progress began with the stream's first packet, else 0. */
  openAtZero: number;
  /** 1 when the first closed burst began with the stream's first packet (no gap before it), else 0. */
  firstBurstAtZero: number;
  /** Packets fed, received and lost. */
  packets: number;
  /** Packets fed as lost. */
  lostTotal: number;
  /** 1 when the last packet fed was lost, else 0 (meaningless while `packets` is 0). */
  prevLost: number;
  /** Packet-to-packet transitions for BurstR: received→received, received→lost, lost→received, lost→lost. */
  nRR: number;
  nRL: number;
  nLR: number;
  nLL: number;
}

/** Loss shape at one instant, since the start. `null` = not observed (see each field). */
export interface LossShape {
  gmin: number;
  /** Packets seen, received and lost. */
  packets: number;
  lost: number;
  /**
   * Lost share of the packets within bursts, 0..1 (RFC 3611 §4.7.2 burst
   * density). `null` when no packet was seen; 0 when there was no burst (as
   * RFC 3611 would encode it).
   */
  burstDensity: number | null;
  /** Lost share of the packets within gaps, 0..1; `null` when no packet was seen, 0 when no packet was in a gap. */
  gapDensity: number | null;
  /** The densities as RFC 3611 encodes them: ⌊256 × density⌋, at most 255. */
  burstDensity256: number | null;
  gapDensity256: number | null;
  /** Mean packets per burst, first loss to last loss inclusive; `null` when there was no burst. */
  meanBurstPackets: number | null;
  /** Mean packets per gap period; `null` when no packet was in a gap (nothing seen, or all in bursts). */
  meanGapPackets: number | null;
  /** Bursts, the one in progress at the report included (§4.7.2 assumes Gmin received packets after the report). */
  bursts: number;
  /**
   * G.107 BurstR = 1/(p+q). 1 when packets were seen and none was lost: p = 0
   * and q is unobserved, and with Ppl = 0 G.107's Ie,eff does not depend on
   * BurstR at all, so the neutral "random loss" value is the one that cannot
   * mislead a caller that plugs it in. `null` when no packet was seen, or
   * when p or q has no transition to be estimated from (no packet after any
   * received one: e.g. everything lost; or no packet after any lost one: e.g.
   * the only losses are trailing).
   */
  burstR: number | null;
}

/** A new, empty state. `gmin`: a whole number ≥ 1 (RFC 3611 carries 1..255 on the wire; any is accepted here). */
export function newLossShape(gmin: number = DEFAULT_GMIN): LossShapeState {
  if (!Number.isSafeInteger(gmin) || gmin < 1) throw new RangeError(`gmin must be a whole number >= 1, got ${gmin}`);
  return {
    gmin,
    c11: 0,
    c13: 0,
    c14: 0,
    c22: 0,
    c23: 0,
    c33: 0,
    pkt: 0,
    lost: 0,
    openAtZero: 0,
    firstBurstAtZero: 0,
    packets: 0,
    lostTotal: 0,
    prevLost: 0,
    nRR: 0,
    nRL: 0,
    nLR: 0,
    nLL: 0,
  };
}

function requireCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${n}`);
}

/**
 * A run of `n` ≥ 1 lost packets, in closed form.
 *
 * RFC 3611 A.2, per lost packet (`lost == 0` branch: the start rule, see the
 * file comment):
 *
 *     if (pkt >= gmin) {            // the run before it ends a gap period
 *         if (lost == 1) c14++;     // previous candidate: one isolated loss
 *         else c13++;               // previous candidate: a burst
 *         lost = 1; c11 += pkt;
 *     } else {                      // still inside the candidate burst
 *         lost++;
 *         if (pkt == 0) c33++;
 *         else { c23++; c22 += pkt - 1; }
 *     }
 *     pkt = 0;
 *
 * The first loss of the run takes whichever branch its `pkt` selects. Every
 * later loss of the run sees pkt == 0 < gmin (gmin ≥ 1) and lost ≥ 1, so it
 * takes the else branch with pkt == 0: lost++, c33++, pkt stays 0. The n − 1
 * later losses therefore add exactly n − 1 to `lost` and to `c33`, and the
 * Markov counts get one transition into the run and n − 1 lost → lost.
 */
function addLosses(s: LossShapeState, n: number): void {
  if (s.lost === 0) {
    // First loss of the stream: behind it are the Gmin received packets
    // §4.7.2 assumes before the session, so it opens a candidate burst, and
    // the packets received so far are gap. There is no previous candidate.
    s.c11 += s.pkt;
    s.lost = 1;
    s.openAtZero = s.packets === 0 ? 1 : 0;
  } else if (s.pkt >= s.gmin) {
    if (s.lost === 1) s.c14++;
    else {
      if (s.c13 === 0) s.firstBurstAtZero = s.openAtZero;
      s.c13++;
    }
    s.c11 += s.pkt;
    s.lost = 1;
    s.openAtZero = 0;
  } else {
    s.lost++;
    if (s.pkt === 0) s.c33++;
    else {
      s.c23++;
      s.c22 += s.pkt - 1;
    }
  }
  s.pkt = 0;
  s.lost += n - 1;
  s.c33 += n - 1;

  if (s.packets > 0) {
    if (s.prevLost === 1) s.nLL++;
    else s.nRL++;
  }
  s.nLL += n - 1;
  s.prevLost = 1;
  s.packets += n;
  s.lostTotal += n;
}

/** One packet in sequence order: `lost` packets missing immediately before this received one. */
export function recordReceived(s: LossShapeState, lostBefore: number): void {
  if (lostBefore !== 0) {
    requireCount('lostBefore', lostBefore);
    addLosses(s, lostBefore);
  }
  // A.2: a received packet only lengthens the current received run.
  s.pkt++;
  if (s.packets > 0) {
    if (s.prevLost === 1) s.nLR++;
    else s.nRR++;
  }
  s.prevLost = 0;
  s.packets++;
}

/**
 * Trailing loss at the end of the stream (packets that never arrived after the last received one).
 *
 * Call it once, with the final count: every call adds that many losses (a
 * later {@link recordReceived} simply continues the sequence, so
 * `recordTrailingLoss(s, a)` then `recordReceived(s, b)` is the same as
 * `recordReceived(s, a + b)`). 0 does nothing.
 */
export function recordTrailingLoss(s: LossShapeState, lost: number): void {
  if (lost === 0) return;
  requireCount('lost', lost);
  addLosses(s, lost);
}

/**
 * The loss shape so far. Reads `s` without changing it.
 *
 * Closing (RFC 3611 §4.7.2: "the time of the report is followed by at least
 * Gmin received packets"): A.2's gap-terminated step is applied to copies of
 * c11, c13 and c14, as the first loss after those Gmin packets would apply
 * it, without counting the assumed packets themselves.
 *
 * With the closed counters, let B = c13 bursts, Lb = c13 + c23 + c33 lost
 * and Rb = c22 + c23 received packets in bursts (each burst's first loss is
 * its c13, every later loss a c23 or c33; each received run inside a burst
 * is one c23 (= c32) plus its c22 += pkt − 1). A.2 computes
 *
 *     p32 = c32 / (c31 + c32 + c33),  c31 = c13, c32 = c23
 *     p23 = c22 + c23 < 1 ? 1 : 1 − c22 / (c22 + c23)
 *     burst density = p23 / (p23 + p32)
 *
 * where c31 + c32 + c33 = Lb and 1 − c22/(c22 + c23) = c23/Rb, so for
 * c23 > 0 it is (c23/Rb) / (c23/Rb + c23/Lb) = Lb / (Lb + Rb), and for
 * c23 = 0 (hence Rb = 0) it is 1 / (1 + 0) = 1 = Lb / Lb: always the §4.7.2
 * count ratio computed below. Gap density c14 / (c11 + c14) is one already,
 * and A.2's burst length, ctotal/c13 − gap length, reduces to (Lb + Rb) / B.
 */
export function lossShape(s: LossShapeState): LossShape {
  const c11 = s.c11 + s.pkt;
  let c13 = s.c13;
  let c14 = s.c14;
  let firstBurstAtZero = s.firstBurstAtZero;
  if (s.lost === 1) c14++;
  else if (s.lost > 1) {
    if (c13 === 0) firstBurstAtZero = s.openAtZero;
    c13++;
  }

  const burstLost = c13 + s.c23 + s.c33;
  const burstPackets = burstLost + s.c22 + s.c23;
  const gapPackets = c11 + c14;

  // Gap periods: one before each burst and one after the last, less the one
  // before the first burst if it began with the stream's first packet and
  // the one after the last if nothing followed it. Two bursts are always
  // apart by ≥ Gmin ≥ 1 received packets, so no other period is empty.
  let gapPeriods: number;
  if (c13 === 0) gapPeriods = s.packets > 0 ? 1 : 0;
  else gapPeriods = c13 + 1 - firstBurstAtZero - (s.lost > 1 && s.pkt === 0 ? 1 : 0);

  const seen = s.packets > 0;
  return {
    gmin: s.gmin,
    packets: s.packets,
    lost: s.lostTotal,
    burstDensity: seen ? (burstPackets > 0 ? burstLost / burstPackets : 0) : null,
    gapDensity: seen ? (gapPackets > 0 ? c14 / gapPackets : 0) : null,
    burstDensity256: seen ? density256(burstLost, burstPackets) : null,
    gapDensity256: seen ? density256(c14, gapPackets) : null,
    meanBurstPackets: c13 > 0 ? burstPackets / c13 : null,
    meanGapPackets: gapPeriods > 0 ? gapPackets / gapPeriods : null,
    bursts: c13,
    burstR: burstRatio(s),
  };
}

/** RFC 3611 §4.7.2: "multiplying the result of the division by 256, limiting the maximum value to 255 ... and taking the integer part"; 0 for an empty period. */
function density256(lost: number, packets: number): number {
  if (packets === 0) return 0;
  return Math.min(255, Math.floor((lost * 256) / packets));
}

/** G.107 BurstR = 1/(p+q) from the observed transitions; see {@link LossShape.burstR} for 1 and `null`. */
function burstRatio(s: LossShapeState): number | null {
  if (s.packets === 0) return null;
  if (s.lostTotal === 0) return 1;
  const fromReceived = s.nRR + s.nRL;
  const fromLost = s.nLR + s.nLL;
  if (fromReceived === 0 || fromLost === 0) return null;
  // p + q > 0 here: a sequence holding both a received and a lost packet has
  // a received → lost or a lost → received transition.
  return 1 / (s.nRL / fromReceived + s.nLR / fromLost);
}

/**
 * Packets to ms at a mean packet interval (e.g. {@link LossShape.meanBurstPackets} × 20 ms).
 * `null` when either is `null` (unobserved); a negative or non-finite number is a RangeError.
 */
export function packetsToMs(packets: number | null, intervalMs: number | null): number | null {
  if (packets === null || intervalMs === null) return null;
  if (!Number.isFinite(packets) || packets < 0) throw new RangeError(`packets must be a finite number >= 0, got ${packets}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`intervalMs must be a finite number >= 0, got ${intervalMs}`);
  return packets * intervalMs;
}
