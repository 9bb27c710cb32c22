/**
 * Per-direction receive accounting: a pure state machine fed with
 * (sequence number, send time, arrival time) triples, easy to unit-test with
 * crafted sequences. It keeps no per-datagram arrays: memory is fixed by the
 * duplicate-detection window, whatever the test length.
 */

/** Sequence numbers tracked for duplicate detection behind the highest seen. */
export const DEFAULT_WINDOW = 1 << 17;

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
   * Records one data datagram.
   * @param seq - its sequence number (0-based)
   * @param sendTimeNs - the sender's timestamp
   * @param arrivalNs - the receiver's timestamp
   * @returns true when it was counted as a new (unique) datagram
   */
  record(seq: number, sendTimeNs: number, arrivalNs: number): boolean {
    if (seq >= this.expected) {
      // New highest: forget the window slots that the advance recycles.
      const advance = seq + 1 - this.expected;
      if (advance >= this.window) {
        this.bits.fill(0);
      } else {
        for (let s = this.expected; s <= seq; s++) this.clear(s);
      }
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

  private clear(seq: number): void {
    const i = seq & (this.window - 1);
    this.bits[i >>> 5] = (this.bits[i >>> 5] as number) & ~(1 << (i & 31));
  }
}
