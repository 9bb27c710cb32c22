/**
 * `--server-receivers K` (issue 24, part 5): the `--clients N` server binds K
 * receiver sockets to its one port as an SO_REUSEPORT group, each in its own
 * thread. On Node before 22.12 the option is refused with one line; from
 * 22.12 (CI's Node 24 pass) the run is checked against the kernel: the
 * port's socket table, its drop counters under real overload, and the
 * per-client sequence accounting merged over the receivers.
 */
import { describe, expect, it } from 'vitest';
import { runDuplex } from '../src/bench/run.js';
import { resolveServerReceivers } from '../src/bench/clients.js';
import { mergeShardReceivers } from '../src/bench/shards.js';
import { readPortDrops } from '../src/udp/kernel.js';
import { reusePortSupport } from '../src/udp/socket.js';
import { localConfig } from './helpers.js';
import { runCli } from './cli.js';
import type { ReceiverPartial } from '../src/bench/messages.js';
import type { DirectionResult } from '../src/result/types.js';

const SUPPORT = reusePortSupport();

describe('resolveServerReceivers: when K > 1 is possible, and the default', () => {
  const base = { clients: 4, threads: 'split', family: 4, remote: false, support: { ok: true } } as const;
  it('defaults to the cores the clients leave free, at least 1, at most the clients', () => {
    expect(resolveServerReceivers({ ...base, requested: null, cores: 2 })).toEqual({ ok: true, k: 1 });
    expect(resolveServerReceivers({ ...base, requested: null, cores: 12 })).toEqual({ ok: true, k: 3 });
    expect(resolveServerReceivers({ ...base, requested: null, cores: 64 })).toEqual({ ok: true, k: 4 });
    // Wherever K > 1 would be refused, the default is 1 (never a refusal for an option not given).
    expect(resolveServerReceivers({ ...base, requested: null, cores: 64, support: { ok: false, reason: 'old' } })).toEqual({ ok: true, k: 1 });
    expect(resolveServerReceivers({ ...base, requested: null, cores: 64, family: 6 })).toEqual({ ok: true, k: 1 });
    expect(resolveServerReceivers({ ...base, requested: null, cores: 64, threads: 'single' })).toEqual({ ok: true, k: 1 });
  });
  it('refuses K > 1 with the reason, and always accepts 1', () => {
    const no = (x: Partial<Parameters<typeof resolveServerReceivers>[0]>): string => {
      const r = resolveServerReceivers({ ...base, requested: 2, ...x });
      return r.ok ? 'accepted' : r.reason;
    };
    expect(no({})).toBe('accepted');
    expect(no({ remote: true })).toMatch(/listener .* connected socket/);
    expect(no({ clients: 1 })).toMatch(/--clients 2 or more/);
    expect(no({ threads: 'single' })).toMatch(/--threads split/);
    expect(no({ family: 6 })).toMatch(/IPv4 only/);
    expect(no({ support: { ok: false, reason: 'needs Node 22.12 or newer' } })).toMatch(/22\.12/);
    expect(resolveServerReceivers({ ...base, requested: 1, remote: true, family: 6 })).toEqual({ ok: true, k: 1 });
  });
  it('knows which Node lines have reusePort', () => {
    expect(reusePortSupport('20.20.2', 'linux').ok).toBe(false);
    expect(reusePortSupport('22.11.0', 'linux').ok).toBe(false);
    expect(reusePortSupport('22.12.0', 'linux').ok).toBe(true);
    expect(reusePortSupport('23.0.0', 'linux').ok).toBe(false);
    expect(reusePortSupport('23.1.0', 'linux').ok).toBe(true);
    expect(reusePortSupport('26.0.0', 'linux').ok).toBe(true);
    expect(reusePortSupport('26.0.0', 'darwin').ok).toBe(false);
  });
});

/** A receiver partial with the fields the merge reads; everything else empty. */
function part(x: Partial<ReceiverPartial>): ReceiverPartial {
  return {
    received: 0, duplicates: 0, reordered: 0, late: 0, expected: 0, foreign: 0,
    foreignBy: { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 } as ReceiverPartial['foreignBy'],
    warmupReceived: 0, jitterNs: 0, delay: null, rtt: null, endMarkerSeen: false, end: null, endMarkers: 0, sources: [],
    intervalReceived: [], intervalExpected: [], receivedBytes: 0, intervalDelayMeanUs: [], intervalDelayMaxUs: [], frames: null, stalls: null,
    ...x,
  };
}

