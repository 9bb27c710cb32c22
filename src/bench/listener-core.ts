/**
 * The listener's control logic, without sockets: one method per control
 * message, one refusal helper that answers and logs, and the session table.
 * `bench listen` (listen.ts) owns the socket and the data phase and feeds
 * this every control frame; tests drive it in-process with a fake channel
 * and a fake clock (test/listener-core.test.ts).
 *
 * Before a session exists the listener is stateless (RFC 9000 §8.1 address
 * validation): a hello is only looked up, never stored; every reply before
 * a valid cookie is a single datagram no larger than the datagram it answers
 * (or none), so an address that never proves it receives gets no more bytes
 * than it sent, and never any test traffic. Parameters are read in full only
 * after their cookie checks out.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../udp/clock.js';
import { CONTROL_HEADER_BYTES, Kind } from '../udp/wire.js';
import type { RunConfig } from '../result/types.js';
import { CONTROL_VERSION, CookieJar, NonceMemory, formatPeer, frameTag, hmac, jsonBody, sameHex, sessionKey, type Incoming, type OutFrame, type PeerAddress } from './control.js';
import { bodyOf, readBody, type BodyOf } from './control-registry.js';
import { RateLimitedLog, printable, type LogKind } from './log-limit.js';
import { busyReason, checkAggregate, checkLimits, planSession } from './listen-limits.js';
import { PastClients, SessionTable } from './listen-sessions.js';
import { ListenerSession } from './listener-session.js';
import type { ListenConfig } from './listen.js';
import { DEFAULT_SEND_BATCH } from './defaults.js';

/** What the core sends through: the control channel's sending half (ControlChannel satisfies it). */
export interface ControlPort {
  send(f: OutFrame): number;
  setKey(peer: PeerAddress, key: Buffer | null): void;
}

/** How one refusal is answered: the reply's kind and reason, and the log line's kind and text (rate-limited). */
interface Refusal {
  reply: typeof Kind.Refuse | typeof Kind.Busy;
  reason: string;
  log: [LogKind, string] | null;
  /** Before address validation: at most the size of what it answers, or nothing. */
  small: boolean;
}

export interface ListenerCoreOptions {
  cfg: ListenConfig;
  /** The port the listener is bound to (its own, even when `--port 0` picked it). */
  port: number;
  ch: ControlPort;
  clock: Clock;
  log: (line: string) => void;
  limited: RateLimitedLog;
  /** Runs an accepted session to its end (the data phase); the core removes it from the table when it resolves. */
  runSession: (s: ListenerSession) => Promise<void>;
  /** Tests: session ids (default: random, 32 bits, never 0). */
  newId?: () => number;
}

export class ListenerCore {
  readonly sessions = new SessionTable<ListenerSession>();
  readonly cookies: CookieJar;
  /** The nonces of accepted sessions, for at least the cookie lifetime: a replayed hello or parameters message is recognised. */
  readonly nonces: NonceMemory;
  /** Sources whose session ended within the cookie lifetime: what they send that no session takes is logged as a replay. */
  readonly past: PastClients;
  /** Sessions ended so far. */
  served = 0;
  /** Why no new session starts (with `once` after the first ended, or when stopped), or `null`. */
  closing: string | null = null;
  /** Called when a session ends (the listener's wait checks whether it may exit). */
  onSessionEnded: (() => void) | null = null;
  private readonly o: ListenerCoreOptions;
  private readonly newId: () => number;

  constructor(o: ListenerCoreOptions) {
    this.o = o;
    this.cookies = new CookieJar(o.clock);
    this.nonces = new NonceMemory(o.clock, this.cookies.lifetimeNs, o.cfg.nonceMemoryEntries);
    this.past = new PastClients(this.cookies.lifetimeNs);
    this.newId = o.newId ?? (() => randomInt(1, 0xffffffff));
  }

  /** Every control frame the channel delivers. */
  handle(m: Incoming): void {
    switch (m.frame.kind) {
      case Kind.Hello:
        return this.onHello(m);
      case Kind.Params:
        return this.onParams(m);
      case Kind.Go:
        return this.onGo(m);
      case Kind.TimeProbe:
        return this.onTimeProbe(m);
      case Kind.Abort:
        return this.onAbort(m);
      case Kind.Results:
        return this.onLateResults(m);
      default:
        return;
    }
  }

