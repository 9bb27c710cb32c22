/**
 * The figures of a direction as every printer shows them: `null` wherever
 * nobody observed the figure, enforced here once rather than trusted per
 * printer. A figure derived from an unobserved one is itself unobserved (a
 * loss % without `lost`, a rate without its count), and a schema-1 style
 * partial result whose missing side was written as 0 (`observedBy`) prints
 * `n/a`, never 0 and never a copy of the other side's figure.
 */

import type { DirectionResult, LossAttribution, LossCheck } from '../result/types.js';

/** The observed figures of a direction; `null` = not observed. */
export interface ObservedFigures {
  sent: number | null;
  received: number | null;
  lost: number | null;
  lossPercent: number | null;
  duplicates: number | null;
  reordered: number | null;
  late: number | null;
  foreign: number | null;
  sentPps: number | null;
  receivedPps: number | null;
  bitsPerSecond: number | null;
  /** Measured by the receiver, like the delay (see `formatDelay`). */
  jitterMs: number | null;
  /** One-way delay percentiles, µs (receiver-measured too). */
  latencyUs: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  lossAttribution: LossAttribution | null;
}

/** Whether the receiving side's figures exist (not a partial remote result missing them). */
export function receiverSeen(direction: Pick<DirectionResult, 'observedBy'>): boolean {
  return direction.observedBy !== 'sender';
}

/** Whether the sending side's figures exist. */
export function senderSeen(direction: Pick<DirectionResult, 'observedBy'>): boolean {
  return direction.observedBy !== 'receiver';
}

/** `value` when `known`, else `null`. */
function when(known: boolean, value: number | null): number | null {
  return known ? value : null;
}

/** The figures of `direction` with every unobserved one (and everything derived from it) `null`. */
export function observedFigures(direction: DirectionResult): ObservedFigures {
  const byReceiver = receiverSeen(direction);
  const sent = direction.sent;
  const received = when(byReceiver, direction.received);
  // `lost` is `sent − received`: without either it is unknown, whatever the file says.
  const lost = sent === null || received === null ? null : direction.lost;
  return {
    sent,
    received,
    lost,
    lossPercent: lost === null ? null : direction.lossPercent,
    duplicates: when(byReceiver, direction.duplicates),
    reordered: when(byReceiver, direction.reordered),
    late: when(byReceiver, direction.late),
    foreign: when(byReceiver, direction.foreign),
    sentPps: sent === null ? null : direction.sentPps,
    receivedPps: received === null ? null : direction.receivedPps,
    bitsPerSecond: received === null ? null : direction.bitsPerSecond,
    jitterMs: when(byReceiver, direction.jitterMs),
    latencyUs: {
      p50: when(byReceiver, direction.latencyUs.p50),
      p90: when(byReceiver, direction.latencyUs.p90),
      p99: when(byReceiver, direction.latencyUs.p99),
      max: when(byReceiver, direction.latencyUs.max),
    },
    lossAttribution: lost === null ? null : direction.lossAttribution,
  };
}

/**
 * The direction's loss check. Files are upgraded by the reader (`upgrade.ts`),
 * but a result printed straight from memory by a producer that predates
 * schema 2 has none: it then reads as "nothing checked", never as a
 * disagreement, and the printers do not crash after a long run.
 */
export function lossCheckOf(direction: DirectionResult): LossCheck {
  const check = direction.check as LossCheck | undefined;
  return check ?? { lostBySequence: null, kernelDrops: direction.kernelDrops, agree: true, note: 'no check recorded in this result' };
}
