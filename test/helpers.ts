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

/**
 * What every finished local run must show, checked against sources other
 * than `sent − received`: the receiver's own loss from the wire's sequence
 * numbers, and the receiving socket's drop counter in /proc (exact on
 * loopback, where nothing lies between the two sockets).
 */
export function expectChecked(result: DuplexResult, opts: { kernel: 'exact' | 'not-compared' } = { kernel: 'exact' }): void {
  expect(result.directions).toHaveLength(2);
  for (const d of result.directions) {
    expect(d.sent).toBeGreaterThan(0);
    expect(d.received).toBeGreaterThan(0);
    expect(d.endMarkerSeen).toBe(true);
    expect(d.check.lostBySequence).toBe(d.lost);
    if (opts.kernel === 'exact') expect(d.check.kernelDrops).toBe(d.lost);
    expect(d.check.agree, d.check.note ?? '').toBe(true);
  }
}
