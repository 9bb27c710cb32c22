import { describe, expect, it } from 'vitest';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { expectChecked, localConfig } from './helpers.js';
import { DuplexResultSchema, firstProblem } from '../src/result/schema.js';
import type { ThreadMode } from '../src/result/types.js';

describe.each<ThreadMode>(['single', 'split'])('local duplex, %s threads', (threads) => {
  it('carries traffic both ways on one port each, and the loss checks agree', async () => {
    const result = await runLocalDuplex(localConfig({ threads }));
    expect(result.complete).toBe(true);
    expectChecked(result);
    // The producer's own output passes the published schema.
    expect(firstProblem(DuplexResultSchema, result)).toBeNull();
    const [a, b] = result.endpoints;
    expect(a?.threads).toBe(threads);
    expect(b?.threads).toBe(threads);
    // Every datagram A received came from B's one port, and vice versa.
    expect(a?.peerSources).toEqual([`127.0.0.1:${b?.port}`]);
    expect(b?.peerSources).toEqual([`127.0.0.1:${a?.port}`]);
    expect(a?.leaked).toBe(0);
    expect(b?.leaked).toBe(0);
    // CPU time is recorded per thread: one endpoint thread, or a sender and a receiver.
    expect(a?.cpu.map((c) => c.thread).sort()).toEqual(threads === 'single' ? ['endpoint'] : ['receiver', 'sender']);
    for (const d of result.directions) {
      expect(d.endMarkerSeen).toBe(true);
      expect(d.latencyUs.p50).not.toBeNull();
      expect(d.intervals.length).toBe(2);
    }
  });
});
