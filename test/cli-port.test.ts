import { describe, expect, it } from 'vitest';
import { expectDropsExplained } from './helpers.js';
import { freePort, runCli } from './cli.js';

describe('--port N', () => {
  it('binds endpoint A to N and B to N+1, and --json prints the whole result', async () => {
    // N+1 may be taken by someone else: try a few free ports.
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      if (port >= 65535) continue;
      const r = await runCli(['duplex', '--port', String(port), '--duration', '1', '--rate', '2k', '--json', '--no-save', '--no-progress']);
      if (r.code === 2 && /--port/.test(r.stderr)) continue;
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.endpoints.map((e: { port: number }) => e.port)).toEqual([port, port + 1]);
      for (const key of ['schemaVersion', 'tool', 'startedAt', 'complete', 'mode', 'config', 'environment', 'endpoints', 'directions']) expect(result).toHaveProperty(key);
      for (const key of ['net.core.rmem_max', 'net.core.wmem_max', 'net.core.rmem_default', 'net.core.wmem_default', 'net.core.netdev_max_backlog', 'net.ipv4.udp_mem']) {
        expect(result.environment.sysctls).toHaveProperty([key]);
      }
      for (const d of result.directions) {
        for (const key of ['from', 'to', 'sent', 'received', 'lost', 'duplicates', 'reordered', 'foreign', 'lossPercent', 'sendErrors', 'kernelDrops', 'lossAttribution', 'sentPps', 'receivedPps', 'bitsPerSecond', 'jitterMs', 'latencyUs', 'intervals', 'offeredPps', 'undersent', 'check']) {
          expect(d).toHaveProperty(key);
        }
        // The wire's sequence numbers and the socket's drop counter agree with the loss.
        expect(d.check.lostBySequence).toBe(d.lost);
        expectDropsExplained(d);
        expect(d.check.agree).toBe(true);
        expect(d.offeredPps).toBe(2000);
      }
      return;
    }
    throw new Error('no free port pair found in 5 attempts');
  });
});
