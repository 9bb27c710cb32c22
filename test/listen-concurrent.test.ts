import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { DuplexResultSchema, firstProblem } from '../src/result/schema.js';

/**
 * Two `bench duplex --peer` processes against one listener at the same time.
 * Every session's data sockets share the listener's one port; the proof that
 * each client's datagrams reach only its own session is in the per-session
 * figures: what each client says it sent is what its session received (and
 * the other way round), nothing foreign arrived, and each session heard only
 * its own client's port. The clients send at different rates, so data that
 * went to the wrong session could not balance by chance.
 */
const cases = [
  { threads: 'single', host: '127.0.0.1' },
  { threads: 'split', host: '127.0.0.1' },
  { threads: 'single', host: '::1' },
] as const;

describe('bench listen serves two clients at once', () => {
  for (const { threads, host } of cases) {
    it(`both complete with their own traffic only (listener ${threads} threads, ${host})`, async () => {
      const l = await startListener(['--host', host, '--threads', threads, '--json']);
      const peer = host.includes(':') ? `[${host}]:${l.port}` : `${host}:${l.port}`;
      try {
        const rates = ['2k', '3k'];
        const runs = await Promise.all(
          rates.map((rate) => runCli(['duplex', '--peer', peer, '--duration', '2', '--rate', rate, '--threads', 'single', '--json', '--no-save'], { timeoutMs: 40_000 })),
        );
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        const clients = runs.map((r) => JSON.parse(r.stdout));
        const served = [await l.result(1), await l.result(2)];
        // They ran at once: the second was accepted while the first was in the session table.
        expect(l.stderr()).toMatch(/session [0-9a-f]+ with .*\(1 other session running\)/);
        const starts = clients.map((c) => Date.parse(c.startedAt));
        expect(Math.abs((starts[0] as number) - (starts[1] as number))).toBeLessThan(1000);
        for (const [i, client] of clients.entries()) {
          const clientPort = client.endpoints[0].port as number;
          const mine = served.filter((s) => s.endpoints[0].port === clientPort);
          expect(mine, `one listener result for client port ${clientPort}`).toHaveLength(1);
          const server = mine[0];
          for (const res of [client, server]) {
            expect(res.complete).toBe(true);
            expect(firstProblem(DuplexResultSchema, res)).toBeNull();
          }
          // Both sides computed the same directions from the two reports.
          expect(server.directions).toEqual(client.directions);
          const offered = Number(rates[i]?.replace('k', '000'));
          for (const d of client.directions) {
            expect(d.offeredPps).toBe(offered);
            // Loopback at a modest rate: everything sent arrived, at its own session, and nothing else did.
            expect(d.sent).toBeGreaterThan(offered * 1.5);
            expect(d.received).toBe(d.sent);
            expect(d.lost).toBe(0);
            expect(d.foreign).toBe(0);
            expect(d.check.agree).toBe(true);
            expect(d.check.lostBySequence).toBe(0);
            expect(d.kernelDrops === null || d.kernelDrops === 0).toBe(true);
          }
          // Each session's endpoint heard only its own client's one port, and the client only the listener's.
          const b = server.endpoints.find((e: { id: string }) => e.id === 'B');
          expect(b.peerSources).toEqual([`${host.includes(':') ? `[${host}]` : host}:${clientPort}`]);
          expect(client.endpoints[0].peerSources).toEqual([peer]);
          expect(b.leaked).toBe(0);
          expect(b.threads).toBe(threads);
        }
        // Two sessions, two results, two different ports.
        expect(new Set(served.map((s) => s.endpoints[0].port)).size).toBe(2);
      } finally {
        await l.stop();
      }
    }, 60_000);
  }
});
