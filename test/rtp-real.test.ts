/**
 * `--wire rtp` on loopback with real sockets and worker threads, and the
 * media figures under real loss: a receive buffer smaller than a video key
 * frame overflows, and the kernel's own drop counter is the witness that the
 * RTP view, the loss shape and the late-discard table describe the same loss.
 */
import { describe, expect, it } from 'vitest';
import { runDuplex } from '../src/bench/run.js';
import { patternConfigOf } from '../src/bench/patterns.js';
import type { DirectionResult, PatternConfig } from '../src/result/types.js';
import { expectChecked, localConfig } from './helpers.js';
import { runCli } from './cli.js';
import { formatDuplexTable } from '../src/report/table.js';
import { formatDuplexMarkdown } from '../src/report/markdown.js';
import { formatDuplexCsv } from '../src/report/csv.js';
import { renderChart } from '../src/report/render.js';

const voice = patternConfigOf({ kind: 'voice', sizeBytes: 172, intervalUs: 20_000 }, 3);
const video = patternConfigOf({ kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 2.5e6, keyframeIntervalSeconds: 1, keyframeRatio: 5, seed: 7 }, 3);
const pps = (p: PatternConfig): number => (p.kind === 'cbr' ? 0 : p.offered.datagramsPerSecond);

function rtpOf(d: DirectionResult | undefined): NonNullable<DirectionResult['rtp']> {
  expect(d?.rtp).toBeTruthy();
  return d?.rtp as NonNullable<DirectionResult['rtp']>;
}

describe('--wire rtp on loopback', () => {
  it('voice both ways: the RTP view counts what our sequence numbers count, RTCP reports arrive, R and MOS are G.107 figures for a clean path', async () => {
    const r = await runDuplex(localConfig({ durationSeconds: 3, sizeBytes: 172, patternAb: voice, patternBa: voice, rateAbPps: pps(voice), rateBaPps: pps(voice), rateAbText: 'voice', rateBaText: 'voice', wireAb: 'rtp', wireBa: 'rtp', codec: 'g711' }));
    expectChecked(r);
    for (const d of r.directions) {
      const rtp = rtpOf(d);
      expect(rtp.payloadType).toBe(0);
      expect(rtp.clockRate).toBe(8000);
      // The RTP view sees every datagram our receiver counted, duplicates included.
      expect(rtp.packets).toBe((d.received ?? 0) + (d.duplicates ?? 0));
      expect(rtp.cumulativeLost).toBe(0);
      expect(rtp.seqErrors).toBe(0);
      expect(rtp.receiverReport?.cumulativeLost).toBe(0);
      expect(rtp.receiverReport?.reports).toBeGreaterThanOrEqual(2);
      // A clean loopback path: G.711 with at most one late datagram in 150 stays near the default R (93.2).
      expect(d.voice?.codec).toBe('g711');
      expect(d.voice?.r).toBeGreaterThan(88);
      expect(d.voice?.r).toBeLessThan(93.3);
      expect(d.voice?.mos).toBeGreaterThan(4.2);
      // More playout delay never makes more datagrams late.
      const rows = d.playout?.rows ?? [];
      expect(rows.length).toBe(7);
      for (let i = 1; i < rows.length; i++) expect(rows[i]?.lateDatagrams).toBeLessThanOrEqual(rows[i - 1]?.lateDatagrams ?? 0);
    }
    // Every printer shows it: the table at 80 columns, Markdown, CSV, the chart's MOS panel.
    const table = formatDuplexTable(r, { width: 80 });
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(table).toContain('jitter buffer A→B:');
    expect(table).toContain('planning estimate');
    expect(formatDuplexMarkdown(r)).toContain('**Media quality**');
    const csv = formatDuplexCsv(r).split('\r\n');
    const header = (csv[0] ?? '').split(',');
    const mos = header.indexOf('mos');
    expect(mos).toBeGreaterThan(0);
    expect(Number((csv[1] ?? '').split(',')[mos])).toBeCloseTo(r.directions[0]?.voice?.mos ?? 0, 6);
    expect(renderChart(r)).toContain('MOS against jitter-buffer playout delay');
  }, 30_000);

  it('video into a 4 KiB receive buffer: the kernel dropped what we lost, the RTP view sees the same loss between first and last packet, and the loss is bursty', async () => {
    const r = await runDuplex(localConfig({ durationSeconds: 3, sizeBytes: 1200, patternAb: video, patternBa: video, rateAbPps: pps(video), rateBaPps: pps(video), rcvbufBytes: 4096, wireAb: 'rtp', wireBa: 'rtp' }));
    expectChecked(r);
    const lossy = r.directions.filter((d) => (d.lost ?? 0) > 0);
    expect(lossy.length).toBeGreaterThan(0);
    for (const d of r.directions) {
      const rtp = rtpOf(d);
      expect(rtp.packets).toBe((d.received ?? 0) + (d.duplicates ?? 0));
      // RFC 3550 cannot see a loss before the first or after the last packet: never more than ours.
      expect(rtp.cumulativeLost).toBeLessThanOrEqual(d.lost ?? 0);
      expect(rtp.cumulativeLost).toBeGreaterThanOrEqual(0);
    }
    for (const d of lossy) {
      // The kernel's count (expectChecked: kernel drops = lost) and the loss shape's count agree.
      const s = d.lossShape;
      expect(s).toBeTruthy();
      // A key frame overflowing the buffer loses a run of datagrams: bursts, and far denser than the gaps.
      expect(s?.bursts).toBeGreaterThan(0);
      expect(s?.burstDensity ?? 0).toBeGreaterThan(s?.gapDensity ?? 1);
      expect(s?.burstR ?? 0).toBeGreaterThan(1);
      // Frames lost whole or in part are counted as frames; the loss-and-late share includes them.
      for (const row of d.playout?.rows ?? []) expect(row.lossAndLatePercent ?? 0).toBeGreaterThanOrEqual(d.lossPercent ?? 0);
    }
  }, 30_000);
});

