import { describe, expect, it } from 'vitest';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { expectConservation, localConfig } from './helpers.js';

describe('local duplex, sender and receiver threads per endpoint (split)', () => {
  it('carries traffic both ways on one port each, and sent = received + lost', async () => {
    const result = await runLocalDuplex(localConfig({ threads: 'split' }));
    expect(result.complete).toBe(true);
    expectConservation(result);
    const [a, b] = result.endpoints;
    expect(a?.threads).toBe('split');
    // Every datagram A received came from B's one port, and vice versa.
    expect(a?.peerSources).toEqual([`127.0.0.1:${b?.port}`]);
    expect(b?.peerSources).toEqual([`127.0.0.1:${a?.port}`]);
    expect(a?.leaked).toBe(0);
    expect(b?.leaked).toBe(0);
    for (const d of result.directions) {
      expect(d.endMarkerSeen).toBe(true);
      expect(d.latencyUs.p50).not.toBeNull();
      expect(d.intervals.length).toBe(2);
    }
  });
});
