/**
 * `bench duplex --peer HOST:PORT --clients N`: N sessions from one process
 * against one listener, combined into one result. The listener's own results
 * (one per session, printed by the listener process) are the independent
 * evidence for every client's figures.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { DuplexResultSchema, firstProblem } from '../src/result/schema.js';

describe('bench duplex --peer --clients N', () => {
  it('runs N sessions at once and combines them: per-client rows as the listener saw them, sums, fairness', async () => {
    const l = await startListener(['--json', '--threads', 'single']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--clients', '3', '--duration', '2', '--rate', '1500', '--threads', 'single', '--json', '--no-save'], { timeoutMs: 40_000 });
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout);
      expect(firstProblem(DuplexResultSchema, res)).toBeNull();
      expect(res.mode).toBe('remote');
      expect(res.complete).toBe(true);
      expect(res.config.clients).toBe(3);
      // The listener ran the three at once and printed one result per session.
      await l.waitFor(/\(2 other sessions running\)/);
      const served = [await l.result(1), await l.result(2), await l.result(3)];
      expect(res.peers).toHaveLength(3);
      const ports = res.peers.map((p: { port: number }) => p.port);
      expect(new Set(ports).size).toBe(3);
      for (const p of res.peers) {
        const mine = served.filter((s) => s.endpoints[0].port === p.port);
        expect(mine, `the listener's result for client port ${p.port}`).toHaveLength(1);
        // The client's row is what both sides of its session computed.
        expect(p.directions).toEqual(mine[0].directions);
        for (const d of p.directions) {
          expect(d.sent).toBeGreaterThan(2500);
          expect(d.received).toBe(d.sent);
          expect(d.foreign).toBe(0);
          expect(d.check.agree).toBe(true);
        }
        expect(mine[0].endpoints.find((e: { id: string }) => e.id === 'B').peerSources).toEqual([`127.0.0.1:${p.port}`]);
      }
      // The aggregate is the sum over the clients; its rate about the sum of theirs.
      for (const [i, d] of res.directions.entries()) {
        const per = res.peers.map((p: { directions: { sent: number; received: number; receivedPps: number }[] }) => p.directions[i]);
        expect(d.sent).toBe(per.reduce((a: number, x: { sent: number }) => a + x.sent, 0));
        expect(d.received).toBe(per.reduce((a: number, x: { received: number }) => a + x.received, 0));
        expect(d.offeredPps).toBe(4500);
        const sumRates = per.reduce((a: number, x: { receivedPps: number }) => a + x.receivedPps, 0);
        expect(Math.abs(d.receivedPps - sumRates) / sumRates).toBeLessThan(0.02);
        expect(d.foreign).toBe(0);
        expect(d.check.agree).toBe(true);
      }
      expect(res.fairness.abJain).toBeGreaterThan(0.95);
      expect(res.fairness.baJain).toBeGreaterThan(0.95);
      // The listener first (one port), then the three clients.
      expect(res.endpoints.map((e: { id: string }) => e.id)).toEqual(['B', 'A', 'A', 'A']);
      expect(res.endpoints[0].port).toBe(l.port);
      expect(res.endpoints[0].peerSources.sort()).toEqual(ports.map((p: number) => `127.0.0.1:${p}`).sort());
    } finally {
      await l.stop();
    }
  }, 60_000);

  it('fails in one line when the listener has no room for all of them, and frees the places it took', async () => {
    const l = await startListener(['--max-clients', '2']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--clients', '3', '--duration', '2', '--rate', '1k', '--no-save'], { timeoutMs: 40_000 });
      expect(r.code).toBe(1);
      const errors = r.stderr.split('\n').filter((x) => /^bench: client A\d of 3: /.test(x));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^bench: client A\d of 3: the listener is busy: 2 sessions running \(this listener's --max-clients is 2\)$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // The two accepted sessions said they gave up: the listener dropped them at once, not after its 10 s go wait.
      await l.waitFor(/gave up before the start[^]*gave up before the start/, 5000);
      const single = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '1k', '--no-save', '--json']);
      expect(single.code, single.stderr).toBe(0);
    } finally {
      await l.stop();
    }
  }, 60_000);
});
