/**
 * The hooks every scenario takes (local run, remote client, listener, search,
 * sweep): one base interface, extended per scenario with its own callbacks.
 * None touches the terminal; the CLI decides what a notice looks like.
 */
import type { Clock } from '../udp/clock.js';
import type { RunWarning } from '../result/types.js';
import type { DirectionLabel } from '../result/types.js';

/** One per-second progress sample of one direction, for live display. */
export interface ProgressSample {
  direction: DirectionLabel;
  fromSeconds: number;
  toSeconds: number;
  /** Datagrams sent in the interval; `null` where this side does not see the sender (remote mode). */
  sent: number | null;
  /** Datagrams received in the interval; `null` where this side does not see the receiver (remote mode). */
  received: number | null;
  /** Datagrams lost in the interval by sequence; `null` where this side does not see the receiver. */
  lost: number | null;
  omitted: boolean;
}

/** What every scenario's hooks share. */
export interface BaseHooks {
  /** Aborting stops the senders, drains, and returns a result with `complete: false`. */
  signal?: AbortSignal;
  /** The one monotonic clock (injectable in tests); default: `createMonotonicClock()`. */
  clock?: Clock;
  /** Remote mode: the shared secret (never saved in the result), or `null`. */
  secret?: string | null;
  /** One-line notices for the user (remote-mode phases, refusals, …). */
  onNotice?: (line: string) => void;
  /** Once per distinct warning, the first time a run reports it (searches and sweeps). */
  onWarning?: (warning: RunWarning) => void;
}

/** Hooks of one duplex run (local or remote). */
export interface RunHooks extends BaseHooks {
  /** Called once per second per direction. */
  onProgress?: (sample: ProgressSample) => void;
  /** Called once both endpoints are bound and peered, before traffic starts. */
  onReady?: (endpoints: { id: 'A' | 'B'; address: string; port: number }[]) => void;
  /** `--clients N`, single threads: client threads to spread the clients over (default: the machine's cores; tests set it). */
  clientThreads?: number;
}

/** The base hooks of `hooks` that are set, for passing on to a nested run (exactOptionalPropertyTypes-safe). */
export function baseHooksOf(hooks: BaseHooks): BaseHooks {
  const out: BaseHooks = {};
  if (hooks.signal !== undefined) out.signal = hooks.signal;
  if (hooks.clock !== undefined) out.clock = hooks.clock;
  if (hooks.secret !== undefined) out.secret = hooks.secret;
  if (hooks.onNotice !== undefined) out.onNotice = hooks.onNotice;
  return out;
}
