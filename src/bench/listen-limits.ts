/**
 * What a listener accepts: the per-session limits (`--max-rate`,
 * `--max-duration`, the datagram size), the total over its running sessions
 * (`--max-total-rate`), and the number of sessions at once
 * (`--max-clients`). Pure: the listener calls these with the parameters a
 * client proposed and the loads of the sessions it already runs; each returns
 * why not, or `null`. The texts go to the client as the refusal's reason and
 * always name the cap that refused.
 *
 * A cap holds what it says: `--max-rate 10Mbit` caps payload bits per
 * second (datagram payload × rate) whatever the size or pattern, and
 * `--max-rate 1000` caps datagrams per second. Every figure checked is the
 * listener's own reading of what will run: the rate of a pattern it sends is
 * counted from the schedule over the duration it will actually run (the
 * negotiated one, never the duration inside the client's config), and a
 * figure that is not a finite number refuses (NaN compares false: `!(x <= cap)`).
 */
import { HEADER_BYTES, maxPayload } from '../udp/wire.js';
import type { NegotiatedParams } from './control.js';
import type { PatternConfig, RunConfig } from '../result/types.js';
import { MAX_FRAME_DATAGRAMS, isScheduled, summarizeSchedule, type ScheduledSpec } from '../udp/pattern.js';
import { largestVideoFrame, patternConfigOf, patternSpecOf } from './patterns.js';

/** A rate cap as the operator wrote it: datagrams per second, or payload bits per second. */
export type RateCap = { unit: 'datagrams'; perSecond: number } | { unit: 'bits'; perSecond: number };

/** What one direction of a session carries, as the listener reckons it; `Infinity` for "max". */
export interface DirectionLoad {
  pps: number;
  /** Payload bits per second (UDP payload × 8 × rate). */
  bitsPerSecond: number;
}

/** Both directions of a session: A→B (client → listener) and B→A (listener → client). */
export interface SessionLoad {
  ab: DirectionLoad;
  ba: DirectionLoad;
}

/** The listener settings the checks need. */
export interface ListenLimits {
  /** Highest rate per direction of one session; `null` = no limit. */
  maxRate: RateCap | null;
  /** Highest rate per direction summed over the running sessions (this one included); `null` = no limit. */
  maxTotalRate: RateCap | null;
  maxDurationSeconds: number | null;
  family: 4 | 6;
}

/**
 * Datagrams the listener simulates at most to count a pattern's rate: about
 * 40 ms of one core for video on this kind of machine, per parameters
 * message (a client with a valid cookie may send many). Past it the rate is
 * over the span simulated (pattern.ts `truncated`).
 */
export const PLAN_MAX_DATAGRAMS = 1_000_000;

/** A session as the listener will run it: the B→A pattern it sends and the load of each direction. */
export interface SessionPlan {
  patternBa: PatternConfig;
  /** The parameters with B→A's rate replaced by the listener's own count for a pattern. */
  params: NegotiatedParams;
  load: SessionLoad;
}

/** The load of a plain (cbr) direction: `null` rate is "max". */
function cbrLoad(pps: number | null, sizeBytes: number): DirectionLoad {
  const r = pps ?? Infinity;
  return { pps: r, bitsPerSecond: r * sizeBytes * 8 };
}

/** The load of a scheduled pattern over `seconds`, counted here (bounded). */
function scheduleLoad(spec: ScheduledSpec, seconds: number): DirectionLoad {
  const s = summarizeSchedule(spec, seconds, PLAN_MAX_DATAGRAMS);
  return { pps: s.offeredPps, bitsPerSecond: s.offeredBitsPerSecond };
}

/**
 * The session the listener would run for these parameters, or the reason to
 * refuse. B→A (what this side sends) is rebuilt from the client's pattern
 * description by this side and counted over the negotiated duration: the
 * client's `offered` figures and its config's `durationSeconds` are not
 * trusted. A trace B→A is refused (the listener reads no file a client
 * names), and a frame must fit one burst. A→B (what the client sends) is
 * counted the same way for voice and video; a trace A→B can only be taken
 * at the client's word (its rows stay on the client), as a cbr rate is.
 */
