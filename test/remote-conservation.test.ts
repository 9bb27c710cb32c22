import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { DuplexResultSchema, firstProblem } from '../src/result/schema.js';

describe('remote mode: bench listen and bench duplex --peer as two processes', () => {
  it('completes with traffic both ways, loss checked by sequence numbers, the same result on both sides', async () => {
    const l = await startListener(['--once', '--json']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '2', '--rate', '3k', '--json', '--no-save', '--threads', 'single']);
      expect(r.code).toBe(0);
      const client = JSON.parse(r.stdout);
      const server = await l.result(1);
      // --once: the listener exits by itself after the session.
      expect(await l.exited()).toBe(0);
      for (const res of [client, server]) {
        expect(res.mode).toBe('remote');
        expect(res.complete).toBe(true);
        expect(res.endpoints.map((e: { id: string }) => e.id)).toEqual(['A', 'B']);
        expect(res.endpoints[1].port).toBe(l.port);
        for (const d of res.directions) {
          expect(d.sent).toBeGreaterThan(0);
          expect(d.received).toBeGreaterThan(0);
          // The receiver's own count from the wire agrees with the sender's; kernel drops are not compared across machines.
          expect(d.check.lostBySequence).toBe(d.lost);
          expect(d.check.agree).toBe(true);
          expect(d.check.note).toMatch(/not compared/);
          // Two clocks: one-way delay against the estimated offset, with its bound (the true offset is 0 here: one machine).
          expect(d.latencyUs.method).toBe('estimated-offset');
          expect(Math.abs(d.latencyUs.offsetUs ?? Infinity)).toBeLessThanOrEqual(d.latencyUs.boundUs ?? 0);
          expect(d.rttUs.p50).toBeGreaterThan(0);
        }
        expect(res.peerKernel).toBeDefined();
        expect(firstProblem(DuplexResultSchema, res)).toBeNull();
      }
      // Both sides computed the same per-direction figures.
      expect(server.directions).toEqual(client.directions);
      // Each endpoint heard only from the other's one port.
      expect(client.endpoints[0].peerSources).toEqual([`127.0.0.1:${l.port}`]);
      expect(client.endpoints.every((e: { leaked: number }) => e.leaked === 0)).toBe(true);
    } finally {
      await l.stop();
    }
  });
});
