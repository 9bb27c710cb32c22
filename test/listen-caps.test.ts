/**
 * `--max-rate` holds what it says against a crafted client (issue 21,
 * findings 2 and 3): in bits/s it caps payload bits at every datagram size
 * and pattern, a pattern's rate is the listener's own count over the
 * duration it will run, and the sessions running together are held to
 * `--max-total-rate`. Where a session is accepted, the bytes the listener
 * sends are counted by the test's own socket, not by the tool.
 */
import { describe, expect, it } from 'vitest';
import { Kind } from '../src/udp/wire.js';
import { craftedClient, goodParams } from './crafted-client.js';
import { startListener } from './listener.js';
import { localConfig } from './helpers.js';

const offered = { datagramsPerSecond: 50, bitsPerSecond: 64_000, framesPerSecond: 50, maxFrameDatagrams: 1, maxFrameBytes: 160 };
const voice = (intervalMs: number) => ({ kind: 'voice', sizeBytes: 160, intervalMs, offered });
const video = { kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 20e6, keyframeIntervalSeconds: 2, keyframeRatio: 2, seed: 1, offered };

describe('--max-rate against a crafted client', () => {
  it('in bits/s refuses large datagrams, fast patterns and durations that disagree; what it accepts stays within the cap on the wire', async () => {
    const l = await startListener(['--max-rate', '10Mbit']);
    const c = await craftedClient(l.port);
    try {
      const refusal = async (params: Record<string, unknown>, config = localConfig()): Promise<string> => {
        const r = await c.open(params, config);
        expect(r?.kind, JSON.stringify(r?.body)).toBe(Kind.Refuse);
        return (r?.body as { reason: string }).reason;
      };
      // The audit's 65,507 B at 31,250/s (16 Gbit/s) and 1400 B at the same rate (350 Mbit/s).
      expect(await refusal({ ...goodParams, sizeBytes: 65_507, rateAbPps: 1, rateBaPps: 31_250 })).toMatch(/^rate B→A 16\.4 Gbit\/s exceeds this listener's --max-rate 10 Mbit\/s \(per session\)$/);
      expect(await refusal({ ...goodParams, sizeBytes: 1400, rateAbPps: 1, rateBaPps: 31_250 })).toMatch(/B→A 350 Mbit\/s exceeds .*--max-rate 10 Mbit\/s/);
      // A 1 µs voice pattern whose config says a week, or 0 s, while the parameters say 2 s; and 100 Mbit/s video.
      for (const configSeconds of [604_800, 0]) {
        const reason = await refusal({ ...goodParams, durationSeconds: 2, rateAbPps: 1 }, localConfig({ durationSeconds: configSeconds, patternBa: voice(0.001) as never }));
        expect(reason).toMatch(/^rate B→A 1\.28 Gbit\/s exceeds .*--max-rate 10 Mbit\/s/);
      }
      expect(await refusal({ ...goodParams, rateAbPps: 1 }, localConfig({ patternBa: video as never }))).toMatch(/B→A 2\d\.?\d* Mbit\/s exceeds .*--max-rate 10 Mbit\/s/);
      // The same cap in A→B.
      expect(await refusal({ ...goodParams, sizeBytes: 65_507, rateAbPps: 100, rateBaPps: 1 })).toMatch(/^rate A→B 52\.4 Mbit\/s exceeds/);
      await l.waitFor(/refused 127\.0\.0\.1:\d+: rate B→A 16\.4 Gbit\/s/);
      expect(l.stderr()).not.toMatch(/NaN/);

      // 65,507 B at 19/s is 9.96 Mbit/s: accepted. The test's socket counts what arrives.
      const seconds = 2;
      const ok = await c.open({ ...goodParams, sizeBytes: 65_507, rateAbPps: 1, rateBaPps: 19, durationSeconds: seconds });
      expect(ok?.kind).toBe(Kind.Accept);
      expect(await c.go((ok?.body as { session: number }).session)).not.toBeNull();
      await new Promise((r) => setTimeout(r, (seconds + 1.5) * 1000));
      expect(c.dataDatagrams()).toBeGreaterThanOrEqual(19 * seconds * 0.9);
      // The rate on the wire (pre-roll included), from the first arrival to the last: n datagrams span n − 1 intervals.
      const bitsPerSecond = ((c.dataBytes() - 65_507) * 8) / (c.dataSpanMs() / 1000);
      expect(bitsPerSecond).toBeGreaterThan(8e6);
      expect(bitsPerSecond).toBeLessThanOrEqual(10e6 * 1.02);
    } finally {
      c.close();
      await l.stop();
    }
  }, 30_000);

  it('holds the sessions running together to --max-total-rate (default: --max-rate), naming the cap', async () => {
    const l = await startListener(['--max-rate', '1000', '--max-clients', '4']);
    const c1 = await craftedClient(l.port);
    const c2 = await craftedClient(l.port);
    const c3 = await craftedClient(l.port);
    try {
      // The first session is accepted and, waiting for its go, counts as running.
      expect((await c1.open({ ...goodParams, rateBaPps: 600, durationSeconds: 5 }))?.kind).toBe(Kind.Accept);
      const second = await c2.open({ ...goodParams, rateBaPps: 600 });
      expect(second?.kind).toBe(Kind.Refuse);
      expect((second?.body as { reason: string }).reason).toBe(
        "rate B→A 600 datagrams/s on top of the 600 datagrams/s of the 1 session running exceeds this listener's --max-total-rate 1,000 datagrams/s (the sum over its sessions)",
      );
      // What fits beside it is accepted.
      expect((await c3.open({ ...goodParams, rateBaPps: 400 }))?.kind).toBe(Kind.Accept);
    } finally {
      for (const c of [c1, c2, c3]) c.close();
      await l.stop();
    }
  }, 20_000);
});
