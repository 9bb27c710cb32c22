/**
 * ITU-T G.107 (06/2015) E-model: a transmission-planning estimate of voice
 * quality as the rating factor R and the MOS (conversational quality,
 * estimated) that Annex B maps it to.
 *
 * It estimates; it does not listen. No audio passes through it: it turns a
 * mouth-to-ear delay, a packet-loss share and a burst ratio into R with the
 * standard's formulas, so it is for comparing settings and paths, not a
 * measured call quality.
 *
 *   R = Ro − Is − Id − Ie,eff + A                      (G.107 §7, eq. 7-1)
 *
 * Limits, candidly:
 * - Every parameter that is not the network's (loudness ratings, sidetone,
 *   room and circuit noise, quantizing distortion, echo loss, advantage
 *   factor) is G.107's default (Table 3). Real handsets, headsets and rooms
 *   differ, and R moves with them.
 * - Echo is only what the default TELR of 65 dB (a well-cancelled path) and
 *   WEPL of 110 dB give; no echo canceller behaviour is modelled.
 * - Ie and Bpl come from ITU-T G.113 Appendix I, which has figures for G.711
 *   and G.729A only; Opus (and most modern codecs) has no standard Ie/Bpl and
 *   is deliberately not offered.
 * - Loss is a long-run share with one burst ratio; G.107's own limits apply
 *   (it is not a per-call, time-varying model).
 * - The mouth-to-ear delay counts network, playout and codec delays only:
 *   device and OS audio latency (capture and playback buffers) is not in it.
 *
 * Pure and dependency-free: no I/O, no clock, no state.
 */

/** The voice codecs G.113 Appendix I gives Ie and Bpl for. */
export type VoiceCodec = 'g711' | 'g711-noplc' | 'g729a';

export interface CodecParams {
  /** Human-readable name. */
  readonly label: string;
  /** Equipment impairment factor Ie (G.113 Appendix I). */
  readonly ie: number;
  /** Packet-loss robustness factor Bpl for random loss (G.113 Appendix I). */
  readonly bpl: number;
  /** Codec frame, ms (G.711 is sample-based: its "frame" is the 20 ms packet). */
  readonly frameMs: number;
  /** Audio per packet, ms: the packetisation delay the first sample of a packet waits. */
  readonly packetMs: number;
  /** Encoder look-ahead, ms (algorithmic delay beyond the frame). */
  readonly lookaheadMs: number;
  /** RTP clock rate, Hz (RFC 3551: 8000 for both). */
  readonly clockRate: number;
  /** Payload bytes per 20 ms of audio. */
  readonly payloadBytesPer20ms: number;
  /** Where Ie and Bpl come from. */
  readonly source: string;
}

/**
 * Ie/Bpl from ITU-T G.113 Appendix I (provisional planning values, random
 * loss). Packetisation is 20 ms for all three (the common RTP default,
 * RFC 3551 ptime 20); G.729A carries two 10 ms frames per packet and has a
 * 5 ms look-ahead (ITU-T G.729: 10 ms frames, 5 ms look-ahead), G.711 has none.
 */
export const CODECS: Readonly<Record<VoiceCodec, CodecParams>> = Object.freeze({
  g711: Object.freeze({
    label: 'G.711 with packet-loss concealment (G.711 Appendix I)',
    ie: 0,
    bpl: 25.1,
    frameMs: 20,
    packetMs: 20,
    lookaheadMs: 0,
    clockRate: 8000,
    payloadBytesPer20ms: 160,
    source: 'ITU-T G.113 Appendix I: G.711 with PLC (G.711 Appendix I), random loss: Ie 0, Bpl 25.1',
  }),
  'g711-noplc': Object.freeze({
    label: 'G.711 without packet-loss concealment',
    ie: 0,
    bpl: 4.3,
    frameMs: 20,
    packetMs: 20,
    lookaheadMs: 0,
    clockRate: 8000,
    payloadBytesPer20ms: 160,
    source: 'ITU-T G.113 Appendix I: G.711 without PLC, random loss: Ie 0, Bpl 4.3',
  }),
  g729a: Object.freeze({
    label: 'G.729A + VAD',
    ie: 11,
    bpl: 19.0,
    frameMs: 10,
    packetMs: 20,
    lookaheadMs: 5,
    clockRate: 8000,
    payloadBytesPer20ms: 20,
    source: 'ITU-T G.113 Appendix I: G.729A + VAD, 2 frames (20 ms) per packet, random loss: Ie 11, Bpl 19.0',
  }),
});

