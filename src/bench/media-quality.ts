/**
 * The media figures of a direction, from what its receiver reported: the RTP
 * stream's RFC 3550 figures, the RFC 3611 loss shape, the late discard of
 * fixed-delay jitter buffers and, for voice, the ITU-T G.107 E-model's R and
 * MOS at each playout delay. Pure: merge.ts and result-envelope.ts call it.
 */
import type { DirectionKey, DirectionResult, LossShapeResult, PlayoutResult, RtpResult, RunConfig, VoiceCodec, VoiceQualityResult } from '../result/types.js';
import type { LateCounts } from '../udp/late.js';
import type { LossShape } from '../udp/loss-shape.js';
import type { RtpReceive, WireFormat } from '../udp/rtp.js';
import type { RtcpIn } from '../udp/rtcp-agent.js';
import { profileOfPayloadType } from '../udp/rtp.js';
import { CODECS, mouthToEarDelayMs, rFactor } from './emodel.js';
import { DEFAULT_CODEC, DEFAULT_MAX_LATE_PERCENT, DEFAULT_PLAYOUT_MS } from './defaults.js';

/** The playout delays and late share a run's receivers report at. */
export function playoutOf(cfg: Pick<RunConfig, 'playoutMs' | 'maxLatePercent'>): { playoutMs: number[]; maxLatePercent: number } {
  return { playoutMs: [...(cfg.playoutMs ?? DEFAULT_PLAYOUT_MS)], maxLatePercent: cfg.maxLatePercent ?? DEFAULT_MAX_LATE_PERCENT };
}

/** A worker's wire option: present only for RTP (absent is our own framing). */
export function wireOf(w: WireFormat | undefined): { wire?: WireFormat } {
  return w === 'rtp' ? { wire: 'rtp' } : {};
}

/** The RTP figures of a direction, in ms. */
export function rtpResultOf(r: RtpReceive, rtcpPackets: number, peer: RtcpIn | null): RtpResult {
  const ms = (ts: number): number => (r.clockRate > 0 ? (ts / r.clockRate) * 1000 : 0);
  return {
    ssrc: r.ssrc,
    payloadType: r.payloadType,
    encoding: profileOfPayloadType(r.payloadType).encoding,
    clockRate: r.clockRate,
    packets: r.packets,
    expected: r.expected,
    cumulativeLost: r.expected - r.packets,
    seqErrors: r.seqErrors,
    jitterMs: ms(r.jitter),
    jitterMeanMs: ms(r.jitterMean),
    jitterMaxMs: ms(r.jitterMax),
    rtcpPackets,
    receiverReport:
      peer === null || peer.last === null
        ? null
        : { reports: peer.receiverReports, fractionLostPercent: (peer.last.fractionLost / 256) * 100, cumulativeLost: peer.last.cumulativeLost, extendedHighestSeq: peer.last.extendedHighestSeq, jitterMs: ms(peer.last.jitter) },
  };
}

/** The loss shape with durations in ms (`intervalMs`: the mean time between datagrams sent; `null` unknown). */
export function lossShapeResultOf(s: LossShape, intervalMs: number | null, reordered: number): LossShapeResult {
  const ms = (packets: number | null): number | null => (packets === null || intervalMs === null ? null : packets * intervalMs);
  return {
    gmin: s.gmin,
    burstDensity: s.burstDensity,
    gapDensity: s.gapDensity,
    meanBurstMs: ms(s.meanBurstPackets),
    meanGapMs: ms(s.meanGapPackets),
    bursts: s.bursts,
    burstR: s.burstR,
    reordered,
  };
}

/** Late discard per playout delay (R and MOS are added for voice by {@link withVoiceQuality}). */
export function playoutResultOf(l: LateCounts, lost: number | null, sent: number | null): PlayoutResult {
  return {
    baseDelayMs: l.baseUs / 1000,
    maxLatePercent: l.maxLatePercent,
    datagrams: l.datagrams,
    neededMs: l.neededMs,
    neededLateDatagrams: l.lateAtNeeded,
    rows: l.playoutMs.map((playoutMs, i) => {
      const late = l.lateDatagrams[i] ?? 0;
      const lateFrames = l.lateFrames?.[i];
      return {
        playoutMs,
        lateDatagrams: late,
        latePercent: l.datagrams > 0 ? (late / l.datagrams) * 100 : 0,
        lateFramesPercent: lateFrames === undefined || l.frames === null || l.frames === 0 ? null : (lateFrames / l.frames) * 100,
        lossAndLatePercent: lost === null || sent === null || sent <= 0 ? null : (Math.min(sent, Math.max(0, lost) + late) / sent) * 100,
        r: null,
        mos: null,
      };
    }),
  };
}

