import { describe, expect, it } from 'vitest';
import { expectDropsExplained } from './helpers.js';
import { runCli } from './cli.js';

describe('a sender that cannot reach the offered rate', () => {
  it('is reported undersent per direction, with a warning naming the offered and the achieved rate', async () => {
    // 2M datagrams/s per direction is far above what node:dgram can emit on this kind of machine
    // (about 0.1M): the senders' own kernel-accepted counts show the shortfall.
    const r = await runCli(['duplex', '--rate', '2Mpps', '--size', '64', '--duration', '1', '--json', '--no-save', '--no-progress']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    for (const d of result.directions) {
      expect(d.offeredPps).toBe(2_000_000);
      expect(d.sentPps).toBeLessThan(0.95 * 2_000_000);
      expect(d.undersent).toBe(true);
      // Loss at the rate actually sent is still checked independently.
      expect(d.check.lostBySequence).toBe(d.lost);
      expectDropsExplained(d);
    }
    const warned = result.warnings.filter((w: { code: string }) => w.code === 'undersent').map((w: { direction: string }) => w.direction);
    expect(warned.sort()).toEqual(['A→B', 'B→A']);
    const lines = r.stderr.split('\n').filter((l) => /undersent/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/offered 2,000,000\/s, sent [\d,]+\/s/);
  });

  it('a sender that keeps up is not undersent, and nothing warns', async () => {
    const r = await runCli(['duplex', '--rate', '2k', '--duration', '1', '--json', '--no-save', '--no-progress']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    for (const d of result.directions) expect(d.undersent).toBe(false);
    expect(r.stderr).not.toMatch(/undersent/);
  });

  it('an unpaced run (max) has no offered rate and is never undersent', async () => {
    const r = await runCli(['duplex', '--rate', 'max', '--duration', '0.5', '--json', '--no-save', '--no-progress']);
    const result = JSON.parse(r.stdout);
    for (const d of result.directions) {
      expect(d.offeredPps).toBeNull();
      expect(d.undersent).toBe(false);
    }
  });
});

describe('rates that would measure nothing', () => {
  it.each([['1bit'], ['0.001'], ['0.5']])('--rate %s is refused with one line, exit 2', async (rate) => {
    const r = await runCli(['duplex', '--rate', rate, '--duration', '1', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/below one datagram per second/);
  });

  it('a rate that sends less than one datagram in the duration is refused', async () => {
    const r = await runCli(['duplex', '--rate', '1', '--duration', '0.5', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/less than one datagram/);
  });
});
