/**
 * One builder for the envelope of a duplex result, shared by the local run
 * (duplex.ts), local clients (clients.ts), the remote session (session.ts)
 * and remote clients (remote-combine.ts): the same fields in the same order
 * (the JSON reads the same whatever made it), and one rule for why a result
 * is incomplete.
 */
import type { DuplexResult, IncompleteReason } from '../result/types.js';
import { SCHEMA_VERSION, type Environment } from '../result/types.js';
import { TOOL } from '../version.js';
import { withVoiceQuality } from './media-quality.js';

/**
 * Why a result is incomplete: `null` when it is complete, else the first
 * reason that applies (in the order given: the most specific first), else
 * `fallback` (something went missing without a more specific reason).
 */
export function incompleteReasonOf(complete: boolean, reasons: readonly (IncompleteReason | null | undefined | false)[], fallback: IncompleteReason): IncompleteReason | null {
  if (complete) return null;
  for (const r of reasons) if (r) return r;
  return fallback;
}

/** The fields every duplex result carries, in their published order; `extra` (many clients: peers, fairness) follows them. */
export function duplexResult(
  f: Pick<DuplexResult, 'startedAt' | 'complete' | 'incompleteReason' | 'mode' | 'config' | 'environment' | 'endpoints' | 'directions' | 'kernel' | 'warnings' | 'elapsedSeconds'>,
  extra: Pick<DuplexResult, 'peers' | 'fairness'> | Record<string, never> = {},
): DuplexResult {
  return {
    kind: 'duplex',
    schemaVersion: SCHEMA_VERSION,
    tool: { ...TOOL },
    startedAt: f.startedAt,
    complete: f.complete,
    incompleteReason: f.incompleteReason,
    mode: f.mode,
    config: f.config,
    environment: f.environment,
    endpoints: f.endpoints,
    // Voice directions get the E-model's estimate (media-quality.ts), each client's too.
    directions: f.directions.map((d) => withVoiceQuality(d, f.config)),
    kernel: f.kernel,
    warnings: f.warnings,
    elapsedSeconds: f.elapsedSeconds,
    ...(extra.peers === undefined ? cpuCostOf(f.endpoints) : {}),
    ...extra,
    ...(extra.peers === undefined ? {} : { peers: extra.peers.map((p) => ({ ...p, directions: p.directions.map((d) => withVoiceQuality(d, f.config)) })) }),
  };
}

/** The rate each way the cores projection is for (`CpuCost.coresFor100kEachWay`). */
const PROJECTION_PPS_EACH_WAY = 100_000;

/**
 * CPU per datagram carried (two-endpoint runs: a client group's members
 * share one thread's CPU, so `--clients` runs leave it out): all endpoint
 * threads' user + system time over the datagrams all of them sent. Every
 * carried datagram is sent once and received once (or lost), so this is the
 * cost of moving one datagram from one port to the other, both ends paid.
 * Absent when an endpoint's threads did not report their datagrams (older
 * peers).
 */
function cpuCostOf(endpoints: DuplexResult['endpoints']): Pick<DuplexResult, 'cpuCost'> {
  const threads = endpoints.flatMap((e) => e.cpu);
  if (endpoints.length !== 2 || threads.length === 0 || threads.some((c) => c.sentDatagrams === undefined)) return {};
  const cpuUs = threads.reduce((n, c) => n + c.userUs + c.systemUs, 0);
  const datagrams = threads.reduce((n, c) => n + (c.sentDatagrams ?? 0), 0);
  const per = datagrams > 0 ? cpuUs / datagrams : null;
  // Each way: 100k/s sent by each side, so 200k datagrams/s carried in all.
  return { cpuCost: { usPerDatagramCarried: per, datagrams, cpuUs, coresFor100kEachWay: per === null ? null : (per * 2 * PROJECTION_PPS_EACH_WAY) / 1e6 } };
}

/**
 * A local run's result (both endpoints here: `bench duplex`, `--clients N`):
 * incomplete when interrupted, when a sender did not report done in time, or
 * else when a worker's figures went missing.
 */
export function localDuplexResult(
  f: Pick<DuplexResult, 'startedAt' | 'complete' | 'config' | 'endpoints' | 'directions' | 'kernel' | 'warnings' | 'elapsedSeconds'> & { interrupted: boolean; sendersOk: boolean; environment: Environment },
  extra: Pick<DuplexResult, 'peers' | 'fairness'> | Record<string, never> = {},
): DuplexResult {
  const { interrupted, sendersOk, ...fields } = f;
  const incompleteReason = incompleteReasonOf(f.complete, [interrupted && 'interrupted', !sendersOk && 'sender-timeout'], 'worker-lost');
  return duplexResult({ ...fields, incompleteReason, mode: 'local' }, extra);
}
