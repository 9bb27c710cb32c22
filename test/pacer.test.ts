import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/udp/clock.js';
import { TokenBucket, burstFor, spendPerTick } from '../src/udp/pacer.js';

describe('token-bucket pacing on an injected clock', () => {
  it('grants datagrams at the rate, capped by the burst, at most `max` per call', () => {
    const clock = new ManualClock(1e9);
    const bucket = new TokenBucket(clock, 10_000, burstFor(10_000, 16)); // 10 per ms, cap 20 ms = 200
    expect(bucket.take(100)).toBe(1); // the first datagram is due at t = 0
    clock.advanceMs(1);
    expect(bucket.take(100)).toBe(10);
    clock.advanceMs(0.55);
    expect(bucket.take(100)).toBe(5); // fractions carry over
    clock.advanceMs(0.05);
    expect(bucket.take(100)).toBe(1);
    clock.advanceMs(50); // a stalled timer: credit stops at the cap (20 ms), not 50 ms of traffic
    expect(bucket.take(1000)).toBe(200);
    clock.advanceMs(1);
    expect(bucket.take(4)).toBe(4);
    expect(bucket.take(100)).toBe(6);
  });

  it('sends a whole number over a long run equal to rate × time', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, 123_456, burstFor(123_456, 16));
    let sent = 0;
    for (let i = 0; i < 10_000; i++) {
      clock.advanceMs(0.1);
      sent += bucket.take(64);
    }
    expect(Math.abs(sent - 123_456)).toBeLessThanOrEqual(1);
  });

  it('owes ⌈rate × time⌉ datagrams to a short run: 10/s for 1 s is 10, not 9', () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket(clock, 10, burstFor(10, 16));
    let sent = 0;
    // Ticks every 1 ms up to (not including) t = 1 s, as the sender's timer does.
    for (let t = 0; t < 1000; t++) {
      sent += bucket.take(16);
      clock.advanceMs(1);
    }
    expect(sent).toBe(10);
    bucket.reset();
    expect(bucket.take(16)).toBe(1);
  });

  it('spends at most about 2 ms of traffic per tick, so a deficit is repaid gradually', () => {
    expect(spendPerTick(10_000, 16)).toBe(20);
    expect(spendPerTick(1_000, 16)).toBe(16); // never below one batch
    expect(spendPerTick(null, 16)).toBe(Number.POSITIVE_INFINITY);
    expect(burstFor(100_000, 16)).toBe(2000);
  });

  it('"max" grants every request and has no cap', () => {
    const bucket = new TokenBucket(new ManualClock(), null, burstFor(null, 16));
    expect(bucket.take(16)).toBe(16);
    expect(burstFor(null, 16)).toBe(Number.POSITIVE_INFINITY);
  });
});
