/**
 * Per-direction receive accounting: a pure state machine fed with
 * (sequence number, send time, arrival time) triples, easy to unit-test with
 * crafted sequences. It keeps no per-datagram arrays: memory is fixed by the
 * duplicate-detection window, whatever the test length. Work per datagram is
 * bounded too, whatever number it carries: numbers outside [0, 2^53) and
 * outside the window its sender could have reached ({@link SequenceWindow})
 * are refused, and a jump clears the duplicate window a 32-bit word at a
 * time (at most window / 32 writes).
 */

/** Sequence numbers tracked for duplicate detection behind the highest seen. */
export const DEFAULT_WINDOW = 1 << 17;

/**
 * One more than the largest sequence number any receiver accepts (2^53). The
 * wire carries 64 bits (wire.ts), decoded into a double; from 2^53 on doubles
 * skip integers, so `s++` stops advancing and `s + 1 === s`.
 */
export const SEQ_LIMIT = 2 ** 53;

/**
 * Datagrams per second no sender of this tool reaches from one socket (one
 * `sendmsg` per datagram in Node: ~100k/s measured on a 2-core VM, ~330k/s
 * for batched C): the bound for a direction whose rate is "max", and the
 * ceiling of any other. Also the bound report-bounds.ts holds a peer's
 * report to.
 */
export const PHYSICAL_MAX_PPS = 4_194_304;

/**
 * Time slack of a {@link SequenceWindow}, ns: the peer's clock and start may
 * differ from ours by a round trip and timer lateness; two seconds is far more.
 */
export const WINDOW_SLACK_NS = 2e9;

/**
 * Datagram slack of a {@link SequenceWindow}: what a sender may have sent
 * beyond its rate at any moment (pacer bursts, a video key frame of at most
 * 512 datagrams, a whole batch). A trace direction adds its rows (a loop may
 * front-load them).
 */
export const WINDOW_SLACK_DATAGRAMS = 65_536;

/** What a {@link SequenceWindow} needs. */
export interface SequenceWindowOptions {
  /**
   * Most datagrams per second the peer's sender could reach in this
   * direction: twice its rate and a margin (report-bounds.ts `maxPpsOf`), or
   * {@link PHYSICAL_MAX_PPS} for "max". Anything else (NaN, ≤ 0, above) is
   * taken as {@link PHYSICAL_MAX_PPS}.
   */
  maxPps: number;
  /** Datagrams allowed beyond the rate (default {@link WINDOW_SLACK_DATAGRAMS}). */
  slackDatagrams?: number;
  /** The earliest the peer could have begun sending (the receiver's creation), on the receiver's clock, ns. */
  originNs: number;
}

/**
 * The sequence numbers a sender could have reached by now: at most `maxPps`
 * per second since it could have started (with {@link WINDOW_SLACK_NS} of
 * time and {@link WINDOW_SLACK_DATAGRAMS} of datagrams to spare), and, once
 * the end marker arrived, below its count. The measured phase's numbers
 * restart from 0 at the measured start; warm-up numbers (pre-roll and
 * `--omit`) count from the receiver's creation. Anything outside is not the
 * sender's traffic: the receiver counts it as foreign and never uses it for
 * gap, reorder or frame arithmetic. Pure (the caller passes the time) and
 * allocation-free; every limit is at most {@link SEQ_LIMIT}.
 */
export class SequenceWindow {
  private readonly perNs: number;
  private readonly slack: number;
  private readonly warmOriginNs: number;
  /** Longest the warm-up can have lasted (∞ until the schedule is known). */
  private warmSpanNs = Number.POSITIVE_INFINITY;
  private measureOriginNs: number;
  private measureSpanNs = Number.POSITIVE_INFINITY;
  /** The accepted end marker's count: no measured number reaches it. */
  private endSeq = SEQ_LIMIT;

