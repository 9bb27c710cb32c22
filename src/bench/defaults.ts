/**
 * The timeouts and delays of a run and of the control protocol, declared
 * once (the datagram-level figures are in udp/defaults.ts).
 *
 * How long each phase of a run may take, for the local run (phases.ts) and
 * the remote data phase (session.ts), which share the skeleton: senders send for `runMs` (warm-up + measured time) and then
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

/** How long the receivers may take to see the end markers after the senders finish. */
export const DRAIN_TIMEOUT_MS = 2000;
/** Extra wait after the end markers, for datagrams reordered behind them. */
export const DRAIN_GRACE_MS = 50;

/** Remote mode: each control exchange (hello, params, go) before giving up. */
export const CONTROL_TIMEOUT_MS = 10_000;
/** The agreed delay between the go and the start of traffic. */
export const START_DELAY_MS = 300;
/** How long a listener waits for a client's go before giving up the session. */
export const GO_TIMEOUT_MS = 10_000;
/** After a session, stale results chunks from its client are still acknowledged this long. */
export const LINGER_MS = 5_000;

/**
 * Datagrams a sender sends per event-loop turn before it yields to receives:
 * small in single mode (libuv reads at most 32 per poll, and the same loop
 * must read), larger for a sender-only thread.
 */
export const DEFAULT_SEND_BATCH: { readonly single: number; readonly split: number } = { single: 16, split: 64 };

/** Jitter-buffer playout delays reported per direction, ms (`--playout`). */
export const DEFAULT_PLAYOUT_MS: readonly number[] = [20, 40, 60, 80, 100, 150, 200];
/** The late share a playout delay is sized for, % (`--max-late`): 1 %, a common target for voice (ITU-T G.1010 §7, packet loss for conversational voice). */
export const DEFAULT_MAX_LATE_PERCENT = 1;
/** The codec voice directions are judged as (`--codec`): G.711 with packet-loss concealment, the common case. */
export const DEFAULT_CODEC = 'g711';
