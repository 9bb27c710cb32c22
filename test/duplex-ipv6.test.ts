import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { expectChecked, localConfig } from './helpers.js';

const hasIpv6Loopback = Object.values(os.networkInterfaces()).some((addrs) => (addrs ?? []).some((a) => a.address === '::1'));

describe.skipIf(!hasIpv6Loopback)('local duplex over IPv6 loopback', () => {
  it('runs on ::1, reads the IPv6 kernel counters, and conserves datagrams', async () => {
    const result = await runLocalDuplex(localConfig({ host: '::1', family: 6, rateAbPps: 2000, rateBaPps: 2000, durationSeconds: 1 }));
    expect(result.complete).toBe(true);
    expectChecked(result);
    expect(result.endpoints.every((e) => e.address === '::1')).toBe(true);
    expect(result.kernel.source).toBe('/proc/net/snmp6');
    expect(result.directions.every((d) => d.kernelDrops !== null)).toBe(true);
    const [a, b] = result.endpoints;
    expect(a?.peerSources).toEqual([`[::1]:${b?.port}`]);
  });
});
