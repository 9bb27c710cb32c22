/**
 * What a fixed-delay jitter buffer would discard: a receiver plays each
 * datagram at its send time + the base one-way delay (the least-delayed
 * datagram's) + a playout delay D, so one that arrives later than that is
 * too late to play, however it arrived (ITU-T G.1020 §6.2 "discarded
 * packets"; RFC 3611 §4.7.1 counts them as discarded, apart from lost ones).
 * The delay is relative to the base, so a constant clock offset cancels.
 *
 * Read from the receiver's one-way delay histograms (HDR, 3 significant
 * digits: a delay is known to 0.1 % of itself, e.g. 0.1 ms at 100 ms), at
 * the end of a run: nothing per datagram.
 *
 * Limits, candidly: the send stamp is the instant the datagram was handed to
 * the kernel, not its media sampling instant, so the sender's own lateness
 * (reported as the pacing error) is not in the lateness here; an adaptive
 * jitter buffer does better than any one fixed delay; a frame's delay runs
 * from its first datagram's send to its last datagram's arrival (frames.ts).
 */
import type * as hdr from 'hdr-histogram-js';

/** Late arrivals at each playout delay (plain data: crosses threads and the network). */
export interface LateCounts {
  /** Smallest one-way delay recorded, µs: the base every playout delay counts from. */
  baseUs: number;
  /** Datagrams with a recorded delay. */
  datagrams: number;
  /** The playout delays asked for, ms. */
  playoutMs: number[];
  /** Datagrams later than base + each playout delay. */
  lateDatagrams: number[];
  /** Completed frames with a recorded delay, and those later than base + each playout delay; `null` for unframed traffic. */
  frames: number | null;
  lateFrames: number[] | null;
  /** Playout delay, ms over the base, that keeps the share of late datagrams at or below `maxLatePercent`. */
  neededMs: number;
  /** Datagrams later than base + `neededMs`. */
  lateAtNeeded: number;
  maxLatePercent: number;
}

/** What {@link lateCounts} reads. */
export interface LateOptions {
  delay: hdr.Histogram;
  frameDelay: hdr.Histogram | null;
  playoutMs: readonly number[];
  maxLatePercent: number;
}

/** What the JS histogram offers beyond the `Histogram` interface (hdr.build makes a JsHistogram). */
interface Iterable {
  recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
  lowestEquivalentValue(value: number): number;
}

/**
 * Counts of values above each threshold (µs), one pass over the recorded
 * buckets. A bucket counts as above when its lowest value is: a value within
 * 0.1 % of a threshold may be counted on time, never a clearly late one.
 */
function countAbove(h: hdr.Histogram, thresholdsUs: readonly number[]): number[] {
  const out = thresholdsUs.map(() => 0);
  const js = h as unknown as Iterable;
  const it = js.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    const lowest = js.lowestEquivalentValue(v.valueIteratedTo);
    for (let i = 0; i < thresholdsUs.length; i++) if (lowest > (thresholdsUs[i] as number)) out[i] = (out[i] as number) + v.countAtValueIteratedTo;
  }
  return out;
}

/** Late arrivals at each playout delay, or `null` when no one-way delay was recorded. */
export function lateCounts(o: LateOptions): LateCounts | null {
  const h = o.delay;
  if (h.totalCount === 0) return null;
  const baseUs = h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : Math.min(h.minNonZeroValue, h.getValueAtPercentile(0));
  const thresholds = o.playoutMs.map((ms) => baseUs + ms * 1000);
  const frames = o.frameDelay !== null && o.frameDelay.totalCount > 0 ? o.frameDelay : null;
  const atPercentile = Math.min(h.getValueAtPercentile(100 - o.maxLatePercent), h.maxValue);
  return {
    baseUs,
    datagrams: h.totalCount,
    playoutMs: [...o.playoutMs],
    lateDatagrams: countAbove(h, thresholds),
    frames: frames === null ? null : frames.totalCount,
    lateFrames: frames === null ? null : countAbove(frames, thresholds),
    neededMs: Math.max(0, atPercentile - baseUs) / 1000,
    lateAtNeeded: countAbove(h, [Math.max(baseUs, atPercentile)])[0] as number,
    maxLatePercent: o.maxLatePercent,
  };
}
