import type { DuplexResult, RunConfig } from '../src/report/schema.js';
import { expect } from 'vitest';

/** A resolved local-mode config for tests: small, short, loopback. */
export function localConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  const threads = overrides.threads ?? 'single';
  return {
    host: '127.0.0.1',
    family: 4,
    port: null,
    peer: null,
    sizeBytes: 100,
    rateAbPps: 5000,
    rateBaPps: 5000,
    rateAbText: '5k',
    rateBaText: '5k',
    durationSeconds: 2,
    omitSeconds: 0,
    threadsRequested: threads,
    threads,
    rcvbufBytes: null,
    sndbufBytes: null,
    sendBatch: threads === 'split' ? 64 : 16,
    peerTimeoutSeconds: 3,
    ...overrides,
  };
}

/** The invariants every finished run must satisfy, whatever the speed. */
export function expectConservation(result: DuplexResult): void {
  expect(result.directions).toHaveLength(2);
  for (const d of result.directions) {
    expect(d.sent).toBeGreaterThan(0);
    expect(d.received).toBeGreaterThan(0);
    expect(d.sent).toBe(d.received + d.lost);
    expect(d.lost).toBeGreaterThanOrEqual(0);
    expect(d.lossAttribution.kernel + d.lossAttribution.network).toBe(d.lost);
    const intervalSent = d.intervals.reduce((n, i) => n + i.sent, 0);
    const intervalReceived = d.intervals.reduce((n, i) => n + i.received, 0);
    expect(intervalSent).toBe(d.sent);
    expect(intervalReceived).toBe(d.received);
  }
}