/** The codec names, in table order (for option parsing and messages). */
export const CODEC_NAMES: readonly VoiceCodec[] = Object.freeze(Object.keys(CODECS) as VoiceCodec[]);

export function isVoiceCodec(x: string): x is VoiceCodec {
  return Object.prototype.hasOwnProperty.call(CODECS, x);
}

/**
 * G.107 Table 3 default values of the parameters this module does not take
 * as input. Units as in the standard (dB, dBm0p, dBmp, dB(A), ms).
 */
export const G107_DEFAULTS = Object.freeze({
  /** Send loudness rating, dB. */
  SLR: 8,
  /** Receive loudness rating, dB. */
  RLR: 2,
  /** Sidetone masking rating, dB. */
  STMR: 15,
  /** Listener sidetone rating, dB. */
  LSTR: 18,
  /** D-value of telephone, send side. */
  Ds: 3,
  /** D-value of telephone, receive side (LSTR = STMR + Dr). */
  Dr: 3,
  /** Talker echo loudness rating, dB. */
  TELR: 65,
  /** Weighted echo path loss, dB. */
  WEPL: 110,
  /** Number of quantizing distortion units. */
  qdu: 1,
  /** Circuit noise referred to the 0 dBr point, dBm0p. */
  Nc: -70,
  /** Noise floor at the receive side, dBmp. */
  Nfor: -64,
  /** Room noise at the send side, dB(A). */
  Ps: 35,
  /** Room noise at the receive side, dB(A). */
  Pr: 35,
  /** Advantage factor. */
  A: 0,
  /** Minimum perceivable delay for Idd, ms. */
  mT: 100,
  /** Delay sensitivity for Idd. */
  sT: 1,
});

const log10 = Math.log10;

function requireFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
}

function requireNonNegative(name: string, v: number): void {
  requireFinite(name, v);
  if (v < 0) throw new RangeError(`${name} must be >= 0, got ${v}`);
}

/** Power sum of levels in dB: 10·log10(Σ 10^(Li/10)). */
function powerSum(...levelsDb: number[]): number {
  let s = 0;
  for (const l of levelsDb) s += 10 ** (l / 10);
  return 10 * log10(s);
}

interface Basic {
  /** Total noise power No, dBm0p (G.107 §7.1). */
  readonly no: number;
  /** Basic signal-to-noise ratio Ro (§7.1). */
  readonly ro: number;
  /** Simultaneous impairment factor Is (§7.2). */
  readonly is: number;
}

/**
 * Ro and Is from the default parameters (G.107 §7.1, §7.2). Only defaults go
 * in, so this is a constant; computed rather than written down so that the
 * default R = 93.2 is a result of the formulas and a test can check it.
 */
function basic(): Basic {
  const d = G107_DEFAULTS;
  const olr = d.SLR + d.RLR;
  // §7.1: the noise sources, all referred to the 0 dBr point.
  // Room noise at the send side.
  const nos = d.Ps - d.SLR - d.Ds - 100 + 0.004 * (d.Ps - olr - d.Ds - 14) ** 2;
  // Room noise at the receive side, with Pre, the receive room
  // noise raised by the listener sidetone path.
  const pre = d.Pr + 10 * log10(1 + 10 ** ((10 - d.LSTR) / 10));
  const nor = d.RLR - 121 + pre + 0.008 * (pre - 35) ** 2;
  // Noise floor at the receive side.
  const nfo = d.Nfor + d.RLR;
  // Total noise No and the basic signal-to-noise ratio Ro.
  const no = powerSum(d.Nc, nos, nor, nfo);
  const ro = 15 - 1.5 * (d.SLR + no);

  // §7.2: Is = Iolr + Ist + Iq.
  // Too-low (or too-high) overall loudness.
  const xolr = olr + 0.2 * (64 + no - d.RLR);
  const iolr = 20 * ((1 + (xolr / 8) ** 8) ** (1 / 8) - xolr / 8);
  // Non-optimum sidetone. STMRo adds the talker echo, weighted by e^(−T/4);
  // G.107 takes the echo path's T here, but at TELR 65 dB the echo term moves
  // STMRo by under 0.0001 dB at any T, so T = 0 is used and Is is a constant.
  const t0 = 0;
  const stmro = -10 * log10(10 ** (-d.STMR / 10) + Math.exp(-t0 / 4) * 10 ** (-d.TELR / 10));
  const ist =
    12 * (1 + ((stmro - 13) / 6) ** 8) ** (1 / 8) -
    28 * (1 + ((stmro + 1) / 19.4) ** 35) ** (1 / 35) -
    13 * (1 + ((stmro - 3) / 33) ** 13) ** (1 / 13) +
    29;
  // Quantizing distortion.
  const q = 37 - 15 * log10(d.qdu);
  const g = 1.07 + 0.258 * q + 0.0602 * q * q;
  const y = (ro - 100) / 15 + 46 / 8.4 - g / 9;
  const z = 46 / 30 - g / 40;
  const iq = 15 * log10(1 + 10 ** y + 10 ** z);
  return { no, ro, is: iolr + ist + iq };
}