  /** Stops every session (each ends with its own partial result and tells its client); no new one starts. */
  stopAll(): void {
    this.closing = 'this listener is shutting down';
    for (const s of this.sessions.values()) s.listenerStop();
  }

  /** One place that answers a refusal and logs it (or not). */
  private refuse(m: Incoming, r: Refusal): void {
    if (r.log !== null) this.o.limited.log(r.log[0], r.log[1]);
    const body = jsonBody({ reason: r.reason });
    // Before address validation, never more bytes than the datagram answered.
    if (r.small && body.length + CONTROL_HEADER_BYTES > m.bytes) return;
    this.o.ch.send({ to: m.from, kind: r.reply, session: 0, msgId: m.frame.msgId, body });
  }

  /** "Busy", logged: the cap of sessions, or this client's session still running. */
  private busy(m: Incoming, reason: string, small: boolean, detail = `${this.sessions.size} running`): void {
    this.refuse(m, { reply: Kind.Busy, reason, small, log: ['busy', `busy: answered ${formatPeer(m.from)} (${detail})`] });
  }

  /** Whether a frame of a session is authenticated as the listener requires (the channel already dropped bad tags). */
  private authentic(m: Incoming): boolean {
    return this.o.cfg.secret === null || m.auth === 'ok';
  }

  /**
   * A frame no running or lingering session takes: from a source that held a
   * session, a replay or a late retransmission, logged (rate-limited); from
   * anyone else, silence (no work for an unvalidated address).
   */
  private dropped(m: Incoming, what: string): void {
    const running = this.sessions.get(m.from);
    if (running !== undefined && running.id === m.frame.session) return;
    const now = this.o.clock.nowNs();
    const p = this.past.get(m.from, now);
    if (p === undefined) return;
    const ago = ((now - p.endedAtNs) / 1e9).toFixed(1);
    this.o.limited.log('replay', `dropped ${what} from ${formatPeer(m.from)}: its session ${p.id.toString(16)} ended ${ago} s ago (a replay or a late retransmission)`);
  }

  private onHello(m: Incoming): void {
    const body = bodyOf(m, Kind.Hello);
    const { cfg } = this.o;
    const from = formatPeer(m.from);
    if (body === null) return this.o.limited.log('malformed', `ignored a malformed hello from ${from}`);
    if (body.v !== CONTROL_VERSION) {
      return this.refuse(m, { reply: Kind.Refuse, reason: `control protocol version ${printable(body.v, 16)} not supported (this listener speaks ${CONTROL_VERSION})`, small: true, log: null });
    }
    if (cfg.secret !== null && !sameHex(body.auth, hmac(cfg.secret, 'hello', body.nonce))) {
      return this.refuse(m, { reply: Kind.Refuse, reason: 'authentication failed (wrong or missing shared secret)', small: true, log: ['refused', `refused ${from}: wrong or missing shared secret`] });
    }
    // Stateless until the parameters pass the cookie: a hello is only looked up, never stored (a flood of
    // hellos from spoofed addresses cannot fill any memory). A nonce that started a session is refused.
    if (this.nonces.spent(body.nonce)) {
      return this.refuse(m, { reply: Kind.Refuse, reason: 'nonce already used', small: true, log: ['replay', `refused ${from}: replayed hello (its nonce already started a session)`] });
    }
    // A client with a running session may repeat its hello (a lost cookie): it is not a new session.
    if (this.sessions.get(m.from) === undefined) {
      if (this.closing !== null) return this.refuse(m, { reply: Kind.Refuse, reason: this.closing, small: true, log: null });
      if (this.sessions.size >= cfg.maxClients) return this.busy(m, busyReason(this.sessions.size, cfg.maxClients), true);
    }
    // `you`: where this client's datagrams came from, as seen here (NAT shows as a difference, like STUN).
    const cookie = jsonBody({ cookie: this.cookies.issue(m.from), nonce: this.cookies.listenerNonce(m.from, body.nonce), auth: cfg.secret !== null, you: from });
    if (cookie.length + CONTROL_HEADER_BYTES <= m.bytes) this.o.ch.send({ to: m.from, kind: Kind.Cookie, session: 0, msgId: m.frame.msgId, body: cookie });
  }

