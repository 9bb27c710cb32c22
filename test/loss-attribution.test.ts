import { describe, expect, it } from 'vitest';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { expectChecked, expectDropsExplained, localConfig } from './helpers.js';
import type { ThreadMode } from '../src/result/types.js';

describe.each<ThreadMode>(['single', 'split'])('loss attribution on loopback, %s threads', (threads) => {
  it('puts every datagram lost to a tiny receive buffer on the kernel, none on the network', async () => {
    // 4 KiB requested (the kernel's minimum is about that): 1400-byte datagrams overflow it at once.
    const result = await runLocalDuplex(localConfig({ threads, sizeBytes: 1400, rateAbPps: 20_000, rateBaPps: 20_000, rcvbufBytes: 4096 }));
    expectChecked(result);
    for (const d of result.directions) {
      // Real loss: the sequence numbers and the socket's drop counter both account for every lost datagram.
      expect(d.lost).toBeGreaterThan(0);
      expect(d.check.lostBySequence).toBe(d.lost);
      expectDropsExplained(d);
      expect(d.lossAttribution).toEqual({ sender: 0, kernel: d.lost, network: 0 });
    }
    expect(result.kernel.available).toBe(true);
    expect(result.kernel.delta.RcvbufErrors).toBeGreaterThanOrEqual(result.directions.reduce((n, d) => n + (d.lost ?? 0), 0));
  });
});
