import type { DuplexResult, RunConfig } from '../src/result/types.js';
import { expect } from 'vitest';
import { END_MARKER_COPIES } from '../src/udp/wire.js';
import type { DirectionResult } from '../src/result/types.js';

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
    if (opts.kernel === 'exact') expectDropsExplained(d);
    expect(d.check.agree, d.check.note ?? '').toBe(true);
  }
}

/**
 * The receiving socket's drop counter equals the loss, except for end-marker
 * copies the full buffer also dropped (they are datagrams, not data); any such
 * excess must be at most the copies sent and named in the check's note.
 */
export function expectDropsExplained(d: DirectionResult): void {
  const excess = (d.check.kernelDrops as number) - (d.lost as number);
  expect(excess).toBeGreaterThanOrEqual(0);
  expect(excess).toBeLessThanOrEqual(END_MARKER_COPIES);
  if (excess > 0) expect(d.check.note).toMatch(new RegExp(`${excess} end-marker cop`));
}