  private onParams(m: Incoming): void {
    const f = m.frame;
    const { cfg, clock } = this.o;
    const from = formatPeer(m.from);
    // Only the cookie is looked at before the address is validated (CookieJar.valid takes any value); the
    // body is checked against its schema after, so an unvalidated address costs no schema walk.
    const raw = m.body as { nonce?: unknown; cookie?: unknown } | null;
    if (raw === null || typeof raw !== 'object' || typeof raw.nonce !== 'string') return this.o.limited.log('malformed', `ignored malformed parameters from ${from}`);
    if (!this.cookies.valid(m.from, raw.cookie)) {
      const p = this.past.get(m.from, clock.nowNs());
      // Not validated: no reply. A source that held a session is presenting a stale cookie: a replay, most likely.
      if (p !== undefined) return this.o.limited.log('replay', `ignored parameters from ${from}: stale cookie (its session ${p.id.toString(16)} ended; a replay?)`);
      return this.o.limited.log('bad-cookie', `ignored parameters from ${from}: no valid cookie for that address and port`);
    }
    // Validated only after the cookie: an unvalidated address gets no work and no reply.
    const { body, problem } = readBody(m, Kind.Params);
    if (problem !== null) {
      return this.refuse(m, {
        reply: Kind.Refuse,
        reason: `malformed test parameters at ${problem.path.slice(0, 80)}: ${problem.message}`,
        small: false,
        log: ['malformed', `refused ${from}: malformed parameters at ${printable(problem.path, 80)}: ${problem.message}`],
      });
    }
    const mine = this.sessions.get(m.from);
    // Retransmitted parameters: the same answer (tagged under the session key).
    if (mine !== undefined && mine.setup.nonce === body.nonce) return void this.o.ch.send({ to: m.from, kind: Kind.Accept, session: 0, msgId: f.msgId, body: mine.setup.acceptBody });
    if (this.nonces.spent(body.nonce)) return this.o.limited.log('replay', `refused ${from}: replayed parameters (their nonce already started a session)`);
    // The table is keyed by address and port: one session per client port at a time.
    if (mine !== undefined) return this.busy(m, `a session from ${from} is still running`, false);
    if (this.closing !== null) return this.refuse(m, { reply: Kind.Refuse, reason: this.closing, small: false, log: null });
    if (this.sessions.size >= cfg.maxClients) return this.busy(m, busyReason(this.sessions.size, cfg.maxClients), false);
    // With a secret, the parameters must carry a tag under the session key only a holder of the secret can derive.
    const key = cfg.secret === null ? null : sessionKey(cfg.secret, body.nonce, this.cookies.listenerNonce(m.from, body.nonce));
    if (key !== null && (f.tag === null || !timingSafeEqual(f.tag, frameTag(key, f.signed)))) {
      return this.refuse(m, { reply: Kind.Refuse, reason: 'authentication failed (wrong or missing shared secret)', small: false, log: ['refused', `refused ${from}: parameters without a valid authentication tag`] });
    }
    // What this side sends comes from its own reading of the client's pattern, never from the client's figures.
    const own = planSession(body.params, body.config);
    if (typeof own === 'string') return this.refuse(m, { reply: Kind.Refuse, reason: own, small: false, log: ['refused', `refused ${from}: ${own}`] });
    const why = checkLimits(own.params, own.load, cfg) ?? checkAggregate(own.load, this.sessions.values().map((s) => s.setup.load), cfg.maxTotalRate);
    if (why !== null) return this.refuse(m, { reply: Kind.Refuse, reason: why, small: false, log: ['refused', `refused ${from}: ${why}`] });
    // The first state kept for this client: its address is validated, its parameters are acceptable (and tagged).
    if (!this.nonces.spend(body.nonce)) {
      return this.busy(m, 'too many recent sessions; try again in a minute', false, `nonce memory full: ${this.nonces.maxEntries} sessions started in the last ${Math.round(this.cookies.lifetimeNs / 1e9)} s`);
    }
    if (key !== null) this.o.ch.setKey(m.from, key);
    this.accept(m, body, own, key);
  }

