import { describe, expect, it } from 'vitest';
import { busyReason, checkAggregate, checkLimits } from '../src/bench/listen-limits.js';
import { SessionTable } from '../src/bench/listen-sessions.js';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

const params = { sizeBytes: 200, rateAbPps: 10_000, rateBaPps: 10_000, durationSeconds: 5, omitSeconds: 0, rcvbufBytes: null, sndbufBytes: null, peerTimeoutSeconds: 3 };

describe('listener limits', () => {
  it('accepts what is within --max-rate and --max-duration, and names what is not', () => {
    const limits = { maxRatePps: 20_000, maxDurationSeconds: 10, family: 4 as const };
    expect(checkLimits(params, limits)).toBeNull();
    expect(checkLimits({ ...params, rateBaPps: 30_000 }, limits)).toMatch(/rate B→A 30000 .*--max-rate 20000/);
    expect(checkLimits({ ...params, rateAbPps: null }, limits)).toMatch(/"max" exceeds/);
    expect(checkLimits({ ...params, durationSeconds: 9, omitSeconds: 2 }, limits)).toMatch(/duration 11 s exceeds .*--max-duration 10 s/);
    expect(checkLimits({ ...params, sizeBytes: 70_000 }, { ...limits, maxRatePps: null })).toMatch(/size 70000/);
  });

  it('caps the sum of the running sessions\' rates per direction at --max-rate', () => {
    const s = (ab: number, ba: number) => ({ ...params, rateAbPps: ab, rateBaPps: ba });
    // Nothing running: only the per-session check applies.
    expect(checkAggregate(s(20_000, 20_000), [], 20_000)).toBeNull();
    // Exactly at the cap is allowed; one over is not, in either direction, naming what runs.
    expect(checkAggregate(s(5_000, 1_000), [s(10_000, 1_000), s(5_000, 1_000)], 20_000)).toBeNull();
    expect(checkAggregate(s(5_001, 1_000), [s(10_000, 1_000), s(5_000, 1_000)], 20_000)).toBe(
      "rate A→B 5001 datagrams/s on top of the 15000 of the 2 sessions running exceeds this listener's --max-rate 20000 datagrams/s (the sum over its sessions)",
    );
    expect(checkAggregate(s(1_000, 12_000), [s(1_000, 9_000)], 20_000)).toMatch(/^rate B→A 12000 datagrams\/s on top of the 9000 of the 1 session running exceeds/);
    // A direction switched off (0) adds nothing; no limit, no refusal.
    expect(checkAggregate(s(0, 1_000), [s(20_000, 1_000)], 20_000)).toBeNull();
    expect(checkAggregate(s(1e9, 1e9), [s(1e9, 1e9)], null)).toBeNull();
  });

  it('says how many sessions run when busy, in the singular for one', () => {
    expect(busyReason(1, 1)).toBe("1 session running (this listener's --max-clients is 1)");
    expect(busyReason(16, 16)).toBe("16 sessions running (this listener's --max-clients is 16)");
  });

  it('keys sessions by client address and port, and lingers per client and session id', () => {
    const t = new SessionTable<{ id: number; client: { address: string; port: number } }>();
    const a = { id: 1, client: { address: '127.0.0.1', port: 4000 } };
    const b = { id: 2, client: { address: '127.0.0.1', port: 4001 } };
    const v6 = { id: 3, client: { address: '::1', port: 4000 } };
    t.add(a);
    t.add(b);
    t.add(v6);
    expect(t.size).toBe(3);
    expect(t.get({ address: '127.0.0.1', port: 4001 })).toBe(b);
    expect(t.get({ address: '127.0.0.2', port: 4000 })).toBeUndefined();
    expect(() => t.add({ id: 9, client: { address: '127.0.0.1', port: 4000 } })).toThrow(/already running/);
    t.remove({ id: 9, client: a.client }); // not the entry of that client: nothing happens
    expect(t.size).toBe(3);
    t.remove(a);
    expect(t.values()).toEqual([b, v6]);
    t.linger(a, 5e9, 0);
    expect(t.lingers(a.client, 1, 4e9)).toBe(true);
    expect(t.lingers(a.client, 2, 4e9)).toBe(false); // another session id of the same client
    expect(t.lingers(b.client, 1, 4e9)).toBe(false);
    expect(t.lingers(a.client, 1, 5e9)).toBe(false); // the linger is over
  });

  it('refuses a client over the limit with a reason the client prints', async () => {
    const l = await startListener(['--max-rate', '5k', '--max-duration', '2']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--rate', '8k', '--duration', '1', '--no-save']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^bench: the listener refused: rate A→B 8000 datagrams\/s exceeds this listener's --max-rate 5000 datagrams\/s$/m);
      await l.waitFor(/refused 127\.0\.0\.1:\d+: rate A→B 8000/);
    } finally {
      await l.stop();
    }
  });
});
