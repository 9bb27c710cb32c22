/**
 * Real loopback runs of the real-time patterns: real sockets, real worker
 * threads, the kernel's own drop counters as the independent witness.
 */
import { describe, expect, it } from 'vitest';
import { runDuplex } from '../src/bench/run.js';
import { patternConfigOf } from '../src/bench/patterns.js';
import type { PatternConfig } from '../src/result/types.js';
import { expectChecked, localConfig } from './helpers.js';

const voice = patternConfigOf({ kind: 'voice', sizeBytes: 160, intervalUs: 20_000 }, 3);
const video = patternConfigOf({ kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 2.5e6, keyframeIntervalSeconds: 1, keyframeRatio: 5, seed: 7 }, 3);
const pps = (p: PatternConfig): number => (p.kind === 'cbr' ? 0 : p.offered.datagramsPerSecond);

describe('real-time patterns on loopback', () => {
  it('voice one way and video the other: every frame counted by sender, end marker and receiver', async () => {
    const r = await runDuplex(localConfig({ durationSeconds: 3, sizeBytes: 160, patternAb: voice, patternBa: video, rateAbPps: pps(voice), rateBaPps: pps(video), rateAbText: 'voice', rateBaText: 'video' }));
    expectChecked(r);
    const [ab, ba] = r.directions;
    // 3 s of 20 ms voice: 150 frames of one datagram; 3 s of 30 fps video: 90 frames.
    expect(ab?.frames?.sent).toBeGreaterThanOrEqual(149);
    expect(ab?.frames?.sent).toBeLessThanOrEqual(151);
    expect(ab?.sent).toBe(ab?.frames?.sent);
    expect(ba?.frames?.sent).toBeGreaterThanOrEqual(89);
    expect(ba?.frames?.sent).toBeLessThanOrEqual(91);
    for (const d of r.directions) {
      expect(d.frames?.sentByEndMarker).toBe(d.frames?.sent);
      // No datagram lost (kernel drops 0 by expectChecked): every frame complete.
      if (d.lost === 0) expect(d.frames?.complete).toBe(d.frames?.sent);
      expect(d.frames?.delayUs.p50).not.toBeNull();
      expect(d.pacingErrorUs?.per).toBe('datagram');
      expect(d.rxQueuePeak?.bytes).toBeGreaterThan(0);
    }
    // A key frame is ratio × a delta frame: the burst says so.
    expect(ba?.frames?.burst?.datagramsMax).toBeGreaterThan(3 * (ba?.frames?.burst?.datagramsP50 ?? 0));
    expect(r.config.patternAb?.kind).toBe('voice');
  }, 30_000);

  it('a receive buffer smaller than a key frame loses frames, and the kernel counted every lost datagram', async () => {
    const r = await runDuplex(localConfig({ durationSeconds: 3, sizeBytes: 1200, patternAb: video, patternBa: video, rateAbPps: pps(video), rateBaPps: pps(video), rcvbufBytes: 4096 }));
    expectChecked(r);
    for (const d of r.directions) {
      const f = d.frames;
      expect(f).not.toBeNull();
      expect(f?.incomplete).toBeGreaterThan(0);
      // Each lost frame lost at least one datagram, and the receiving socket's drop counter saw every lost datagram.
      expect(f?.incomplete).toBeLessThanOrEqual(d.check.kernelDrops as number);
      expect(d.lossAttribution?.kernel).toBe(d.lost);
      expect(f?.sentByEndMarker).toBe(f?.sent);
      // The queue never held more than the buffer (plus the one datagram the kernel lets over it).
      const q = d.rxQueuePeak;
      expect(q?.bytes).toBeGreaterThan(0);
      expect(q?.bytes).toBeLessThanOrEqual((q?.rcvbufEffectiveBytes ?? 0) + (q?.truesizeBytes ?? 65536));
    }
  }, 30_000);

  it('--stall: the receivers take the stalls asked for, and frames wait for them', async () => {
    const r = await runDuplex(localConfig({ durationSeconds: 3, sizeBytes: 1200, patternAb: video, patternBa: video, rateAbPps: pps(video), rateBaPps: pps(video), rcvbufBytes: 4 * 1024 * 1024, stall: { ms: 60, everySeconds: 1 } }));
    expectChecked(r);
    for (const d of r.directions) {
      expect(d.stalls?.count).toBe(3);
      expect(d.stalls?.maxMs).toBeGreaterThanOrEqual(59);
      // With a buffer that holds the stall's traffic nothing is lost, but a frame sent during a stall waits for its end.
      expect(d.frames?.complete).toBe(d.frames?.sent);
      expect(d.frames?.delayUs.max).toBeGreaterThanOrEqual(30_000);
    }
  }, 30_000);
});
