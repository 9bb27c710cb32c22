/**
 * `--pattern` and its options: which traffic each direction sends. A
 * direction runs `cbr` (the smooth `--rate`) or a real-time pattern whose
 * own options set its rate; the checks here turn a bad combination into one
 * line naming the option (exit 2), before anything runs.
 */
import type { RawOptions } from './option-table.js';
import { readFile, stat } from 'node:fs/promises';
import { OptionError } from '../errors.js';
import { FRAMED_HEADER_BYTES, MAX_FRAME_DATAGRAMS, maxPayload } from '../bench/limits.js';
import { largestVideoFrame, patternConfigOf, type PatternSpec } from '../bench/patterns.js';
import { parseTraceCsv } from '../bench/trace-file.js';
import type { PatternConfig, StallConfig } from '../result/types.js';
import { OPTIONS } from './option-table.js';
import { bitsPerSecondOf } from './iperf-compat.js';

/** Raw pattern options as commander hands them over. */
export type RawPatternOptions = RawOptions<'pattern' | 'patternAb' | 'patternBa' | 'ptime' | 'fps' | 'keyframeInterval' | 'keyframeRatio' | 'seed' | 'trace' | 'stall' | 'bitrate'>;

type Kind = PatternSpec['kind'];
const KINDS: readonly Kind[] = ['cbr', 'voice', 'video', 'trace'];

/** Largest trace file read, bytes (a million rows of `time_us,size,frame` fit). */
const MAX_TRACE_FILE_BYTES = 32 * 1024 * 1024;

/** Default datagram size per pattern when `--size` is not given. */
export const DEFAULT_SIZE: Record<Kind, number> = { cbr: 200, voice: 160, video: 1200, trace: 200 };

/** Default video bit rate, bits/s of UDP payload. */
const DEFAULT_VIDEO_BITS = 2.5e6;

function parseKind(option: string, text: string): Kind {
  const k = text.trim().toLowerCase();
  if (!(KINDS as readonly string[]).includes(k)) throw new OptionError(option, `"${text}" must be cbr, voice, video or trace`);
  return k as Kind;
}