/** The one-way network delay the E-model uses, ms: the smallest measured (playout counts from it), or half the median round trip. */
function networkDelayOf(d: DirectionResult): { ms: number; source: VoiceQualityResult['delaySource'] } | null {
  if (d.playout != null) return { ms: d.playout.baseDelayMs, source: 'one-way' };
  const rtt = d.rttUs?.p50 ?? null;
  return rtt === null ? null : { ms: rtt / 2000, source: 'half-rtt' };
}

/**
 * Voice directions: R and MOS (ITU-T G.107) at each playout delay, and the
 * estimate at the needed one. Loss is the direction's loss and late discard
 * together (G.107 §7.4: Ppl counts every packet the decoder does not get),
 * with the measured burst ratio. Does nothing for other directions.
 */
export function withVoiceQuality(given: DirectionResult, cfg: RunConfig): DirectionResult {
  const key: DirectionKey = given.from === 'A' ? 'ab' : 'ba';
  const pattern = key === 'ab' ? cfg.patternAb : cfg.patternBa;
  if (pattern?.kind !== 'voice' || given.sent === null || given.lost === null || given.sent <= 0) return given;
  const d: DirectionResult & { sent: number; lost: number } = { ...given, sent: given.sent, lost: given.lost };
  if (d.playout != null) d.playout = { ...d.playout, rows: d.playout.rows.map((row) => ({ ...row })) };
  const codec: VoiceCodec = cfg.codec ?? (DEFAULT_CODEC as VoiceCodec);
  // No transition between received and lost (no loss): the burst ratio cannot be told and does not matter (G.107: 1 is random).
  const measuredBurstR = d.lossShape?.burstR ?? null;
  const burstR = measuredBurstR !== null && measuredBurstR > 0 ? measuredBurstR : 1;
  const net = networkDelayOf(d);
  if (net === null) return d;
  const judge = (playoutMs: number, lossPercent: number): { r: number; mos: number; mouthToEarMs: number } => {
    const mouthToEarMs = mouthToEarDelayMs({ networkOneWayMs: net.ms, playoutDelayMs: playoutMs, codec });
    const e = rFactor({ mouthToEarDelayMs: mouthToEarMs, lossPercent: Math.min(100, Math.max(0, lossPercent)), burstR, codec });
    return { r: e.r, mos: e.mos, mouthToEarMs };
  };
  const lossPercent = (d.lost / d.sent) * 100;
  if (d.playout != null) {
    for (const row of d.playout.rows) {
      const e = judge(row.playoutMs, row.lossAndLatePercent ?? lossPercent);
      row.r = e.r;
      row.mos = e.mos;
    }
  }
  // The estimate at the playout delay that gives the highest R, of those reported and the needed one: a longer
  // buffer trades late discard for delay (G.107 weighs both). Without one-way delay the late share is unknown: loss alone.
  const candidates: { playoutMs: number; late: number }[] = [];
  if (d.playout != null) {
    candidates.push({ playoutMs: d.playout.neededMs, late: d.playout.neededLateDatagrams });
    for (const row of d.playout.rows) candidates.push({ playoutMs: row.playoutMs, late: row.lateDatagrams });
  } else candidates.push({ playoutMs: 0, late: 0 });
  let best: { playoutMs: number; effective: number; e: ReturnType<typeof judge> } | null = null;
  for (const c of candidates) {
    const effective = (Math.min(d.sent, Math.max(0, d.lost) + c.late) / d.sent) * 100;
    const e = judge(c.playoutMs, effective);
    if (best === null || e.r > best.e.r || (e.r === best.e.r && c.playoutMs < best.playoutMs)) best = { playoutMs: c.playoutMs, effective, e };
  }
  const { playoutMs, effective, e } = best as NonNullable<typeof best>;
  d.voice = {
    codec,
    ie: CODECS[codec].ie,
    bpl: CODECS[codec].bpl,
    playoutMs,
    networkDelayMs: net.ms,
    delaySource: net.source,
    mouthToEarMs: e.mouthToEarMs,
    effectiveLossPercent: effective,
    burstR,
    r: e.r,
    mos: e.mos,
  };
  return d;
}
