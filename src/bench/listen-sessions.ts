/**
 * The listener's session table: the sessions it runs at once, keyed by the
 * client's address and port (the key the control channel, the cookie and
 * the session HMAC key are bound to), and the sessions that ended recently
 * and still acknowledge their client's late results chunks (the linger).
 * Knows nothing about sockets or frames.
 */
import { formatPeer, type PeerAddress } from './control.js';

/** What the table needs of a session. */
export interface TableEntry {
  id: number;
  client: PeerAddress;
}

/** Sessions by client address:port; ended ones linger by client and session id until their deadline. */
export class SessionTable<S extends TableEntry> {
  private readonly running = new Map<string, S>();
  /** `address:port#id` → deadline (monotonic ns). */
  private readonly lingering = new Map<string, number>();

  /** How many sessions run. */
  get size(): number {
    return this.running.size;
  }

  /** The session of a client address and port, if one runs. */
  get(client: PeerAddress): S | undefined {
    return this.running.get(formatPeer(client));
  }

  /** Adds a session; its client must not have one running. */
  add(s: S): void {
    const key = formatPeer(s.client);
    if (this.running.has(key)) throw new Error(`a session from ${key} is already running`);
    this.running.set(key, s);
  }

  /** Removes a session (if it is still the one of its client). */
  remove(s: S): void {
    const key = formatPeer(s.client);
    if (this.running.get(key) === s) this.running.delete(key);
  }

  /** The running sessions, in the order they were added. */
  values(): S[] {
    return [...this.running.values()];
  }

  /** Marks a session's client as lingering until `untilNs`; expired entries go at the same time. */
  linger(s: TableEntry, untilNs: number, nowNs: number): void {
    for (const [k, until] of this.lingering) if (until <= nowNs) this.lingering.delete(k);
    this.lingering.set(`${formatPeer(s.client)}#${s.id}`, untilNs);
  }

  /** Whether `session` of `client` ended less than its linger ago. */
  lingers(client: PeerAddress, session: number, nowNs: number): boolean {
    const until = this.lingering.get(`${formatPeer(client)}#${session}`);
    return until !== undefined && nowNs < until;
  }
}