  constructor(opts: SequenceWindowOptions) {
    const pps = opts.maxPps > 0 && opts.maxPps <= PHYSICAL_MAX_PPS ? opts.maxPps : PHYSICAL_MAX_PPS;
    this.perNs = pps / 1e9;
    const slack = opts.slackDatagrams ?? WINDOW_SLACK_DATAGRAMS;
    // A hostile config can only widen its own window, never past 2^32 datagrams of slack.
    this.slack = slack >= 0 && slack <= 2 ** 32 ? Math.ceil(slack) : WINDOW_SLACK_DATAGRAMS;
    const origin = Number.isFinite(opts.originNs) ? opts.originNs : 0;
    this.warmOriginNs = origin - WINDOW_SLACK_NS;
    this.measureOriginNs = origin - WINDOW_SLACK_NS;
  }

  /**
   * The agreed schedule, on the receiver's clock (the worker's start
   * message): warm-up numbers stop growing at the measured start, measured
   * numbers count from it and stop growing at its end (each with the slack).
   */
  schedule(startAtNs: number, warmupNs: number, durationNs: number): void {
    const measureStartNs = startAtNs + warmupNs;
    if (!Number.isFinite(measureStartNs) || !(durationNs >= 0) || !Number.isFinite(durationNs)) return;
    this.warmSpanNs = Math.max(0, measureStartNs + WINDOW_SLACK_NS - this.warmOriginNs);
    this.measureOriginNs = measureStartNs - WINDOW_SLACK_NS;
    this.measureSpanNs = durationNs + 2 * WINDOW_SLACK_NS;
  }

  /** Measured sequence numbers must be below this at `nowNs`. */
  measuredLimit(nowNs: number): number {
    const l = this.limit(nowNs - this.measureOriginNs, this.measureSpanNs);
    return l < this.endSeq ? l : this.endSeq;
  }

  /** Warm-up sequence numbers must be below this at `nowNs`. */
  warmupLimit(nowNs: number): number {
    return this.limit(nowNs - this.warmOriginNs, this.warmSpanNs);
  }

  /** Whether an end marker's counts are ones the sender could have sent by `nowNs` (its count within the window, sent and burned within its count). */
  plausibleEnd(seqEnd: number, sent: number, burned: number, nowNs: number): boolean {
    return Number.isInteger(seqEnd) && seqEnd >= 0 && seqEnd <= this.limit(nowNs - this.measureOriginNs, this.measureSpanNs) && sent >= 0 && sent <= seqEnd && burned >= 0 && burned <= seqEnd;
  }

  /** The end marker's count, once accepted: measured numbers at or above it are foreign from then on. */
  ended(seqEnd: number): void {
    if (seqEnd < this.endSeq) this.endSeq = seqEnd;
  }

  private limit(elapsedNs: number, spanNs: number): number {
    let e = elapsedNs > 0 ? elapsedNs : 0; // NaN → 0
    if (e > spanNs) e = spanNs;
    const l = Math.floor(e * this.perNs) + this.slack;
    return l < SEQ_LIMIT ? l : SEQ_LIMIT;
  }
}

/** Counters of one direction as seen by its receiver. */
export interface ReceiveCounters {
  /** Unique data datagrams received. */
  received: number;
  duplicates: number;
  /** RFC 4737 §4.1: arrived with a sequence number lower than the highest already seen. */
  reordered: number;
  /** Arrived more than `window` sequence numbers behind the highest: cannot be told from duplicates; not counted as received. */
  late: number;
  /** Highest sequence number seen + 1 (0 before the first datagram). */
  expected: number;
  /** RFC 3550 §6.4.1 interarrival jitter, ns (a running estimate). */
  jitterNs: number;
}

/**
 * Accounting for one direction. `record` is called once per data datagram and
 * allocates nothing.
 */
export class DirectionAccounting implements ReceiveCounters {
  received = 0;
  duplicates = 0;
  reordered = 0;
  late = 0;
  expected = 0;
  jitterNs = 0;
  /**
   * Sequence numbers refused by {@link record}: not an integer in
   * [0, `below`) — the caller counts them as foreign; no other counter moves.
   */
  outOfWindow = 0;