  /** Keeps the session, answers the accept and starts it. */
  private accept(m: Incoming, body: BodyOf<typeof Kind.Params>, own: Exclude<ReturnType<typeof planSession>, string>, key: Buffer | null): void {
    const { cfg } = this.o;
    const p = own.params;
    // A fresh id, also among the running sessions: it names this session's result file.
    let id = this.newId();
    while (this.sessions.values().some((s) => s.id === id)) id = this.newId();
    const acceptBody = jsonBody({ session: id, threads: cfg.threads });
    const clientCfg: RunConfig = body.config;
    // The result's config is the client's (so both sides print the same
    // result); what this side runs comes from the negotiated parameters.
    const runCfg: RunConfig = {
      ...clientCfg,
      patternBa: own.patternBa,
      host: cfg.host,
      family: cfg.family,
      port: this.o.port,
      sizeBytes: p.sizeBytes,
      rateAbPps: p.rateAbPps,
      rateBaPps: p.rateBaPps,
      durationSeconds: p.durationSeconds,
      omitSeconds: p.omitSeconds,
      rcvbufBytes: p.rcvbufBytes,
      sndbufBytes: p.sndbufBytes,
      peerTimeoutSeconds: p.peerTimeoutSeconds,
      threads: cfg.threads,
      sendBatch: DEFAULT_SEND_BATCH[cfg.threads],
    };
    const s = new ListenerSession({ id, client: m.from, nonce: body.nonce, key, params: p, load: own.load, acceptBody, cfg: runCfg, clientCfg, startedAt: body.startedAt, acceptedAtNs: this.o.clock.nowNs() });
    this.sessions.add(s);
    this.o.ch.send({ to: m.from, kind: Kind.Accept, session: 0, msgId: m.frame.msgId, body: acceptBody });
    const others = this.sessions.size - 1;
    this.o.log(`session ${id.toString(16)} with ${formatPeer(m.from)}` + (others > 0 ? ` (${others} other session${others === 1 ? '' : 's'} running)` : ''));
    const rateOf = (pps: number): string => (Number.isFinite(pps) ? `${Math.round(pps)}/s` : 'max');
    this.o.log(`session ${id.toString(16)}: ${p.durationSeconds} s, ${p.sizeBytes} B, A→B ${rateOf(own.load.ab.pps)}, B→A ${rateOf(own.load.ba.pps)}`);
    void this.o.runSession(s).finally(() => this.ended(s));
  }

  private ended(s: ListenerSession): void {
    this.sessions.remove(s);
    this.past.ended(s.client, s.id, this.o.clock.nowNs());
    this.served++;
    if (this.o.cfg.once) this.closing ??= 'this listener is closing (--once: its first session has ended)';
    this.onSessionEnded?.();
  }

  /** The session a frame of a running session belongs to, authenticated as required; `null` (and a replay logged) otherwise. */
  private sessionOf(m: Incoming, what: string): ListenerSession | null {
    const s = this.sessions.get(m.from);
    if (s === undefined || m.frame.session !== s.id) {
      this.dropped(m, what);
      return null;
    }
    // The channel already dropped bad tags; an untagged frame is not enough.
    return this.authentic(m) ? s : null;
  }

  private onGo(m: Incoming): void {
    const s = this.sessionOf(m, 'a go');
    if (s === null) return;
    const now = this.o.clock.nowNs();
    const offsetNs = bodyOf(m, Kind.Go)?.offsetNs;
    const a = s.go(now, offsetNs);
    if (a !== null) this.o.ch.send({ to: m.from, kind: Kind.GoAck, session: s.id, msgId: m.frame.msgId, body: jsonBody({ startInMs: a.startInMs, echoNs: m.frame.sendTimeNs }) });
  }

  /** A clock probe of a running session: t1 echoed, t2 its arrival, t3 the reply's timestamp (clock-sync.ts). */
  private onTimeProbe(m: Incoming): void {
    const t2 = m.arrivalNs;
    const s = this.sessionOf(m, 'a clock probe');
    if (s === null || !s.probe()) return;
    this.o.ch.send({ to: m.from, kind: Kind.TimeReply, session: s.id, msgId: m.frame.msgId, body: jsonBody({ t1: m.frame.sendTimeNs, t2 }), sendTimeNs: this.o.clock.nowNs() });
  }

  /** A client that gives up before its go frees its place at once; in the data phase, session.ts handles its abort. */
  private onAbort(m: Incoming): void {
    const s = this.sessions.get(m.from);
    if (s === undefined) return this.dropped(m, 'an abort');
    if (m.frame.session === s.id && this.authentic(m)) s.clientAbort();
  }

  /** A client that missed a session's last acknowledgement keeps resending its results: answered for the linger. */
  private onLateResults(m: Incoming): void {
    if (this.sessions.lingers(m.from, m.frame.session, this.o.clock.nowNs())) this.o.ch.send({ to: m.from, kind: Kind.Ack, session: m.frame.session, msgId: m.frame.msgId, body: jsonBody({ i: m.frame.chunkIndex }) });
    else this.dropped(m, 'a results chunk');
  }
}