const BASIC: Basic = basic();

/**
 * Effective equipment impairment Ie,eff (G.107 §7.4, eq. 7-29):
 *
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)
 *
 * Ppl is the packet-loss share in % (every packet the decoder does not get,
 * late discard included). BurstR = 1 is random loss, > 1 bursty, < 1
 * "smoother than random" (G.107 §7.4 allows it); any BurstR > 0 is accepted
 * and nothing is clamped.
 */
export function effectiveEquipmentImpairment(o: { ie: number; bpl: number; lossPercent: number; burstR: number }): number {
  requireNonNegative('ie', o.ie);
  requireFinite('bpl', o.bpl);
  if (o.bpl <= 0) throw new RangeError(`bpl must be > 0, got ${o.bpl}`);
  requireNonNegative('lossPercent', o.lossPercent);
  if (o.lossPercent > 100) throw new RangeError(`lossPercent must be at most 100, got ${o.lossPercent}`);
  requireFinite('burstR', o.burstR);
  if (o.burstR <= 0) throw new RangeError(`burstR must be > 0 (1 = random loss, > 1 bursty), got ${o.burstR}`);
  const ppl = o.lossPercent;
  return o.ie + ((95 - o.ie) * ppl) / (ppl / o.burstR + o.bpl);
}

/**
 * Delay impairment Id = Idte + Idle + Idd (G.107 §7.3) with the default
 * parameters.
 *
 * - ta: absolute (mouth-to-ear) delay Ta, ms: drives Idd.
 * - t: mean one-way delay of the echo path T, ms; default Ta (no extra delay
 *   between the talker's echo point and the network).
 * - tr: round-trip delay of the 4-wire loop Tr, ms; default 2·Ta.
 */
