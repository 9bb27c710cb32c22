/**
 * Token-bucket pacing on a monotonic clock. The sender's pacing timer asks
 * {@link TokenBucket.take} how many datagrams it may send now; credit accrues
 * with elapsed time at `ratePps` and is capped at `burst` so that a stalled
 * event loop does not turn into one huge burst afterwards.
 */
import type { Clock } from './clock.js';

export class TokenBucket {
  private credit = 0;
  private lastNs: number;
  private readonly perNs: number;

  /**
   * @param ratePps - datagrams per second, or `null` for unlimited
   * @param burst - the most datagrams the bucket may hold
   */
  constructor(
    private readonly clock: Clock,
    readonly ratePps: number | null,
    readonly burst: number,
  ) {
    this.lastNs = clock.nowNs();
    this.perNs = ratePps === null ? 0 : ratePps / 1e9;
  }

  /** Restarts accrual from now with an empty bucket. */
  reset(): void {
    this.lastNs = this.clock.nowNs();
    this.credit = 0;
  }

  /** Whole datagrams that may be sent now (at most `max`); removes them from the bucket. */
  take(max: number): number {
    if (this.ratePps === null) return max;
    const now = this.clock.nowNs();
    this.credit += (now - this.lastNs) * this.perNs;
    this.lastNs = now;
    if (this.credit > this.burst) this.credit = this.burst;
    let n = Math.floor(this.credit);
    if (n > max) n = max;
    this.credit -= n;
    return n;
  }

  /** Gives back datagrams taken but not sent (e.g. paused for back-pressure). */
  giveBack(n: number): void {
    this.credit += n;
  }
}

/**
 * The burst cap for a rate: about 20 ms of traffic (timers tick every 1–6 ms
 * here, so a smaller cap would lose rate), at least `minBurst`.
 */
export function burstFor(ratePps: number | null, minBurst: number): number {
  if (ratePps === null) return Number.POSITIVE_INFINITY;
  return Math.max(minBurst, Math.ceil(ratePps * 0.02));
}
