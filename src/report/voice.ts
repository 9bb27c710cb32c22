/**
 * The media-quality figures of a run as the printers show them: the RTP
 * stream as a standard RTP receiver computes it (RFC 3550), the loss shape
 * (RFC 3611 burst/gap, G.113 burst ratio), the jitter-buffer answer (late
 * discard per playout delay, the delay needed) and for voice the E-model's
 * R and MOS (ITU-T G.107, a planning estimate). Shared by the terminal
 * table, the Markdown, the HTML and the chart so all say the same thing.
 * Pure; depends on the result types and format helpers only.
 *
 * Every field is optional (absent in older results): a printer shows a
 * section only when some direction carries one.
 */
import type { DirectionResult, PlayoutResult } from '../result/types.js';
import { NOT_AVAILABLE } from './format.js';
import { directionLabel as label } from './labels.js';

function fixed(v: number | null | undefined, decimals: number): string {
  return v === null || v === undefined ? NOT_AVAILABLE : v.toFixed(decimals);
}

/**
 * Whether a direction's media-quality figures are shown: an RTP stream, a
 * voice estimate or a framed pattern (a `cbr` flood has a loss shape and a
 * jitter-buffer answer in its JSON too, but a media table would be noise there).
 */
export function showsQuality(d: DirectionResult): boolean {
  return d.rtp != null || d.voice != null || d.frames != null;
}

/** Whether any direction has media-quality figures worth a section. */
export function hasQuality(directions: readonly DirectionResult[]): boolean {
  return directions.some(showsQuality);
}

/** The planning label every E-model figure carries. */
export const EMODEL_NOTE = 'R and MOS: ITU-T G.107 E-model, a planning estimate from delay and loss (it does not listen); codec impairments from ITU-T G.113 Appendix I';

/**
 * One row per direction: RFC 3550 jitter of the RTP stream, burst ratio and
 * burst/gap densities, the playout delay needed for the late-share target,
 * and for voice R and MOS at that delay.
 */
export function qualityTableData(directions: readonly DirectionResult[]): { head: string[]; rows: string[][] } | null {
  if (!hasQuality(directions)) return null;
  const head = ['direction', 'RTP\njitter ms', 'burst\nratio', 'burst/gap\ndensity %', 'playout\nneeded ms', 'late %\nat it', 'best\nplayout ms', 'R', 'MOS'];
  const rows = directions.filter(showsQuality).map((d) => {
    const s = d.lossShape;
    const p = d.playout;
    const v = d.voice;
    const densities = s == null || s.burstDensity === null ? NOT_AVAILABLE : `${(s.burstDensity * 100).toFixed(1)}/${((s.gapDensity ?? 0) * 100).toFixed(2)}`;
    return [
      label(d),
      d.rtp == null ? NOT_AVAILABLE : d.rtp.jitterMs.toFixed(2),
      s == null || s.burstR === null ? NOT_AVAILABLE : s.burstR.toFixed(2),
      densities,
      p == null ? NOT_AVAILABLE : p.neededMs.toFixed(1),
      p == null ? NOT_AVAILABLE : neededLatePercent(p).toFixed(2),
      v == null ? NOT_AVAILABLE : v.playoutMs.toFixed(1),
      v == null ? NOT_AVAILABLE : v.r.toFixed(1),
      v == null ? NOT_AVAILABLE : v.mos.toFixed(2),
    ];
  });
  return { head, rows };
}

/** Late share at the needed playout delay, %. */
function neededLatePercent(p: PlayoutResult): number {
  return p.datagrams > 0 ? (p.neededLateDatagrams / p.datagrams) * 100 : 0;
}

/** Per direction with a jitter-buffer answer: one row per playout delay (late %, late frames %, loss + late %, R, MOS). */
export function playoutTableData(d: DirectionResult): { head: string[]; rows: string[][] } | null {
  const p = d.playout;
  if (p == null || p.rows.length === 0 || !showsQuality(d)) return null;
  const voice = p.rows.some((r) => r.r !== null);
  // A voice frame is one datagram: its late frames are its late datagrams.
  const frames = d.voice == null && p.rows.some((r) => r.lateFramesPercent !== null);
  const head = ['playout ms', 'late %', ...(frames ? ['late frames %'] : []), 'loss + late %', ...(voice ? ['R', 'MOS'] : [])];
  const rows = p.rows.map((r) => [
    fixed(r.playoutMs, 0),
    fixed(r.latePercent, 2),
    ...(frames ? [fixed(r.lateFramesPercent, 2)] : []),
    fixed(r.lossAndLatePercent, 2),
    ...(voice ? [fixed(r.r, 1), fixed(r.mos, 2)] : []),
  ]);
  return { head, rows };
}

/** What the figures are and where they came from, a line per direction with figures plus the legend. */
export function qualityNotes(directions: readonly DirectionResult[]): string[] {
  if (!hasQuality(directions)) return [];
  const out: string[] = [];
  for (const d of directions.filter(showsQuality)) {
    const r = d.rtp;
    if (r != null) {
      out.push(
        `RTP ${label(d)}: SSRC 0x${r.ssrc.toString(16).padStart(8, '0')}, PT ${r.payloadType} (${r.encoding}, ${r.clockRate / 1000} kHz), ${r.packets} packets, RFC 3550 lost ${r.cumulativeLost}, ${r.seqErrors} sequence errors, jitter ${r.jitterMs.toFixed(2)} ms (mean ${r.jitterMeanMs.toFixed(2)}, max ${r.jitterMaxMs.toFixed(2)})`,
      );
    }
    const s = d.lossShape;
    if (s != null && (d.lost ?? 0) > 0) {
      out.push(
        `loss shape ${label(d)}: ${s.bursts} bursts (Gmin ${s.gmin}), mean burst ${fixed(s.meanBurstMs, 1)} ms, mean gap ${fixed(s.meanGapMs, 0)} ms, burst ratio ${fixed(s.burstR, 2)}${s.reordered > 0 ? ` (${s.reordered} reordered datagrams counted as lost)` : ''}`,
      );
    }
    const v = d.voice;
    if (v != null) {
      out.push(
        `voice ${label(d)}: ${v.codec} (Ie ${v.ie}, Bpl ${v.bpl}), mouth-to-ear ${v.mouthToEarMs.toFixed(1)} ms = ${v.delaySource === 'one-way' ? 'one-way' : 'half the round trip'} ${v.networkDelayMs.toFixed(1)} ms + playout ${v.playoutMs.toFixed(1)} ms + codec; loss + late ${v.effectiveLossPercent.toFixed(2)} %, burst ratio ${v.burstR.toFixed(2)} → R ${v.r.toFixed(1)}, MOS ${v.mos.toFixed(2)}`,
      );
    }
  }
  const p = directions.find((d) => showsQuality(d) && d.playout != null)?.playout;
  if (p != null) out.push(`playout needed: the smallest fixed jitter-buffer delay above the least-delayed datagram that leaves at most ${p.maxLatePercent} % of datagrams too late to play`);
  if (directions.some((d) => d.rtp != null)) out.push('RTP jitter: RFC 3550 A.8 over the media timestamps (sampling instants), so the sender\'s lateness is in it; the jitter column above is over exact send stamps');
  if (directions.some((d) => d.voice != null)) out.push(`${EMODEL_NOTE}; best playout: of those reported and the needed one, the delay with the highest R (a longer buffer trades late discard for delay)`);
  return out;
}
