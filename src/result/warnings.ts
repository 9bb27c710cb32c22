/**
 * Warnings as structured data: a code and its figures, and one table that
 * turns them into the sentence a reader sees (iperf3 keeps one table of
 * error texts the same way). Producers (src/bench) hand over figures and
 * never write the text. The result keeps the sentence (`message`): the
 * figures are not written into it, which would change the result format
 * that every reader of schema 2 checks (a closed object).
 */
import { formatRate } from './numbers.js';
import type { RunWarning, WarningCode } from './types.js';
import type { DirectionLabel } from './types.js';

type Dir = DirectionLabel;

/** The figures each code carries. */
export interface WarningFigures {
  undersent: { direction: Dir; offeredPps: number; sentPps: number };
  'check-disagrees': { direction: Dir; lost: number; lostBySequence: number; kernelDrops: number | null; note: string | null };
  'rcvbuf-clamped': { requestedBytes: number; effectiveBytes: number; sysctl: string; cap: string | null };
  'sndbuf-clamped': { requestedBytes: number; effectiveBytes: number; sysctl: string; cap: string | null };
  /** `endpoint`: the side (remote mode) that missed its peer's marker; else `senders` said their counts (local mode). */
  'no-end-marker': { endpoint: 'A' | 'B' | null; senders: number };
  'no-proc': { source: string };
  'peer-timeout': { silentMs: number; peerTimeoutSeconds: number };
  'no-peer-results': { endpoint: 'A' | 'B' };
  'peer-report-refused': { peer: 'client' | 'listener'; path: string; reason: string };
  'search-stopped': { detail: string };
  'loss-not-checked': { direction: Dir; why: string };
}

type Code = keyof WarningFigures & WarningCode;

/** The one table: each code's sentence from its figures. */
const TEXT: { readonly [C in Code]: (f: WarningFigures[C]) => string } = {
  undersent: (f) =>
    `${f.direction} undersent: offered ${formatRate(f.offeredPps)}/s, sent ${formatRate(f.sentPps)}/s (${Math.round((f.sentPps / f.offeredPps) * 100)} %): the sender, not the network, was the limit; its loss figures describe the lower rate`,
  'check-disagrees': (f) =>
    `${f.direction} loss check disagrees: sent − received = ${f.lost}, by sequence ${f.lostBySequence}, kernel drops ${f.kernelDrops ?? 'n/a'}${f.note === null ? '' : ` (${f.note})`}`,
  'rcvbuf-clamped': (f) => clampedText('rcvbuf', f),
  'sndbuf-clamped': (f) => clampedText('sndbuf', f),
  'no-end-marker': (f) =>
    f.endpoint !== null
      ? `endpoint ${f.endpoint} did not see the peer's end marker`
      : f.senders > 1
        ? 'a receiver did not see all its end markers within the drain time; losses are still exact (the senders reported their counts)'
        : 'a receiver did not see its end marker within the drain time; losses are still exact (the sender reported its count)',
  'no-proc': (f) => `kernel counters unavailable (${f.source}); loss cannot be attributed to kernel drops`,
  'peer-timeout': (f) => `nothing heard from the peer for ${(f.silentMs / 1000).toFixed(1)} s (--peer-timeout ${f.peerTimeoutSeconds} s): stopped sending`,
  'no-peer-results': (f) => `the peer's results did not arrive: each direction shows only what endpoint ${f.endpoint} observed`,
  'peer-report-refused': (f) => `the ${f.peer}'s results were refused at ${f.path}: ${f.reason}; only this side's figures are shown`,
  'search-stopped': (f) => f.detail,
  'loss-not-checked': (f) => f.why,
};

function clampedText(kind: 'rcvbuf' | 'sndbuf', f: WarningFigures['rcvbuf-clamped']): string {
  return `--${kind} ${f.requestedBytes} bytes was clamped: the kernel gave ${f.effectiveBytes} bytes (${f.sysctl} = ${f.cap ?? 'unknown'} caps the request; the kernel doubles what it grants)`;
}

/** A warning of `code` with its figures, its sentence, and the direction or hint where the code has one. */
export function makeWarning<C extends Code>(code: C, figures: WarningFigures[C], extra: Pick<RunWarning, 'hint'> = {}): RunWarning {
  const direction = (figures as { direction?: Dir }).direction;
  return {
    code,
    ...(direction === undefined ? {} : { direction }),
    message: (TEXT[code] as (f: WarningFigures[C]) => string)(figures),
    ...extra,
  };
}
