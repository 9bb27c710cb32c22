/**
 * Per-direction frame accounting (framed patterns: voice, video, trace): a
 * pure state machine fed with each unique data datagram's frame fields and
 * times, like accounting.ts for datagrams. Memory is fixed: frames live in a
 * ring of {@link FRAME_RING} slots indexed by frame number, which at 30 fps is
 * over two minutes of reordering — far beyond anything a frame waits for.
 *
 * A frame is complete when `count` distinct datagrams of it arrived (the
 * caller passes only unique datagrams: duplicates are filtered by sequence
 * number first). Its delay is from its earliest datagram's send time to its
 * last datagram's arrival: what a decoder waits before it can show the frame.
 * A frame that is never completed is lost, whether some of its datagrams
 * arrived (`partial`) or none did (only the sender's and the end marker's
 * frame counts know it existed).
 */

/** Frame slots remembered (a power of two). */
export const FRAME_RING = 4096;

export class FrameAccounting {
  /** Frames with every datagram received. */
  complete = 0;
  /** Frames of which some but not all datagrams arrived (known once they leave the ring, or at {@link finish}). */
  partial = 0;
  /** Datagrams of frames already counted or pushed out of the ring (arrived too late to matter). */
  lateDatagrams = 0;
  /** Delay of the frame the last {@link record} completed, ns (valid when it returned true). */
  lastDelayNs = 0;
  /** Highest frame number seen + 1. */
  highest = 0;

  private readonly ids = new Float64Array(FRAME_RING).fill(-1);
  private readonly got = new Uint16Array(FRAME_RING);
  private readonly need = new Uint16Array(FRAME_RING);
  private readonly firstSendNs = new Float64Array(FRAME_RING);
  private readonly lastArrivalNs = new Float64Array(FRAME_RING);

  /**
   * Records one unique datagram of a frame. Allocation-free.
   * @returns true when this datagram completed its frame (then {@link lastDelayNs} is its delay)
   */
  record(frame: number, index: number, count: number, sendTimeNs: number, arrivalNs: number): boolean {
    void index; // the sequence number already made the datagram unique; the index only says where it sits
    const slot = frame & (FRAME_RING - 1);
    const id = this.ids[slot] as number;
    if (id !== frame) {
      if (frame < id) {
        // An older frame whose slot a newer one took: it was already counted.
        this.lateDatagrams++;
        return false;
      }
      // The slot's previous frame leaves the ring: if it never completed, some of it arrived.
      if (id >= 0 && (this.got[slot] as number) < (this.need[slot] as number)) this.partial++;
      this.ids[slot] = frame;
      this.got[slot] = 0;
      this.need[slot] = count;
      this.firstSendNs[slot] = sendTimeNs;
      this.lastArrivalNs[slot] = arrivalNs;
      if (frame + 1 > this.highest) this.highest = frame + 1;
    } else if ((this.got[slot] as number) >= (this.need[slot] as number)) {
      // Already complete: cannot happen for unique datagrams of a consistent sender.
      this.lateDatagrams++;
      return false;
    }
    if (sendTimeNs < (this.firstSendNs[slot] as number)) this.firstSendNs[slot] = sendTimeNs;
    if (arrivalNs > (this.lastArrivalNs[slot] as number)) this.lastArrivalNs[slot] = arrivalNs;
    const got = (this.got[slot] as number) + 1;
    this.got[slot] = got;
    if (got < (this.need[slot] as number)) return false;
    this.complete++;
    this.lastDelayNs = (this.lastArrivalNs[slot] as number) - (this.firstSendNs[slot] as number);
    return true;
  }

  /** Counts the frames still in the ring that never completed as partial; call once, at the end. */
  finish(): void {
    for (let i = 0; i < FRAME_RING; i++) {
      if ((this.ids[i] as number) >= 0 && (this.got[i] as number) < (this.need[i] as number)) this.partial++;
      this.ids[i] = -1;
    }
  }
}