describe('mergeShardReceivers: one client over the K receivers', () => {
  it('takes the one receiver that heard the client', () => {
    const heard = part({ received: 90, expected: 100, sources: ['127.0.0.1:5000'], jitterNs: 7 });
    const m = mergeShardReceivers([part({}), heard, null]);
    expect(m).toEqual({ receiver: heard, heardBy: 1, shard: 1 });
  });
  it('adds counts over receivers when the group changed under the run, keeping the larger share\'s timing', () => {
    const a = part({ received: 60, expected: 100, warmupReceived: 5, receivedBytes: 6000, sources: ['x'], jitterNs: 3, intervalReceived: [30, 60], intervalExpected: [50, 100], endMarkers: 5, endMarkerSeen: true });
    const b = part({ received: 30, expected: 95, receivedBytes: 3000, sources: ['x'], jitterNs: 9, intervalReceived: [10], intervalExpected: [45] });
    const m = mergeShardReceivers([b, a]);
    expect(m.heardBy).toBe(2);
    expect(m.shard).toBe(1);
    expect(m.receiver).toMatchObject({ received: 90, expected: 100, warmupReceived: 5, receivedBytes: 9000, sources: ['x'], jitterNs: 3, intervalReceived: [40, 60], intervalExpected: [50, 100], endMarkers: 5, endMarkerSeen: true });
  });
  it('says nobody heard a client no receiver heard', () => {
    expect(mergeShardReceivers([part({}), part({})]).heardBy).toBe(0);
    expect(mergeShardReceivers([null, null])).toEqual({ receiver: null, heardBy: 0, shard: null });
  });
});

describe.skipIf(SUPPORT.ok)(`--server-receivers on ${process.version}`, () => {
  it('is refused with one line and exit 2', async () => {
    const r = await runCli(['duplex', '--clients', '2', '--threads', 'split', '--server-receivers', '2', '--duration', '1', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bench: --server-receivers: needs Node 22\.12 or newer for dgram's reusePort \(this is Node /)]);
    expect(r.stdout).toBe('');
  });
});

describe.skipIf(!SUPPORT.ok)(`--server-receivers 2 on ${process.version}: one port, two receiver threads`, () => {
  it('binds the group on the one port and explains every loss under overload by the kernel\'s drop counters', async () => {
    const n = 16;
    let socketsOnPort: number | null = null;
    // 16 clients × 1.5k/s into 4 KiB receive buffers: the server's sockets overflow (real kernel drops; ~35 % here).
    const cfg = localConfig({ threads: 'split', clients: n, serverReceivers: 2, rateAbPps: 1500, rateBaPps: 300, durationSeconds: 1, rcvbufBytes: 4096 });
    const result = await runDuplex(cfg, {
      onReady: (eps) => {
        const server = eps.find((e) => e.id === 'B');
        if (server !== undefined) socketsOnPort = readPortDrops(server.port, 4)?.sockets ?? null;
      },
    });
    expect(result.complete).toBe(true);
    expect(result.config.serverReceivers).toBe(2);
    // The kernel's table: the server's port holds its sender socket and the two receivers, nothing else.
    expect(socketsOnPort).toBe(3);
    const server = result.endpoints.find((e) => e.id === 'B');
    const receivers = server?.cpu.filter((c) => c.thread.startsWith('receiver')) ?? [];
    expect(receivers).toHaveLength(2);
    // 16 clients hashed over 2 sockets: both get some (all on one has odds 2^-15).
    for (const r of receivers) expect(r.receivedDatagrams).toBeGreaterThan(0);
    expect(server?.leaked).toBe(0);
    const [up] = result.directions as [DirectionResult, DirectionResult];
    // Real overload: the kernel dropped, and each drop is a sequence number some client's row is missing.
    expect(up.kernelDrops ?? 0).toBeGreaterThan(0);
    expect(up.check.lostBySequence).toBe(up.lost);
    expect(up.check.agree, up.check.note ?? '').toBe(true);
    const sumLost = (result.peers ?? []).reduce((s, p) => s + ((p.directions[0] as DirectionResult).lost ?? NaN), 0);
    expect(sumLost).toBe(up.lost);
    // Every client's end marker reached whichever receiver its datagrams hash to.
    for (const p of result.peers ?? []) expect((p.directions[0] as DirectionResult).endMarkerSeen).toBe(true);
  }, 60_000);
});