describe('--wire rtp with --clients', () => {
  it('each client\'s two directions are RTP streams with their own SSRC, RTCP reports and voice estimate; the sums have none', async () => {
    const r = await runCli(['duplex', '--clients', '2', '--wire', 'rtp', '--pattern', 'voice', '--duration', '2', '--json', '--no-save', '--no-progress'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const ssrcs = new Set<number>();
    for (const p of result.peers) {
      for (const d of p.directions) {
        expect(d.rtp.packets).toBe(d.received + d.duplicates);
        expect(d.rtp.cumulativeLost).toBeLessThanOrEqual(d.lost);
        expect(d.rtp.receiverReport?.reports).toBeGreaterThanOrEqual(1);
        expect(d.voice.mos).toBeGreaterThan(1);
        ssrcs.add(d.rtp.ssrc);
      }
    }
    expect(ssrcs.size).toBe(4);
    // The sums over clients are not one stream: no RTP view, no estimate.
    for (const d of result.directions) {
      expect(d.rtp ?? null).toBeNull();
      expect(d.voice ?? null).toBeNull();
    }
  }, 40_000);
});

describe('--wire and the media options on the command line', () => {
  it.each([
    [['--wire', 'srtp'], '--wire'],
    [['--wire', 'rtp', '--size', '40'], '--size'],
    [['--wire-ab', 'rtp', '--pattern', 'voice', '--size', '50'], '--size'],
    [['--codec', 'opus'], '--codec'],
    [['--playout', '20,abc'], '--playout'],
    [['--playout', '-5'], '--playout'],
    [['--max-late', '100'], '--max-late'],
  ])('%j: one line naming %s, exit 2', async (args, option) => {
    const r = await runCli(['duplex', '--duration', '1', ...args]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(option);
  });
});
