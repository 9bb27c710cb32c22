/**
 * Remote mode's interval stream: each side sees its own sender and its own
 * receiver only. What it does not see is `null` in the NDJSON (it was −1,
 * a figure nobody observed dressed as a number); what it sees agrees with
 * the final result's per-direction totals.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('bench duplex --peer --json-stream', () => {
  it('marks the half this side does not see null, never −1, and its own half adds up to the result', async () => {
    const l = await startListener(['--once']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '-t', '2', '--rate', '2k', '--json-stream', '--no-save']);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((x) => JSON.parse(x) as { event: string; data: Record<string, unknown> });
      const intervals = lines.filter((x) => x.event === 'interval').map((x) => x.data as { direction: string; sent: number | null; received: number | null; lost: number | null });
      const end = lines[lines.length - 1] as { event: string; data: { directions: { from: string; sent: number; received: number }[] } };
      expect(end.event).toBe('end');
      expect(intervals.length).toBeGreaterThanOrEqual(4);
      // The client (A) sends A→B and receives B→A.
      const ab = intervals.filter((s) => s.direction === 'A→B');
      const ba = intervals.filter((s) => s.direction === 'B→A');
      for (const s of ab) expect({ received: s.received, lost: s.lost }).toEqual({ received: null, lost: null });
      for (const s of ba) expect(s.sent).toBeNull();
      for (const s of intervals) for (const v of [s.sent, s.received, s.lost]) expect(v === null || v >= 0).toBe(true);
      // Its own halves, summed over the seconds, are what the result counted (the last second is closed by the end marker: within it).
      const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
      const [dab, dba] = end.data.directions as [{ sent: number; received: number }, { sent: number; received: number }];
      expect(sum(ab.map((s) => s.sent))).toBeLessThanOrEqual(dab.sent);
      expect(sum(ab.map((s) => s.sent))).toBeGreaterThan(dab.sent * 0.8);
      expect(sum(ba.map((s) => s.received))).toBeLessThanOrEqual(dba.received);
      expect(sum(ba.map((s) => s.received))).toBeGreaterThan(dba.received * 0.8);
    } finally {
      await l.stop();
    }
  }, 30_000);
});