  private readonly window: number;
  private readonly bits: Uint32Array;
  private lastTransitNs = 0;
  private haveTransit = false;

  /** @param window - size of the duplicate-detection window (a power of two, multiple of 32). */
  constructor(window: number = DEFAULT_WINDOW) {
    if (window < 32 || (window & (window - 1)) !== 0) throw new RangeError('window must be a power of two ≥ 32');
    this.window = window;
    this.bits = new Uint32Array(window >>> 5);
  }

  /**
   * Records one data datagram. Bounded whatever `seq` is: a number that is
   * not an integer in [0, `below`) (`below` at most {@link SEQ_LIMIT}) is
   * refused and counted in {@link outOfWindow}; a jump clears at most the
   * window's bits, a word at a time.
   * @param seq - its sequence number (0-based)
   * @param sendTimeNs - the sender's timestamp
   * @param arrivalNs - the receiver's timestamp
   * @param below - sequence numbers at or above are refused (the receiver's {@link SequenceWindow} limit)
   * @returns true when it was counted as a new (unique) datagram
   */
  record(seq: number, sendTimeNs: number, arrivalNs: number, below: number = SEQ_LIMIT): boolean {
    if (!(seq >= 0 && seq < below && seq < SEQ_LIMIT) || Math.floor(seq) !== seq) {
      this.outOfWindow++;
      return false;
    }
    if (seq >= this.expected) {
      // New highest: forget the window slots that the advance recycles.
      const advance = seq + 1 - this.expected;
      if (advance >= this.window) this.bits.fill(0);
      else this.clearSlots(this.expected, advance);
      this.expected = seq + 1;
    } else {
      if (seq + this.window < this.expected) {
        this.late++;
        return false;
      }
      if (this.test(seq)) {
        this.duplicates++;
        return false;
      }
      this.reordered++;
    }
    this.set(seq);
    this.received++;

    // RFC 3550 §6.4.1: D(i,j) = (Rj − Ri) − (Sj − Si) = transit_j − transit_i;
    // J += (|D| − J) / 16. Computed in arrival order over unique datagrams.
    // The two clocks need not agree: a constant offset cancels in D.
    const transit = arrivalNs - sendTimeNs;
    if (this.haveTransit) {
      let d = transit - this.lastTransitNs;
      if (d < 0) d = -d;
      this.jitterNs += (d - this.jitterNs) / 16;
    } else {
      this.haveTransit = true;
    }
    this.lastTransitNs = transit;
    return true;
  }

  /** Lost datagrams given the sender's final count: `sent − received` (so `sent = received + lost` exactly). */
  lostGiven(sent: number): number {
    return sent - this.received;
  }

  /** A plain copy of the counters. */
  snapshot(): ReceiveCounters {
    return {
      received: this.received,
      duplicates: this.duplicates,
      reordered: this.reordered,
      late: this.late,
      expected: this.expected,
      jitterNs: this.jitterNs,
    };
  }

  private test(seq: number): boolean {
    const i = seq & (this.window - 1);
    return ((this.bits[i >>> 5] as number) & (1 << (i & 31))) !== 0;
  }

  private set(seq: number): void {
    const i = seq & (this.window - 1);
    this.bits[i >>> 5] = (this.bits[i >>> 5] as number) | (1 << (i & 31));
  }

  /** Clears the slots of `n` (< window) consecutive sequence numbers from `from`: one step per 32-bit word touched, wrapping once at most. */
  private clearSlots(from: number, n: number): void {
    const mask = this.window - 1;
    const bits = this.bits;
    // `&` keeps the low bits of any safe integer (ToInt32 is exact modulo 2^32).
    let i = from & mask;
    while (n > 0) {
      const bit = i & 31;
      const take = 32 - bit < n ? 32 - bit : n;
      const w = i >>> 5;
      if (take === 32) bits[w] = 0;
      else bits[w] = (bits[w] as number) & ~(((1 << take) - 1) << bit);
      n -= take;
      i = (i + take) & mask;
    }
  }
}