function parseNumberIn(option: string, text: string, min: number, max: number, integer = false): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new OptionError(option, `"${text}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

/** Bits per second, iperf3 style (`2.5M`, `500K`, `1G`) or with a unit (`2.5Mbit`). */
export function parseBits(option: string, text: string): number {
  const v = bitsPerSecondOf(text, true);
  if (v === null) throw new OptionError(option, `"${text}" is not a bit rate (2.5M, 2.5Mbit, 500K)`);
  if (!(v >= 8) || v > 1e11) throw new OptionError(option, `"${text}" must be from 8 bit/s to 100 Gbit/s`);
  return v;
}

/** `--stall MS[@S]`: `null` for 0 (no stall). */
export function parseStall(option: string, text: string): StallConfig | null {
  const m = /^(\d+(?:\.\d+)?)(?:@(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (m === null) throw new OptionError(option, `"${text}" is not MS or MS@S (e.g. 20, 100@2)`);
  const ms = Number(m[1]);
  if (ms === 0) return null;
  if (ms > 10_000) throw new OptionError(option, `${ms} ms is longer than 10 s`);
  const everySeconds = m[2] === undefined ? 1 : Number(m[2]);
  if (!(everySeconds > 0) || everySeconds > 3600) throw new OptionError(option, `every ${m[2]} s must be more than 0 and at most 3600 s`);
  if (ms >= everySeconds * 1000) throw new OptionError(option, `a ${ms} ms stall every ${everySeconds} s never reads: the stall must be shorter than its period`);
  return { ms, everySeconds };
}

/** What the pattern options resolve to. */
export interface ResolvedPatterns {
  patternAb: PatternConfig;
  patternBa: PatternConfig;
  stall: StallConfig | null;
  /** The size `--size` defaults to for these patterns. */
  defaultSizeBytes: number;
}

/**
 * Resolves the pattern options for a run of `sizeBytes` (`--size`, or
 * `null` when not given: each pattern's default) on an IPv`family` path.
 * `peer`: remote mode, where the listener cannot replay a trace (it reads no
 * file a client names).
 */
export async function resolvePatterns(raw: RawPatternOptions, args: { sizeBytes: number | null; family: 4 | 6; remote: boolean; durationSeconds: number }): Promise<ResolvedPatterns> {
  const base = parseKind('--pattern', raw.pattern ?? OPTIONS.pattern.default);
  const ab = raw.patternAb === undefined ? base : parseKind('--pattern-ab', raw.patternAb);
  const ba = raw.patternBa === undefined ? base : parseKind('--pattern-ba', raw.patternBa);
  const kinds = new Set<Kind>([ab, ba]);
  // An option no direction uses would silently change nothing: refuse it.
  const needs: [keyof RawPatternOptions, string, Kind][] = [
    ['ptime', '--ptime', 'voice'],
    ['fps', '--fps', 'video'],
    ['keyframeInterval', '--keyframe-interval', 'video'],
    ['keyframeRatio', '--keyframe-ratio', 'video'],
    ['seed', '--seed', 'video'],
    ['trace', '--trace', 'trace'],
  ];
  for (const [key, flag, kind] of needs) {
    if (raw[key] !== undefined && !kinds.has(kind)) throw new OptionError(flag, `applies to --pattern ${kind}, which no direction runs`);
  }
  if (args.remote && ba === 'trace') {
    throw new OptionError(raw.patternBa !== undefined ? '--pattern-ba' : '--pattern', 'the listener does not replay traces (it reads no file a client names): use --pattern-ab trace, and another pattern B→A');
  }
  const maxSize = maxPayload(args.family);
  const defaultSizeBytes = kinds.has('cbr') ? DEFAULT_SIZE.cbr : kinds.has('video') ? DEFAULT_SIZE.video : kinds.has('voice') ? DEFAULT_SIZE.voice : DEFAULT_SIZE.trace;
  const sizeFor = (kind: Kind): number => {
    const size = args.sizeBytes ?? DEFAULT_SIZE[kind];
    if (kind !== 'cbr' && kind !== 'trace' && size < FRAMED_HEADER_BYTES) {
      throw new OptionError('--size', `${size} is below ${FRAMED_HEADER_BYTES} bytes, the header of a framed datagram (--pattern ${kind})`);
    }
    return size;
  };
  let trace: PatternConfig | null = null;
  if (kinds.has('trace')) {
    if (raw.trace === undefined) throw new OptionError('--trace', 'is required with --pattern trace (a CSV of time_us,size[,frame] rows)');
    if (args.sizeBytes !== null) throw new OptionError('--size', 'does not apply to --pattern trace: each row has its size');
    trace = await readTrace(raw.trace, maxSize, args.durationSeconds);
  }
  const build = (kind: Kind): PatternConfig => {
    switch (kind) {
      case 'cbr':
        return { kind: 'cbr' };
      case 'voice': {
        const ptimeMs = parseNumberIn('--ptime', raw.ptime ?? OPTIONS.ptime.fallback, 1, 10_000);
        return patternConfigOf({ kind: 'voice', sizeBytes: sizeFor('voice'), intervalUs: Math.round(ptimeMs * 1000) }, args.durationSeconds);
      }
      case 'video': {
        const spec: Extract<PatternSpec, { kind: 'video' }> = {
          kind: 'video',
          maxDatagramBytes: sizeFor('video'),
          fps: parseNumberIn('--fps', raw.fps ?? OPTIONS.fps.fallback, 1, 1000),
          bitsPerSecond: raw.bitrate === undefined ? DEFAULT_VIDEO_BITS : parseBits('-b', raw.bitrate),
          keyframeIntervalSeconds: parseNumberIn('--keyframe-interval', raw.keyframeInterval ?? OPTIONS.keyframeInterval.fallback, 0.001, 3600),
          keyframeRatio: parseNumberIn('--keyframe-ratio', raw.keyframeRatio ?? OPTIONS.keyframeRatio.fallback, 1, 100),
          seed: parseNumberIn('--seed', raw.seed ?? OPTIONS.seed.fallback, 0, 0xffffffff, true),
        };
        const largest = largestVideoFrame(spec);
        if (largest > MAX_FRAME_DATAGRAMS) {
          throw new OptionError(
            '-b',
            `a key frame of this video needs up to ${largest} datagrams of ${spec.maxDatagramBytes} B; at most ${MAX_FRAME_DATAGRAMS} go in one burst (raise --size or --fps, or lower -b or --keyframe-ratio)`,
          );
        }
        return patternConfigOf(spec, args.durationSeconds);
      }
      case 'trace':
        return trace as PatternConfig;
    }
  };
  const stall = raw.stall === undefined ? null : parseStall('--stall', raw.stall);
  return { patternAb: build(ab), patternBa: build(ba), stall, defaultSizeBytes };
}

/** Reads and checks a trace file: any problem is one line naming the row. */
async function readTrace(file: string, maxSizeBytes: number, seconds: number): Promise<PatternConfig> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new OptionError('--trace', `${file} is not a file`);
    if (st.size > MAX_TRACE_FILE_BYTES) throw new OptionError('--trace', `${file} is larger than ${MAX_TRACE_FILE_BYTES / 1024 / 1024} MiB`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof OptionError) throw err;
    throw new OptionError('--trace', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const parsed = parseTraceCsv(text, maxSizeBytes);
  if (!parsed.ok) throw new OptionError('--trace', `${file} line ${parsed.line}: ${parsed.message}`);
  // Only the base name goes into the result (the rest of the path is the user's business).
  const name = (file.split(/[\\/]/).pop() ?? file).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200);
  return patternConfigOf({ kind: 'trace', rows: parsed.rows, periodUs: parsed.periodUs }, seconds, name);
}
