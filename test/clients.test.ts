import { describe, expect, it } from 'vitest';
import { runDuplex } from '../src/bench/run.js';
import { END_MARKER_COPIES } from '../src/udp/wire.js';
import { expectDropsExplained, localConfig } from './helpers.js';
import type { DirectionResult, DuplexResult, ThreadMode } from '../src/result/types.js';

/** The server's one port, as the clients' receivers saw it: every datagram they got came from it. */
function serverPort(result: DuplexResult): number {
  const server = result.endpoints.find((e) => e.id === 'B');
  expect(server).toBeDefined();
  return server?.port ?? -1;
}

/** Aggregate into the server: its one socket's drop counter explains the loss over all clients (up to N end-marker sets). */
function expectServerDropsExplained(d: DirectionResult, clients: number): void {
  const excess = (d.check.kernelDrops as number) - (d.lost as number);
  expect(excess).toBeGreaterThanOrEqual(0);
  expect(excess).toBeLessThanOrEqual(END_MARKER_COPIES * clients);
  expect(d.check.agree, d.check.note ?? '').toBe(true);
}

describe.each<ThreadMode>(['single', 'split'])('--clients 4 on one server port, %s threads', (threads) => {
  it('keeps per-client accounting that the wire and the kernel confirm, and sums it into the aggregate', async () => {
    const n = 4;
    const result = await runDuplex(localConfig({ threads, clients: n, rateAbPps: 2000, rateBaPps: 3000, durationSeconds: 1 }));
    expect(result.complete).toBe(true);
    expect(result.peers).toHaveLength(n);
    const port = serverPort(result);
    const clientPorts = new Set(result.peers?.map((p) => p.port));
    expect(clientPorts.size).toBe(n);
    expect(clientPorts.has(port)).toBe(false);
    for (const p of result.peers ?? []) {
      const [up, down] = p.directions as [DirectionResult, DirectionResult];
      expect(up.from).toBe('A');
      expect(down.from).toBe('B');
      for (const d of [up, down]) {
        expect(d.sent).toBeGreaterThan(0);
        expect(d.endMarkerSeen).toBe(true);
        // The receiver's own count of the sequence numbers it did not get.
        expect(d.check.lostBySequence).toBe(d.lost);
      }
      // Server → client i: client i's socket is its own, so its drops are exact per client.
      expectDropsExplained(down);
      expect(down.check.agree, down.check.note ?? '').toBe(true);
      // Client i → server: the server's socket is shared; per client it is not compared, and says why.
      expect(up.check.kernelDrops).toBeNull();
      expect(up.check.note).toMatch(/one socket serves every client/);
      // Rates per client are the asked ones (paced, well below any limit here).
      expect(up.offeredPps).toBe(2000);
      expect(down.offeredPps).toBe(3000);
    }
    // Every client received only from the server's one port.
    for (const e of result.endpoints.filter((x) => x.id === 'A')) expect(e.peerSources).toEqual([`127.0.0.1:${port}`]);
    // The aggregate is the sum of the clients' rows, checked against the server socket's own drop counter.
    const [aggUp, aggDown] = result.directions as [DirectionResult, DirectionResult];
    const sumOf = (i: 0 | 1, f: (d: DirectionResult) => number | null): number => (result.peers ?? []).reduce((a, p) => a + (f(p.directions[i] as DirectionResult) ?? NaN), 0);
    expect(aggUp.sent).toBe(sumOf(0, (d) => d.sent));
    expect(aggUp.received).toBe(sumOf(0, (d) => d.received));
    expect(aggDown.sent).toBe(sumOf(1, (d) => d.sent));
    expect(aggDown.received).toBe(sumOf(1, (d) => d.received));
    expect(aggUp.offeredPps).toBe(2000 * n);
    expectServerDropsExplained(aggUp, n);
    expect(aggDown.check.agree, aggDown.check.note ?? '').toBe(true);
    // Percentiles do not add up: the aggregate keeps only the largest delay.
    expect(aggUp.latencyUs.p50).toBeNull();
    expect(aggUp.latencyUs.max).toBe(Math.max(...(result.peers ?? []).map((p) => p.directions[0]?.latencyUs.max ?? -1)));
    expect(result.fairness?.abJain).toBeGreaterThan(0.9);
    expect(result.fairness?.baJain).toBeGreaterThan(0.9);
  });

  it('under real overload the server socket drops, and its drop counter equals the loss over all clients', async () => {
    const n = 3;
    // A 4 KiB receive buffer on every socket: 1400-byte datagrams from three clients at 8k/s each overflow the server's.
    const cfg = localConfig({ threads, clients: n, sizeBytes: 1400, rateAbPps: 8000, rateBaPps: 1000, durationSeconds: 1, rcvbufBytes: 4096 });
    // The comparison needs every client's end marker, and the overflowing socket can drop all five spaced
    // copies of one when the machine is busy (seen once in a full parallel suite): the run then says so
    // (no end marker, lostBySequence null), which is right, but decides nothing here: run again, at most 3 times.
    let result = await runDuplex(cfg);
    for (let i = 1; i < 3 && result.directions[0]?.endMarkerSeen !== true; i++) result = await runDuplex(cfg);
    expect(result.complete).toBe(true);
    const aggUp = result.directions[0] as DirectionResult;
    expect(aggUp.endMarkerSeen, 'no run of 3 got every end marker through').toBe(true);
    expect(aggUp.lost).toBeGreaterThan(0);
    expect(aggUp.check.lostBySequence).toBe(aggUp.lost);
    expectServerDropsExplained(aggUp, n);
    expect(aggUp.lossAttribution?.network).toBe(0);
  });
});

describe('--clients 16 at heavy overload (16 × 6k/s of 64 B into 4 KiB buffers, split threads)', () => {
  it('the server sockets\' drop counter still equals the loss over all clients, however late a starved client\'s warm-up runs', async () => {
    // Before the drops were counted from bind (less the warm-up that never arrived), this load made
    // starved client threads send warm-up after the measure-start baseline: 26–125 more drops than losses.
    const n = 16;
    const result = await runDuplex(localConfig({ threads: 'split', clients: n, sizeBytes: 64, rateAbPps: 6000, rateBaPps: 500, durationSeconds: 1, rcvbufBytes: 4096 }));
    const aggUp = result.directions[0] as DirectionResult;
    expect(aggUp.lost).toBeGreaterThan(0);
    if (aggUp.endMarkerSeen) expectServerDropsExplained(aggUp, n);
    else expect(aggUp.check.agree).toBe(false);
  }, 60_000);
});
