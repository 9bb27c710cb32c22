/**
 * The one monotonic clock. Hot paths call {@link Clock.nowNs}, which returns
 * nanoseconds on the same time base in every thread of the process (the time
 * base of `process.hrtime`), without allocating a BigInt per call.
 *
 * Why not `performance.now()` alone: each worker thread has its own
 * `timeOrigin`, so raw values are not comparable across threads; adding a
 * per-thread offset measured once against `process.hrtime.bigint()` fixes that.
 */
import { performance } from 'node:perf_hooks';

/** A monotonic clock in nanoseconds. Injectable in tests. */
export interface Clock {
  /** Nanoseconds on a monotonic, process-wide time base. */
  nowNs(): number;
}

function measureOffsetNs(): number {
  // Take the tightest of a few bracketed readings.
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const a = performance.now();
    const h = Number(process.hrtime.bigint());
    const b = performance.now();
    const width = b - a;
    if (width < best) {
      best = width;
      offset = h - ((a + b) / 2) * 1e6;
    }
  }
  return offset;
}

/** Creates the process-wide monotonic clock for the calling thread. */
export function createMonotonicClock(): Clock {
  const offsetNs = measureOffsetNs();
  return {
    nowNs: () => performance.now() * 1e6 + offsetNs,
  };
}

/** A clock that returns what the test sets; for unit tests. */
export class ManualClock implements Clock {
  constructor(public timeNs = 0) {}
  nowNs(): number {
    return this.timeNs;
  }
  advanceMs(ms: number): void {
    this.timeNs += ms * 1e6;
  }
}
