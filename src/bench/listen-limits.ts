/**
 * What a listener accepts: the per-session limits (`--max-rate`,
 * `--max-duration`, the datagram size), the aggregate rate over its running
 * sessions, and the number of sessions at once (`--max-clients`). Pure: the
 * listener calls these with the parameters a client proposed and the
 * parameters of the sessions it already runs; each returns why not, or
 * `null`. The texts go to the client as the refusal's reason.
 */
import { HEADER_BYTES, maxPayload } from '../udp/wire.js';
import type { NegotiatedParams } from './control.js';
import type { PatternConfig, RunConfig } from '../report/schema.js';
import { MAX_FRAME_DATAGRAMS } from '../udp/pattern.js';
import { largestVideoFrame, patternConfigOf, patternSpecOf } from './patterns.js';

/** The listener settings the checks need. */
export interface ListenLimits {
  /** Highest rate per direction (datagrams/s) of one session, and of the sum over running sessions; `null` = no limit. */
  maxRatePps: number | null;
  maxDurationSeconds: number | null;
  family: 4 | 6;
}

/**
 * The pattern the listener sends (B→A), rebuilt from the client's config by
 * this side: its rate is counted here from the schedule (the client's
 * `offered` figures are not trusted), a trace is refused (the listener reads
 * no file a client names), and a frame must fit one burst. Returns the
 * pattern and, for a framed one, the rate to check against `--max-rate`; or
 * the reason to refuse.
 */
export function listenerPattern(config: RunConfig): { patternBa: PatternConfig; rateBaPps?: number } | string {
  const asked = config.patternBa ?? { kind: 'cbr' };
  if (asked.kind === 'cbr') return { patternBa: asked };
  if (asked.kind === 'trace') return 'the listener does not replay traces (it reads no file a client names); run the trace A→B';
  const spec = patternSpecOf(asked);
  if (spec.kind === 'video' && largestVideoFrame(spec) > MAX_FRAME_DATAGRAMS) return `a video key frame B→A would need more than ${MAX_FRAME_DATAGRAMS} datagrams`;
  const patternBa = patternConfigOf(spec, config.durationSeconds);
  return { patternBa, rateBaPps: patternBa.kind === 'cbr' ? 0 : patternBa.offered.datagramsPerSecond };
}

/** Why a listener refuses parameters on their own, or `null` when they are acceptable. */
export function checkLimits(p: NegotiatedParams, cfg: ListenLimits): string | null {
  if (p.sizeBytes < HEADER_BYTES || p.sizeBytes > maxPayload(cfg.family)) return `size ${p.sizeBytes} is outside ${HEADER_BYTES}–${maxPayload(cfg.family)} bytes`;
  if (cfg.maxRatePps !== null) {
    for (const [name, r] of [
      ['A→B', p.rateAbPps],
      ['B→A', p.rateBaPps],
    ] as const) {
      if (r === null) return `rate ${name} "max" exceeds this listener's --max-rate ${Math.round(cfg.maxRatePps)} datagrams/s`;
      if (r > cfg.maxRatePps) return `rate ${name} ${Math.round(r)} datagrams/s exceeds this listener's --max-rate ${Math.round(cfg.maxRatePps)} datagrams/s`;
    }
  }
  if (cfg.maxDurationSeconds !== null && p.durationSeconds + p.omitSeconds > cfg.maxDurationSeconds) {
    return `duration ${p.durationSeconds + p.omitSeconds} s exceeds this listener's --max-duration ${cfg.maxDurationSeconds} s`;
  }
  return null;
}

/**
 * Why a new session would push the sum of the rates over the running
 * sessions past `--max-rate` in either direction, or `null`. `running` are
 * the parameters of the sessions already accepted (until each ends). Call
 * after {@link checkLimits}, which refuses "max" rates under a limit.
 */
export function checkAggregate(p: NegotiatedParams, running: readonly NegotiatedParams[], maxRatePps: number | null): string | null {
  if (maxRatePps === null || running.length === 0) return null;
  for (const [name, pick] of [
    ['A→B', (x: NegotiatedParams) => x.rateAbPps],
    ['B→A', (x: NegotiatedParams) => x.rateBaPps],
  ] as const) {
    const asked = pick(p) ?? Infinity;
    const inUse = running.reduce((sum, x) => sum + (pick(x) ?? Infinity), 0);
    if (inUse + asked > maxRatePps) {
      const n = running.length;
      return (
        `rate ${name} ${Math.round(asked)} datagrams/s on top of the ${Math.round(inUse)} of the ${n} session${n === 1 ? '' : 's'} running ` +
        `exceeds this listener's --max-rate ${Math.round(maxRatePps)} datagrams/s (the sum over its sessions)`
      );
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