export function planSession(p: NegotiatedParams, config: RunConfig): SessionPlan | string {
  const seconds = p.durationSeconds;
  const asked = config.patternBa ?? { kind: 'cbr' };
  let patternBa: PatternConfig = asked;
  let ba: DirectionLoad;
  let params = p;
  if (asked.kind === 'cbr') {
    ba = cbrLoad(p.rateBaPps, p.sizeBytes);
  } else {
    if (asked.kind === 'trace') return 'the listener does not replay traces (it reads no file a client names); run the trace A→B';
    const spec = patternSpecOf(asked);
    if (spec.kind === 'video' && largestVideoFrame(spec) > MAX_FRAME_DATAGRAMS) return `a video key frame B→A would need more than ${MAX_FRAME_DATAGRAMS} datagrams`;
    if (!isScheduled(spec)) return 'unknown B→A pattern';
    patternBa = patternConfigOf(spec, seconds);
    ba = scheduleLoad(spec, seconds);
    params = { ...p, rateBaPps: ba.pps };
  }
  const askedAb = config.patternAb ?? { kind: 'cbr' };
  let ab: DirectionLoad;
  if (askedAb.kind === 'voice' || askedAb.kind === 'video') {
    const spec = patternSpecOf(askedAb);
    ab = isScheduled(spec) ? scheduleLoad(spec, seconds) : cbrLoad(p.rateAbPps, p.sizeBytes);
  } else if (askedAb.kind === 'trace') {
    ab = { pps: p.rateAbPps ?? Infinity, bitsPerSecond: askedAb.offered.bitsPerSecond };
  } else {
    ab = cbrLoad(p.rateAbPps, p.sizeBytes);
  }
  return { patternBa, params, load: { ab, ba } };
}

/** A figure of a cap's unit, for messages: "12,000 datagrams/s", "16,373 Mbit/s". */
export function formatCapped(value: number, unit: RateCap['unit']): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'an unknown rate' : '"max"';
  if (unit === 'datagrams') return `${Math.round(value).toLocaleString('en-US')} datagrams/s`;
  const scaled = value >= 1e9 ? [value / 1e9, 'Gbit/s'] : value >= 1e6 ? [value / 1e6, 'Mbit/s'] : value >= 1e3 ? [value / 1e3, 'kbit/s'] : [value, 'bit/s'];
  const n = scaled[0] as number;
  return `${n >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString()} ${scaled[1] as string}`;
}

/** The figure of a load a cap limits. */
function inUnit(load: DirectionLoad, cap: RateCap): number {
  return cap.unit === 'datagrams' ? load.pps : load.bitsPerSecond;
}

const DIRECTIONS = [
  ['A→B', 'ab'],
  ['B→A', 'ba'],
] as const;

/** Why a listener refuses a session on its own, or `null` when it is acceptable. */
export function checkLimits(p: NegotiatedParams, load: SessionLoad, cfg: ListenLimits): string | null {
  if (p.sizeBytes < HEADER_BYTES || p.sizeBytes > maxPayload(cfg.family)) return `size ${p.sizeBytes} is outside ${HEADER_BYTES}–${maxPayload(cfg.family)} bytes`;
  const cap = cfg.maxRate;
  if (cap !== null) {
    for (const [name, key] of DIRECTIONS) {
      const v = inUnit(load[key], cap);
      // `!(v <= cap)`: NaN and Infinity ("max") refuse too.
      if (!(v <= cap.perSecond)) return `rate ${name} ${formatCapped(v, cap.unit)} exceeds this listener's --max-rate ${formatCapped(cap.perSecond, cap.unit)} (per session)`;
    }
  }
  if (cfg.maxDurationSeconds !== null && p.durationSeconds + p.omitSeconds > cfg.maxDurationSeconds) {
    return `duration ${p.durationSeconds + p.omitSeconds} s exceeds this listener's --max-duration ${cfg.maxDurationSeconds} s`;
  }
  return null;
}

/**
 * Why a new session would push the total over the running sessions past
 * `--max-total-rate` in either direction, or `null`. `running` are the loads
 * of the sessions already accepted (until each ends).
 */
export function checkAggregate(load: SessionLoad, running: readonly SessionLoad[], cap: RateCap | null): string | null {
  if (cap === null) return null;
  for (const [name, key] of DIRECTIONS) {
    const asked = inUnit(load[key], cap);
    const inUse = running.reduce((sum, x) => sum + inUnit(x[key], cap), 0);
    if (!(inUse + asked <= cap.perSecond)) {
      const n = running.length;
      const others = n === 0 ? '' : ` on top of the ${formatCapped(inUse, cap.unit)} of the ${n} session${n === 1 ? '' : 's'} running`;
      return `rate ${name} ${formatCapped(asked, cap.unit)}${others} exceeds this listener's --max-total-rate ${formatCapped(cap.perSecond, cap.unit)} (the sum over its sessions)`;
    }
  }
  return null;
}

/**
 * The reason a client over `--max-clients` gets in its busy reply. The client
 * prints it after "the listener is busy: ", so it does not repeat "busy".
 */
export function busyReason(running: number, maxClients: number): string {
  return `${running} session${running === 1 ? '' : 's'} running (this listener's --max-clients is ${maxClients})`;
}
