import { describe, expect, it } from 'vitest';
import { checkLimits } from '../src/bench/listen.js';
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
