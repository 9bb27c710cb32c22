/**
 * The timestamp a sender echoes back to its peer (for round-trip time): the
 * peer's send time of the latest datagram received, and when it arrived here.
 * In split mode the receiver thread writes it and the sender thread reads it,
 * so it lives in a SharedArrayBuffer guarded by a sequence lock (a torn pair
 * would produce a wrong RTT sample).
 */

/** Shared echo slot. `values[0]` = peer send time ns (0 = none), `values[1]` = local arrival ns. */
export interface EchoState {
  readonly buffer: SharedArrayBuffer;
  readonly values: Float64Array;
  readonly lock: Int32Array;
}

/** Bytes of one echo slot in a shared buffer (a lock word, padding, two float64 values). */
export const ECHO_SLOT_BYTES = 24;

/**
 * Creates an echo slot, or wraps slot `slot` of an existing shared buffer (in
 * another thread; an endpoint with many peers has one slot per peer).
 */
export function createEchoState(buffer: SharedArrayBuffer = new SharedArrayBuffer(ECHO_SLOT_BYTES), slot = 0): EchoState {
  const base = slot * ECHO_SLOT_BYTES;
  return { buffer, values: new Float64Array(buffer, base + 8, 2), lock: new Int32Array(buffer, base, 1) };
}

/** Writer side (receiver). */
export function writeEcho(e: EchoState, peerSendNs: number, arrivalNs: number): void {
  Atomics.add(e.lock, 0, 1); // odd: write in progress
  e.values[0] = peerSendNs;
  e.values[1] = arrivalNs;
  Atomics.add(e.lock, 0, 1); // even: consistent
}

/**
 * Reader side (sender): copies a consistent pair into `out` (index 0, 1);
 * returns false if the writer kept it busy (then `out` is left unchanged).
 */
export function readEcho(e: EchoState, out: Float64Array): boolean {
  for (let tries = 0; tries < 4; tries++) {
    const v1 = Atomics.load(e.lock, 0);
    if ((v1 & 1) !== 0) continue;
    const a = e.values[0] as number;
    const b = e.values[1] as number;
    if (Atomics.load(e.lock, 0) === v1) {
      out[0] = a;
      out[1] = b;
      return true;
    }
  }
  return false;
}
