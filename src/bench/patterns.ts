/**
 * Between a run's configuration (plain result data, `PatternConfig`) and what
 * a sender runs (`PatternSpec`, udp/pattern.ts). A trace's rows are not part
 * of the result (only its name and counts are): they ride beside the config
 * object in a WeakMap, so that copies of a config (`{ ...cfg }`, as sweeps
 * and searches make) still find them and nothing of them is ever saved.
 */
import type { PatternConfig, PatternOffer, RunConfig } from '../result/types.js';
import { type PatternSpec, type ScheduledSpec, type TraceRow, isScheduled, nthStream, summarizeSchedule } from '../udp/pattern.js';
import { BenchError } from '../errors.js';
import { maxVideoFrameDatagrams } from '../udp/pattern.js';
import type { DirectionKey } from '../result/types.js';

export type { PatternSpec, TraceRow } from '../udp/pattern.js';

/** Datagrams in the largest frame a video pattern can produce (for the option check). */
export function largestVideoFrame(spec: Extract<PatternSpec, { kind: 'video' }>): number {
  return maxVideoFrameDatagrams(spec);
}

const traceRows = new WeakMap<object, { rows: TraceRow[]; periodUs: number }>();

/**
 * What a schedule offers over the run's measured time, for the result's
 * config: counted over exactly that time, so that the undersent check
 * compares the sender with what was due (a trace loop or a key-frame period
 * need not divide the run).
 */
export function offerOf(spec: ScheduledSpec, seconds: number): PatternOffer {
  const s = summarizeSchedule(spec, seconds);
  return {
    datagramsPerSecond: s.offeredPps,
    bitsPerSecond: s.offeredBitsPerSecond,
    framesPerSecond: s.framesPerSecond,
    maxFrameDatagrams: s.maxFrameDatagrams,
    maxFrameBytes: s.maxFrameBytes,
  };
}

/** The result's description of a pattern for a run of `seconds` (`file`: the trace's name as the user gave it). */
export function patternConfigOf(spec: PatternSpec, seconds: number, file = ''): PatternConfig {
  switch (spec.kind) {
    case 'cbr':
      return { kind: 'cbr' };
    case 'voice':
      return { kind: 'voice', sizeBytes: spec.sizeBytes, intervalMs: spec.intervalUs / 1000, offered: offerOf(spec, seconds) };
    case 'video':
      return {
        kind: 'video',
        maxDatagramBytes: spec.maxDatagramBytes,
        fps: spec.fps,
        bitsPerSecond: spec.bitsPerSecond,
        keyframeIntervalSeconds: spec.keyframeIntervalSeconds,
        keyframeRatio: spec.keyframeRatio,
        seed: spec.seed,
        offered: offerOf(spec, seconds),
      };
    case 'trace': {
      const config: PatternConfig = { kind: 'trace', file, rows: spec.rows.length, periodMs: spec.periodUs / 1000, offered: offerOf(spec, seconds) };
      traceRows.set(config, { rows: spec.rows, periodUs: spec.periodUs });
      return config;
    }
  }
}

/** What a sender runs for a configured pattern (absent: `cbr`). */
export function patternSpecOf(config: PatternConfig | undefined): PatternSpec {
  if (config === undefined) return { kind: 'cbr' };
  switch (config.kind) {
    case 'cbr':
      return { kind: 'cbr' };
    case 'voice':
      return { kind: 'voice', sizeBytes: config.sizeBytes, intervalUs: Math.round(config.intervalMs * 1000) };
    case 'video':
      return {
        kind: 'video',
        maxDatagramBytes: config.maxDatagramBytes,
        fps: config.fps,
        bitsPerSecond: config.bitsPerSecond,
        keyframeIntervalSeconds: config.keyframeIntervalSeconds,
        keyframeRatio: config.keyframeRatio,
        seed: config.seed,
      };
    case 'trace': {
      const t = traceRows.get(config);
      if (t === undefined) throw new BenchError(`the rows of trace ${config.file} are not here (a trace is replayed only by the side that read the file)`, 'ETRACE');
      return { kind: 'trace', rows: t.rows, periodUs: t.periodUs };
    }
  }
}

/** The pattern a direction runs: A→B or B→A of a config. */
export function directionPattern(cfg: RunConfig, direction: DirectionKey): PatternConfig {
  return (direction === 'ab' ? cfg.patternAb : cfg.patternBa) ?? { kind: 'cbr' };
}

/**
 * The rate stream `index` of `count` offers in a direction (`--clients`: each
 * stream is shifted, so its share of key frames in the run differs); the
 * configured rate for `cbr`.
 */
export function streamOfferedPps(cfg: RunConfig, direction: DirectionKey, index: number, count: number): number | null {
  const spec = patternSpecOf(directionPattern(cfg, direction));
  if (!isScheduled(spec)) return direction === 'ab' ? cfg.rateAbPps : cfg.rateBaPps;
  return summarizeSchedule(nthStream(spec, index, count) as ScheduledSpec, cfg.durationSeconds).offeredPps;
}
