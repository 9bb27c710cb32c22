import { describe, expect, it } from 'vitest';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { expectConservation, localConfig } from './helpers.js';

describe('loss attribution on loopback', () => {
  it('puts every datagram lost to a tiny receive buffer on the kernel, none on the network', async () => {
    // 4 KiB requested (the kernel's minimum is about that): 1400-byte datagrams overflow it at once.
    const result = await runLocalDuplex(localConfig({ sizeBytes: 1400, rateAbPps: 20_000, rateBaPps: 20_000, rcvbufBytes: 4096 }));
    expectConservation(result);
    for (const d of result.directions) {
      expect(d.lost).toBeGreaterThan(0);
      expect(d.kernelDrops).not.toBeNull();
      expect(d.kernelDrops as number).toBeGreaterThanOrEqual(d.lost);
      expect(d.lossAttribution).toEqual({ sender: 0, kernel: d.lost, network: 0 });
    }
    expect(result.kernel.available).toBe(true);
    expect(result.kernel.delta.RcvbufErrors).toBeGreaterThanOrEqual(result.directions.reduce((n, d) => n + d.lost, 0));
  });
});
