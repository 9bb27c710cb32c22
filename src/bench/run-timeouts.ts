/**
 * How long each phase of a run may take, declared once for the local run
 * (phases.ts) and the remote data phase (session.ts), which share the
 * skeleton: senders send for `runMs` (warm-up + measured time) and then
 * report done; receivers see every peer's end marker; workers hand over their
 * partial results. Each wait is a backstop for a wedged worker or a peer
 * gone silent, never the expected path: a healthy run ends long before.
 */

/** After the planned send time, a sender has this long to report that it is done (a slow event loop under overload). */
export const SEND_DONE_SLACK_MS = 30_000;
/** After the planned send time, a receiver has this long to see the end markers (the peer's sender may be late too). */
export const END_SEEN_SLACK_MS = 60_000;
/** A worker has this long to hand over its partial result once asked. */
export const FINISH_TIMEOUT_MS = 10_000;

/** The deadlines of one run of `runMs` planned send time. */
export function runDeadlines(runMs: number): { sendDoneMs: number; endSeenMs: number; finishMs: number } {
  return { sendDoneMs: runMs + SEND_DONE_SLACK_MS, endSeenMs: runMs + END_SEEN_SLACK_MS, finishMs: FINISH_TIMEOUT_MS };
}