export function delayImpairment(o: { ta: number; t?: number; tr?: number }): number {
  requireNonNegative('ta', o.ta);
  const ta = o.ta;
  const t = o.t ?? ta;
  const tr = o.tr ?? 2 * ta;
  requireNonNegative('t', t);
  requireNonNegative('tr', tr);
  const d = G107_DEFAULTS;

  // Talker echo Idte, §7.3.
  const roe = -1.5 * (BASIC.no - d.RLR);
  // STMR is 15 dB (>= 9 dB), so TERV is used as is (the TERVs correction of
  // §7.3 for STMR < 9 dB does not apply with default parameters).
  const terv = d.TELR - 40 * log10((1 + t / 10) / (1 + t / 150)) + 6 * Math.exp(-0.3 * t * t);
  const re = 80 + 2.5 * (terv - 14);
  // "For T < 1 ms, talker echo should be considered as sidetone, i.e. Idte = 0" (§7.3).
  const idte = t < 1 ? 0 : ((roe - re) / 2 + Math.sqrt((roe - re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-t));

  // Listener echo Idle, §7.3.
  const rle = 10.5 * (d.WEPL + 7) * (tr + 1) ** -0.25;
  const idle = (BASIC.ro - rle) / 2 + Math.sqrt((BASIC.ro - rle) ** 2 / 4 + 169);

  // Too-long absolute delay Idd, §7.3.
  return idte + idle + absoluteDelayImpairment(ta);
}

/**
 * Idd (G.107 §7.3): 0 for Ta ≤ mT; above,
 *   Idd = 25{(1 + X^(6sT))^(1/(6sT)) − 3(1 + (X/3)^(6sT))^(1/(6sT)) + 2},
 *   X = log(Ta/mT) / log 2,
 * with mT = 100 ms and sT = 1 (defaults).
 */
export function absoluteDelayImpairment(ta: number): number {
  requireNonNegative('ta', ta);
  const { mT, sT } = G107_DEFAULTS;
  if (ta <= mT) return 0;
  const x = log10(ta / mT) / log10(2);
  const p = 6 * sT;
  return 25 * ((1 + x ** p) ** (1 / p) - 3 * (1 + (x / 3) ** p) ** (1 / p) + 2);
}

/**
 * R → MOS (G.107 Annex B, eq. B-4): 1 below R = 0; 4.5 above R = 100;
 * between, 1 + 0.035R + R(R − 60)(100 − R)·7·10⁻⁶.
 *
 * One choice: taken literally, the polynomial dips below 1 for
 * 0 < R < 6.515 (its minimum is 0.989 at R ≈ 3.2), i.e. off the 1–4.5 scale
 * the mapping is defined on, and it falls there while R rises. Its result is
 * floored at 1, which keeps the mapping monotone and changes nothing for
 * R ≥ 6.52 (calls far below any usable quality anyway).
 */
export function mosFromR(r: number): number {
  if (Number.isNaN(r)) throw new RangeError('r must be a number, got NaN');
  if (r < 0) return 1;
  if (r > 100) return 4.5;
  return Math.max(1, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6);
}

/**
 * R for one direction of a call (G.107 §7, eq. 7-1):
 *   R = Ro − Is − Id − Ie,eff + A
 * Ro and Is from the default parameters; Id at Ta = mouth-to-ear delay with
 * T = Ta and Tr = 2·Ta; Ie,eff from the codec's G.113 Ie and Bpl. A defaults
 * to 0 (G.107 Table 3; Table 2 gives at most 20, for hard-to-reach places).
 * R is not clamped; only the MOS mapping bounds its own output.
 */
export function rFactor(o: { mouthToEarDelayMs: number; lossPercent: number; burstR: number; codec: VoiceCodec; advantage?: number }): {
  r: number;
  mos: number;
  ro: number;
  is: number;
  id: number;
  ieEff: number;
  a: number;
} {
  if (!isVoiceCodec(o.codec)) throw new RangeError(`codec must be one of ${CODEC_NAMES.join(', ')}, got ${String(o.codec)}`);
  requireNonNegative('mouthToEarDelayMs', o.mouthToEarDelayMs);
  const a = o.advantage ?? G107_DEFAULTS.A;
  requireNonNegative('advantage', a);
  const c = CODECS[o.codec];
  const id = delayImpairment({ ta: o.mouthToEarDelayMs });
  const ieEff = effectiveEquipmentImpairment({ ie: c.ie, bpl: c.bpl, lossPercent: o.lossPercent, burstR: o.burstR });
  const r = BASIC.ro - BASIC.is - id - ieEff + a;
  return { r, mos: mosFromR(r), ro: BASIC.ro, is: BASIC.is, id, ieEff, a };
}

/**
 * Mouth-to-ear delay Ta for the E-model, ms:
 *
 *   Ta = network one-way delay + playout (jitter-buffer) delay
 *        + packetisation (audio per packet) + codec look-ahead
 *
 * Packetisation counts because the first sample of a packet waits a whole
 * packet before it can be sent; look-ahead because the encoder needs audio
 * past the frame. Not in
 * it: device and OS audio latency (capture/playback buffers, DSP), which a
 * real call adds on top — a limit of this estimate.
 */
export function mouthToEarDelayMs(o: { networkOneWayMs: number; playoutDelayMs: number; codec: VoiceCodec }): number {
  if (!isVoiceCodec(o.codec)) throw new RangeError(`codec must be one of ${CODEC_NAMES.join(', ')}, got ${String(o.codec)}`);
  requireNonNegative('networkOneWayMs', o.networkOneWayMs);
  requireNonNegative('playoutDelayMs', o.playoutDelayMs);
  const c = CODECS[o.codec];
  return o.networkOneWayMs + o.playoutDelayMs + c.packetMs + c.lookaheadMs;
}
