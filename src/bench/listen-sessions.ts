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

/** What the listener remembers of a client whose session ended. */
export interface PastSession {
  id: number;
  endedAtNs: number;
}

/**
 * Sources that held a session recently (issue 21): a frame from one of them
 * that no running or lingering session takes — a go, a clock probe, an
 * abort, a results chunk of an ended session, parameters with a stale
 * cookie — is a replay or a late retransmission, and the operator should
 * see it (rate-limited, as every event). Bounded: at most `maxEntries`
 * sources, each for `keepNs` (the cookie lifetime: a replayed handshake is
 * recognised by its nonce that long); the oldest go first.
 */
export class PastClients {
  /** `address:port` → its last session; in insertion order, which is end order. */
  private readonly past = new Map<string, PastSession>();
  constructor(
    private readonly keepNs: number,
    readonly maxEntries = 4096,
  ) {}

  /** Remembers that `client`'s session `id` ended at `nowNs`. */
  ended(client: PeerAddress, id: number, nowNs: number): void {
    const key = formatPeer(client);
    this.past.delete(key);
    this.past.set(key, { id, endedAtNs: nowNs });
    this.evict(nowNs);
    while (this.past.size > this.maxEntries) this.past.delete(this.past.keys().next().value as string);
  }

  /** The last session of `client`, if it ended less than `keepNs` ago. */
  get(client: PeerAddress, nowNs: number): PastSession | undefined {
    const p = this.past.get(formatPeer(client));
    return p !== undefined && nowNs - p.endedAtNs < this.keepNs ? p : undefined;
  }

  private evict(nowNs: number): void {
    for (const [k, p] of this.past) {
      if (nowNs - p.endedAtNs < this.keepNs) break;
      this.past.delete(k);
    }
  }
}
