import { describe, expect, it } from 'vitest';
import { busyReason, checkAggregate, checkLimits, planSession, type RateCap, type SessionPlan } from '../src/bench/listen-limits.js';
import type { NegotiatedParams } from '../src/bench/control.js';
import type { RunConfig } from '../src/result/types.js';
import { PastClients, SessionTable } from '../src/bench/listen-sessions.js';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

const baseConfig = {};
const params: NegotiatedParams = { sizeBytes: 200, rateAbPps: 10_000, rateBaPps: 10_000, durationSeconds: 5, omitSeconds: 0, rcvbufBytes: null, sndbufBytes: null, peerTimeoutSeconds: 3 };

describe('listener limits', () => {
  const cbr = { kind: 'cbr' } as const;
  const config = (patternBa: unknown = cbr, durationSeconds = 5, patternAb: unknown = cbr) => ({ ...baseConfig, durationSeconds, patternAb, patternBa }) as unknown as RunConfig;
  const plan = (p: NegotiatedParams, c: RunConfig = config()): SessionPlan => {
    const out = planSession(p, c);
    if (typeof out === 'string') throw new Error(out);
    return out;
  };
  const pps = (perSecond: number): RateCap => ({ unit: 'datagrams', perSecond });
  const bits = (perSecond: number): RateCap => ({ unit: 'bits', perSecond });

  it('accepts what is within --max-rate and --max-duration, and names what is not', () => {
    const limits = { maxRate: pps(20_000), maxTotalRate: pps(20_000), maxDurationSeconds: 10, family: 4 as const };
    const check = (p: NegotiatedParams, l = limits) => checkLimits(p, plan(p).load, l);
    expect(check(params)).toBeNull();
    expect(check({ ...params, rateBaPps: 30_000 })).toBe("rate B→A 30,000 datagrams/s exceeds this listener's --max-rate 20,000 datagrams/s (per session)");
    expect(check({ ...params, rateAbPps: null })).toMatch(/rate A→B "max" exceeds/);
    expect(check({ ...params, durationSeconds: 9, omitSeconds: 2 })).toMatch(/duration 11 s exceeds .*--max-duration 10 s/);
    expect(check({ ...params, sizeBytes: 70_000 }, { ...limits, maxRate: null })).toMatch(/size 70000/);
  });

  it('caps payload bits per second under a bit cap, at every datagram size (finding: 65,507 B at 31,250/s passed a 10 Mbit/s cap)', () => {
    const limits = { maxRate: bits(10e6), maxTotalRate: bits(10e6), maxDurationSeconds: null, family: 4 as const };
    const p = (sizeBytes: number, rate: number) => ({ ...params, sizeBytes, rateAbPps: 1, rateBaPps: rate });
    // 40 B × 8 × 31,250 = 10 Mbit/s exactly: allowed; the same rate at 1400 B or 65,507 B is not.
    expect(checkLimits(p(40, 31_250), plan(p(40, 31_250)).load, limits)).toBeNull();
    expect(checkLimits(p(1400, 31_250), plan(p(1400, 31_250)).load, limits)).toBe("rate B→A 350 Mbit/s exceeds this listener's --max-rate 10 Mbit/s (per session)");
    expect(checkLimits(p(65_507, 31_250), plan(p(65_507, 31_250)).load, limits)).toMatch(/rate B→A 16.4 Gbit\/s exceeds .*--max-rate 10 Mbit\/s/);
    // The largest datagram at 19/s is 9.96 Mbit/s: within.
    expect(checkLimits(p(65_507, 19), plan(p(65_507, 19)).load, limits)).toBeNull();
  });

  it("counts a pattern's rate from its schedule over the negotiated duration, not the config's (finding: 1 µs voice over 604,800 s read as 16/s)", () => {
    const voice = { kind: 'voice', sizeBytes: 160, intervalMs: 0.001, offered: { datagramsPerSecond: 1, bitsPerSecond: 1, framesPerSecond: 1, maxFrameDatagrams: 1, maxFrameBytes: 160 } };
    const limits = { maxRate: pps(1000), maxTotalRate: pps(1000), maxDurationSeconds: null, family: 4 as const };
    for (const configSeconds of [604_800, 0, 2]) {
      const sp = plan({ ...params, rateAbPps: 100, durationSeconds: 2 }, config(voice, configSeconds));
      expect(sp.load.ba.pps).toBeGreaterThan(900_000);
      expect(sp.params.rateBaPps).toBe(sp.load.ba.pps);
      expect(checkLimits(sp.params, sp.load, limits)).toMatch(/^rate B→A 1,000,000 datagrams\/s exceeds this listener's --max-rate 1,000 datagrams\/s/);
    }
    // A 20 ms voice pattern is 50/s, 160 B: 64 kbit/s of payload, whatever the config's own duration says.
    const ok = plan({ ...params, durationSeconds: 2 }, config({ ...voice, intervalMs: 20 }, 0));
    expect(ok.load.ba.pps).toBe(50);
    expect(ok.load.ba.bitsPerSecond).toBe(64_000);
    expect(Number.isFinite(ok.load.ba.pps)).toBe(true);
    // A trace B→A is refused; A→B voice is counted here too.
    expect(planSession(params, config({ kind: 'trace', file: 'x', rows: 1, periodMs: 1, offered: voice.offered }))).toMatch(/does not replay traces/);
    expect(plan(params, config(cbr, 5, voice)).load.ab.pps).toBeGreaterThan(900_000);
  });

  it('caps the sum over the running sessions per direction at --max-total-rate, and refuses what is not a finite figure', () => {
    const load = (ab: number, ba: number, size = 100) => ({ ab: { pps: ab, bitsPerSecond: ab * size * 8 }, ba: { pps: ba, bitsPerSecond: ba * size * 8 } });
    // Nothing running: the total cap still applies to the session alone.
    expect(checkAggregate(load(20_000, 20_000), [], pps(20_000))).toBeNull();
    expect(checkAggregate(load(20_001, 1), [], pps(20_000))).toMatch(/^rate A→B 20,001 datagrams\/s exceeds this listener's --max-total-rate 20,000/);
    // Exactly at the cap is allowed; one over is not, in either direction, naming what runs.
    expect(checkAggregate(load(5_000, 1_000), [load(10_000, 1_000), load(5_000, 1_000)], pps(20_000))).toBeNull();
    expect(checkAggregate(load(5_001, 1_000), [load(10_000, 1_000), load(5_000, 1_000)], pps(20_000))).toBe(
      "rate A→B 5,001 datagrams/s on top of the 15,000 datagrams/s of the 2 sessions running exceeds this listener's --max-total-rate 20,000 datagrams/s (the sum over its sessions)",
    );
    expect(checkAggregate(load(1_000, 12_000), [load(1_000, 9_000)], pps(20_000))).toMatch(/^rate B→A 12,000 datagrams\/s on top of the 9,000 datagrams\/s of the 1 session running exceeds/);
    // In bits: two 6 Mbit/s sessions under a 10 Mbit/s total.
    expect(checkAggregate(load(1, 7500, 100), [load(1, 7500, 100)], bits(10e6))).toMatch(/B→A 6 Mbit\/s on top of the 6 Mbit\/s .* --max-total-rate 10 Mbit\/s/);
    // A direction switched off (0) adds nothing; no limit, no refusal; NaN and "max" refuse.
    expect(checkAggregate(load(0, 1_000), [load(20_000, 1_000)], pps(21_000))).toBeNull();
    expect(checkAggregate(load(1e9, 1e9), [load(1e9, 1e9)], null)).toBeNull();
    expect(checkAggregate(load(Number.NaN, 1), [], pps(1e6))).toMatch(/an unknown rate/);
    expect(checkAggregate(load(Infinity, 1), [], pps(1e6))).toMatch(/"max"/);
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

  it('remembers the sources of ended sessions for a bounded time and number (their replays are logged)', () => {
    const p = new PastClients(60e9, 2);
    const a = { address: '127.0.0.1', port: 4000 };
    p.ended(a, 0xab, 0);
    expect(p.get(a, 59e9)).toEqual({ id: 0xab, endedAtNs: 0 });
    expect(p.get(a, 60e9)).toBeUndefined(); // forgotten after the cookie lifetime
    expect(p.get({ address: '127.0.0.1', port: 4001 }, 1)).toBeUndefined();
    // At most maxEntries sources: the oldest goes first.
    p.ended({ address: '::1', port: 1 }, 1, 1);
    p.ended({ address: '::1', port: 2 }, 2, 2);
    expect(p.get(a, 3)).toBeUndefined();
    expect(p.get({ address: '::1', port: 2 }, 3)?.id).toBe(2);
  });

  it('refuses a client over the limit with a reason the client prints', async () => {
    const l = await startListener(['--max-rate', '5k', '--max-duration', '2']);
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--rate', '8k', '--duration', '1', '--no-save']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^bench: the listener refused: rate A→B 8,000 datagrams\/s exceeds this listener's --max-rate 5,000 datagrams\/s \(per session\)$/m);
      await l.waitFor(/refused 127\.0\.0\.1:\d+: rate A→B 8,000/);
    } finally {
      await l.stop();
    }
  });
});
