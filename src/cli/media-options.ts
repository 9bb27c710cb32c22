/**
 * `--wire`, `--codec`, `--playout` and `--max-late`: how each direction's
 * datagrams are framed (our header, or RTP around it) and what the media
 * figures are read at. Bad values are one line naming the option (exit 2).
 */
import { OptionError } from '../errors.js';
import type { PatternConfig, RunConfig, VoiceCodec, WireFormat } from '../result/types.js';
import { CODEC_NAMES } from '../bench/emodel.js';
import { FRAMED_HEADER_BYTES, HEADER_BYTES, RTP_HEADER_BYTES } from '../bench/limits.js';
import type { RawOptions } from './option-table.js';

export type RawMediaOptions = RawOptions<'wire' | 'wireAb' | 'wireBa' | 'codec' | 'playout' | 'maxLate'>;

/** Most playout delays one run reports (each is a row of every voice table). */
const MAX_PLAYOUT_DELAYS = 16;
/** Longest playout delay, ms (10 s: far beyond any jitter buffer). */
const MAX_PLAYOUT_MS = 10_000;

function parseWire(option: string, text: string): WireFormat {
  const w = text.trim().toLowerCase();
  if (w !== 'udx' && w !== 'rtp') throw new OptionError(option, `"${text}" must be udx or rtp`);
  return w;
}

/** `--playout 20,40,60`: distinct delays in ms, ascending. */
export function parsePlayout(option: string, text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_PLAYOUT_DELAYS) throw new OptionError(option, `give 1 to ${MAX_PLAYOUT_DELAYS} delays in ms, comma-separated`);
  const out = parts.map((p) => {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v) || v < 0 || v > MAX_PLAYOUT_MS) throw new OptionError(option, `"${p}" must be a delay from 0 to ${MAX_PLAYOUT_MS} ms`);
    return v;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

/** What the media options add to a run's config (only what differs from the defaults is written, except a voice run's codec). */
export type MediaConfig = Pick<RunConfig, 'wireAb' | 'wireBa' | 'playoutMs' | 'maxLatePercent' | 'codec'>;

/** Resolves the media options for patterns already resolved and `sizeBytes` (`--size`). */
export function resolveMedia(raw: Partial<RawMediaOptions>, o: { patternAb: PatternConfig; patternBa: PatternConfig; sizeBytes: number }): MediaConfig {
  const base = raw.wire === undefined ? 'udx' : parseWire('--wire', raw.wire);
  const wireAb = raw.wireAb === undefined ? base : parseWire('--wire-ab', raw.wireAb);
  const wireBa = raw.wireBa === undefined ? base : parseWire('--wire-ba', raw.wireBa);
  for (const [option, wire, pattern] of [
    [raw.wireAb !== undefined ? '--wire-ab' : '--wire', wireAb, o.patternAb],
    [raw.wireBa !== undefined ? '--wire-ba' : '--wire', wireBa, o.patternBa],
  ] as const) {
    if (wire !== 'rtp') continue;
    // RTP puts 12 bytes before our header: the smallest datagram grows by as much.
    const need = RTP_HEADER_BYTES + (pattern.kind === 'cbr' ? HEADER_BYTES : FRAMED_HEADER_BYTES);
    const size = pattern.kind === 'voice' ? pattern.sizeBytes : pattern.kind === 'cbr' ? o.sizeBytes : need;
    if (size < need) throw new OptionError('--size', `${size} bytes leave no room for an RTP header and ours with ${option} rtp: at least ${need}`);
  }
  let codec: VoiceCodec | undefined;
  if (raw.codec !== undefined) {
    const c = raw.codec.trim().toLowerCase();
    if (!(CODEC_NAMES as readonly string[]).includes(c)) throw new OptionError('--codec', `"${raw.codec}" must be one of ${CODEC_NAMES.join(', ')}`);
    codec = c as VoiceCodec;
  } else if (o.patternAb.kind === 'voice' || o.patternBa.kind === 'voice') codec = 'g711';
  let maxLatePercent: number | undefined;
  if (raw.maxLate !== undefined) {
    const v = Number(raw.maxLate);
    if (raw.maxLate.trim() === '' || !Number.isFinite(v) || v < 0 || v >= 100) throw new OptionError('--max-late', `"${raw.maxLate}" must be a share from 0 to below 100 %`);
    maxLatePercent = v;
  }
  return {
    ...(wireAb === 'rtp' ? { wireAb } : {}),
    ...(wireBa === 'rtp' ? { wireBa } : {}),
    ...(raw.playout === undefined ? {} : { playoutMs: parsePlayout('--playout', raw.playout) }),
    ...(maxLatePercent === undefined ? {} : { maxLatePercent }),
    ...(codec === undefined ? {} : { codec }),
  };
}
