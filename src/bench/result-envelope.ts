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
    ...extra,
    ...(extra.peers === undefined ? {} : { peers: extra.peers.map((p) => ({ ...p, directions: p.directions.map((d) => withVoiceQuality(d, f.config)) })) }),
  };
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
