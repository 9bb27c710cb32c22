/**
 * One accepted session of `bench listen`, as a state machine (the shape of
 * iperf3's named states with one transition function, and of irtt's
 * per-client connection with one method per message). The handshake before
 * it (hello → cookie → parameters) is stateless on the listener's side
 * (listener-core.ts): a session exists only once its client's address is
 * validated and its parameters accepted.
 *
 *   binding ──bound──▶ awaiting-go ──go──▶ running ──finished──▶ lingering ──linger-over──▶ done
 *      │                   │                  │
 *      ├──client-abort─────┼──▶ gave-up       └──error──▶ failed
 *      ├──stop─────────────┼──▶ stopped
 *      │                   └──go-timeout──▶ no-go
 *      └──error──▶ failed
 *
 * `running` covers the data phase, the drain and the results exchange
 * (session.ts runs them; a stop there ends the phase early with an
 * `interrupted` result, which still finishes). `lingering`: the session's
 * result is out, and late results chunks of its client are still
 * acknowledged (listen-sessions.ts). Pure: no sockets, no timers; the
 * listener feeds it events and the clock.
 */
import type { RunConfig } from '../result/types.js';
import type { NegotiatedParams, PeerAddress } from './control.js';
import type { SessionLoad } from './listen-limits.js';

/** Where a session is. Terminal: `done`, `gave-up`, `stopped`, `no-go`, `failed`. */
export type SessionState = 'binding' | 'awaiting-go' | 'running' | 'lingering' | 'done' | 'gave-up' | 'stopped' | 'no-go' | 'failed';

/** What moves a session. */
export type SessionEvent = 'bound' | 'go' | 'client-abort' | 'stop' | 'go-timeout' | 'finished' | 'linger-over' | 'error';

/** Every transition there is; an event not listed for a state leaves it where it is. */
const TRANSITIONS: { readonly [S in SessionState]: { readonly [E in SessionEvent]?: SessionState } } = {
  binding: { bound: 'awaiting-go', 'client-abort': 'gave-up', stop: 'stopped', error: 'failed' },
  'awaiting-go': { go: 'running', 'client-abort': 'gave-up', stop: 'stopped', 'go-timeout': 'no-go', error: 'failed' },
  running: { finished: 'lingering', error: 'failed' },
  lingering: { 'linger-over': 'done' },
  done: {},
  'gave-up': {},
  stopped: {},
  'no-go': {},
  failed: {},
};

/** The one transition function: the next state, or `null` when `event` does not apply in `state`. */
export function transition(state: SessionState, event: SessionEvent): SessionState | null {
  return TRANSITIONS[state][event] ?? null;
}

/** Whether a state is final. */
export function isTerminal(state: SessionState): boolean {
  return Object.keys(TRANSITIONS[state]).length === 0;
}

/** Clock probes answered per session: two bursts of the client's (clock-probe.ts), with room for a retry. */
export const MAX_PROBES_PER_SESSION = 64;
import { START_DELAY_MS } from './defaults.js';

/** What the listener fixed when it accepted the session. */
export interface SessionSetup {
  id: number;
  client: PeerAddress;
  /** The client's nonce (a retransmitted parameters message carries it again). */
  nonce: string;
  /** The session key (with a secret); `null` without one. */
  key: Buffer | null;
  params: NegotiatedParams;
  /** What each direction carries, as this listener reckons it (for the total cap). */
  load: SessionLoad;
  /** The accept body, resent as it was to a retransmitted parameters message. */
  acceptBody: Buffer;
  /** What this side runs. */
  cfg: RunConfig;
  /** The client's configuration: the result's, so both sides print the same result. */
  clientCfg: RunConfig;
  startedAt: string;
  /** When this listener accepted the session (its clock, ns). */
  acceptedAtNs: number;
}

/** One session: its setup, its state, and what its messages changed. */
export class ListenerSession {
  state: SessionState = 'binding';
  /** When traffic starts (this listener's clock, ns); `null` until the go. */
  startAtNs: number | null = null;
  /** The client's estimate of this side's clock (this − client, ns), from its go; `null` without one. */
  offsetNs: number | null = null;
  /** Clock probes answered (bounded by {@link MAX_PROBES_PER_SESSION}). */
  probes = 0;
  /** Stops this session alone (the listener's stop reaches every session through it). */
  readonly stop = new AbortController();
  /** Called after every change of state (the listener wakes its waits on it). */
  onState: ((s: ListenerSession, from: SessionState, event: SessionEvent) => void) | null = null;

  constructor(readonly setup: SessionSetup) {}

  get id(): number {
    return this.setup.id;
  }

  get client(): PeerAddress {
    return this.setup.client;
  }

  /** Applies `event`; returns whether the state changed. */
  fire(event: SessionEvent): boolean {
    const from = this.state;
    const next = transition(from, event);
    if (next === null) return false;
    this.state = next;
    this.onState?.(this, from, event);
    return true;
  }

  /**
   * A go (authenticated where required): the first one in `awaiting-go`
   * starts the session {@link START_DELAY_MS} from now; a repeated one (a lost
   * go-ack) is answered with the time left. Before the endpoint is bound, or
   * after the session ran, a go is not answered (`null`).
   */
  go(nowNs: number, offsetNs: number | undefined): { startInMs: number } | null {
    if (this.state === 'awaiting-go') {
      if (this.offsetNs === null && offsetNs !== undefined) this.offsetNs = offsetNs;
      this.startAtNs = nowNs + START_DELAY_MS * 1e6;
      this.fire('go');
    } else if (this.state !== 'running' || this.startAtNs === null) return null;
    return { startInMs: Math.max(0, (this.startAtNs - nowNs) / 1e6) };
  }

  /** A clock probe: whether to answer it (at most {@link MAX_PROBES_PER_SESSION} per session). */
  probe(): boolean {
    return ++this.probes <= MAX_PROBES_PER_SESSION;
  }

  /** The client gave up (an abort): honoured before the go only (in the data phase, session.ts handles it). Returns whether it ended the session. */
  clientAbort(): boolean {
    if (!this.fire('client-abort')) return false;
    this.stop.abort();
    return true;
  }

  /** The listener stops: every session is told; one not yet started ends here, a running one ends its data phase with a partial result. */
  listenerStop(): void {
    this.fire('stop');
    this.stop.abort();
  }
}
