/**
 * `bench listen`: the listener side of remote mode, on one UDP port.
 *
 * The listener runs up to `--max-clients` sessions at once, one per client
 * address and port (the session table, listen-sessions.ts). Each session
 * goes through its own state machine:
 *   (hello → cookie, stateless) ─params+cookie→ accepted
 *   → endpoint bound → go ⇄ go-ack → running → draining → results → ended (linger)
 * A client over the cap is answered "busy"; parameters that would push the
 * sum of the running sessions' rates over `--max-rate` are refused. The
 * listener keeps listening after every session, failed ones included.
 *
 * Sockets. Every session's data sockets join the listener's one port. Each
 * session's receiving socket is connected to its client (single mode too,
 * `connectPeer`), so Linux delivers each client's datagrams to its own
 * session; the control socket, unconnected, gets every other client's
 * (../shared notes: a connected socket is preferred for its peer's
 * datagrams). Control frames a client sends to its session's data socket
 * are relayed to the control channel.
 *
 * Address validation (RFC 9000 §8.1): before a client echoes a valid cookie,
 * every reply is a single datagram no larger than the datagram it answers, so
 * the listener never sends an address more bytes than it received from it,
 * and never any test traffic.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Static } from 'typebox';
import { createMonotonicClock } from '../udp/clock.js';
import { bindSocket, closeSocket } from '../udp/socket.js';
import { CONTROL_HEADER_BYTES, Kind } from '../udp/wire.js';
import type { DuplexResult, RunConfig, ThreadMode } from '../report/schema.js';
import { ControlChannel, CONTROL_VERSION, CookieJar, NonceMemory, formatPeer, frameTag, hmac, jsonBody, sameHex, sessionKey, type Incoming, type NegotiatedParams, type PeerAddress } from './control.js';
import { RateLimitedLog, printable } from './log-limit.js';
import { GoBody, HelloBody, ParamsBody, firstProblem, matches } from './control-schema.js';

/** Clock probes answered per session: two bursts of the client's (clock-probe.ts), with room for a retry. */
const MAX_PROBES_PER_SESSION = 64;
import type { Endpoint } from './endpoint.js';
import { buildRemoteResult, openRemoteEndpoint, peerReportRefused, runDataPhase, type RemoteReport } from './session.js';
import { parseResultFile } from '../report/read.js';
import type { BaseHooks, ProgressSample } from './hooks.js';
import { busyReason, checkAggregate, checkLimits, planSession, type RateCap, type SessionLoad } from './listen-limits.js';
import { PastClients, SessionTable } from './listen-sessions.js';

/** Resolved `bench listen` options. */
export interface ListenConfig {
  host: string;
  family: 4 | 6;
  port: number;
  threads: ThreadMode;
  secret: string | null;
  /** Highest rate per direction one session may ask for (datagrams/s or payload bits/s); `null` = no limit. */
  maxRate: RateCap | null;
  /** Highest rate per direction summed over the running sessions; `null` = no limit (the CLI defaults it to `maxRate`). */
  maxTotalRate: RateCap | null;
  maxDurationSeconds: number | null;
  /** Most sessions at once (1 = one at a time). */
  maxClients: number;
  /** Exit after the first session ends (sessions already running by then finish first). */
  once: boolean;
  /** Internal (tests): most spent nonces remembered at once; default 65,536. */
  nonceMemoryEntries?: number;
}

/** Which session a result or a progress line belongs to, as this listener names it. */
export interface SessionInfo {
  /** The session id this listener generated. */
  session: number;
  /** The port this listener is bound to (its own, even when `--port 0` picked it). */
  port: number;
}

/** Hooks: everything the listener wants to say goes through these. */
export interface ListenHooks extends Pick<BaseHooks, 'signal' | 'clock'> {
  onLog?: (line: string) => void;
  onProgress?: (s: ProgressSample, info: SessionInfo) => void;
  /** Called after every session that got as far as the data phase. */
  onResult?: (result: DuplexResult, info: SessionInfo) => void;
  /** Called once the port is bound. */
  onListening?: (address: string, port: number) => void;
}

/** How long the listener waits for a client's go before giving up the session. */
const GO_TIMEOUT_MS = 10_000;
/** The agreed delay between the go and the start of traffic. */
const START_DELAY_MS = 300;
/** After a session, stale results chunks from its client are still acknowledged this long. */
const LINGER_MS = 5_000;

/** One accepted session, from the accept to its end. */
interface Session {
  id: number;
  client: PeerAddress;
  nonce: string;
  /** The session key (with a secret): removed after the linger unless a newer session of the client replaced it. */
  key: Buffer | null;
  params: NegotiatedParams;
  /** What each direction carries, as this listener reckons it (for the total cap). */
  load: SessionLoad;
  acceptBody: Buffer;
  ep: Endpoint | null;
  /** The endpoint is bound and connected: a go may start the session. */
  ready: boolean;
  startAtNs: number;
  /** Set while the session waits for its go; starts it. */
  go: (() => void) | null;
  /** Stops this session alone (the listener's own signal stops all of them through it). */
  stop: AbortController;
  /** The client said it gave up before its go. */
  gaveUp: boolean;
  /** Clock probes answered in this session (bounded by {@link MAX_PROBES_PER_SESSION}). */
  probes: number;
  /** The client's estimate of this side's clock (this − client, ns), from its go; `null` without one. */
  offsetNs: number | null;
  cfg: RunConfig;
  clientCfg: RunConfig;
  startedAt: string;
  /** When this listener accepted the session (its clock). */
  acceptedAtNs: number;
}

/**
 * Listens until aborted (or, with `once`, until the first session has ended
 * and no other runs). Resolves with the number of sessions served. Rejects
 * only if the port cannot be bound.
 */
export async function runListener(cfg: ListenConfig, hooks: ListenHooks = {}): Promise<number> {
  const clock = hooks.clock ?? createMonotonicClock();
  const log = (line: string): void => hooks.onLog?.(line);
  const bound = await bindSocket({ family: cfg.family, address: cfg.host, port: cfg.port, reuseAddr: true, rcvbufBytes: null, sndbufBytes: null });
  bound.socket.on('error', () => undefined);
  const ch = new ControlChannel(bound.socket, clock);
  const cookies = new CookieJar(clock);
  // The nonces of accepted sessions are remembered for at least the cookie lifetime: a replayed hello or
  // parameters message is recognised. Nothing else is stored before an address is validated.
  const nonces = new NonceMemory(clock, cookies.lifetimeNs, cfg.nonceMemoryEntries);
  const limited = new RateLimitedLog(log, clock);
  ch.onRejected = (why, from) => limited.log('bad-tag', `dropped a control frame from ${formatPeer(from)}: ${why === 'bad-tag' ? 'bad authentication tag' : 'untagged frame in an authenticated session'}`);
  const sessions = new SessionTable<Session>();
  // Sources whose session ended within the cookie lifetime: what they send that no session takes is logged as a replay.
  const past = new PastClients(cookies.lifetimeNs);
  /**
   * A frame no running or lingering session takes: from a source that held a
   * session, a replay or a late retransmission, logged (rate-limited); from
   * anyone else, silence (no work for an unvalidated address).
   */
  const dropped = (m: Incoming, what: string): void => {
    const running = sessions.get(m.from);
    if (running !== undefined && running.id === m.frame.session) return;
    const p = past.get(m.from, clock.nowNs());
    if (p === undefined) return;
    const ago = ((clock.nowNs() - p.endedAtNs) / 1e9).toFixed(1);
    limited.log('replay', `dropped ${what} from ${formatPeer(m.from)}: its session ${p.id.toString(16)} ended ${ago} s ago (a replay or a late retransmission)`);
  };
  let served = 0;
  /** Why no new session starts (with `once` after the first ended, or when stopped), or `null`. */
  let closing: string | null = null;
  hooks.onListening?.(bound.address, bound.port);
  const most = cfg.maxClients === 1 ? 'one session at a time' : `up to ${cfg.maxClients} sessions at once`;
  // Two short lines rather than one of ~105 characters: a listener's log is read at 80 columns.
  log(`listening on ${formatPeer({ address: bound.address, port: bound.port })}: one UDP port for control and data`);
  log(`${most}${cfg.secret !== null ? ', shared secret required' : ', no secret'}`);

  /** A reply before address validation: never larger than what it answers. */
  const replySmall = (m: Incoming, kind: number, body: unknown): void => {
    const b = jsonBody(body);
    if (b.length + CONTROL_HEADER_BYTES <= m.bytes) ch.send(m.from, kind, 0, m.frame.msgId, b);
  };

  let wake: (() => void) | null = null;
  const sessionEnded = (s: Session): void => {
    sessions.remove(s);
    past.ended(s.client, s.id, clock.nowNs());
    served++;
    if (cfg.once) closing ??= 'this listener is closing (--once: its first session has ended)';
    wake?.();
  };

  const onHello = (m: Incoming): void => {
    const body = m.body;
    if (!matches(HelloBody, body)) return limited.log('malformed', `ignored a malformed hello from ${formatPeer(m.from)}`);
    if (body.v !== CONTROL_VERSION) return replySmall(m, Kind.Refuse, { reason: `control protocol version ${printable(body.v, 16)} not supported (this listener speaks ${CONTROL_VERSION})` });
    if (cfg.secret !== null && !sameHex(body.auth, hmac(cfg.secret, 'hello', body.nonce))) {
      limited.log('refused', `refused ${formatPeer(m.from)}: wrong or missing shared secret`);
      return replySmall(m, Kind.Refuse, { reason: 'authentication failed (wrong or missing shared secret)' });
    }
    // Stateless until the parameters pass the cookie: a hello is only looked up, never stored (a flood of
    // hellos from spoofed addresses cannot fill any memory). A nonce that started a session is refused.
    if (nonces.spent(body.nonce)) {
      limited.log('replay', `refused ${formatPeer(m.from)}: replayed hello (its nonce already started a session)`);
      return replySmall(m, Kind.Refuse, { reason: 'nonce already used' });
    }
    // A client with a running session may repeat its hello (a lost cookie): it is not a new session.
    if (sessions.get(m.from) === undefined) {
      if (closing !== null) return replySmall(m, Kind.Refuse, { reason: closing });
      if (sessions.size >= cfg.maxClients) {
        limited.log('busy', `busy: answered ${formatPeer(m.from)} (${sessions.size} running)`);
        return replySmall(m, Kind.Busy, { reason: busyReason(sessions.size, cfg.maxClients) });
      }
    }
    // `you`: where this client's datagrams came from, as seen here (NAT shows as a difference, like STUN).
    return replySmall(m, Kind.Cookie, { cookie: cookies.issue(m.from), nonce: cookies.listenerNonce(m.from, body.nonce), auth: cfg.secret !== null, you: formatPeer(m.from) });
  };

  const onParams = (m: Incoming): void => {
    const f = m.frame;
    const raw = m.body as { nonce?: unknown; cookie?: unknown } | null;
    if (raw === null || typeof raw !== 'object' || typeof raw.nonce !== 'string') return limited.log('malformed', `ignored malformed parameters from ${formatPeer(m.from)}`);
    if (!cookies.valid(m.from, raw.cookie)) {
      const p = past.get(m.from, clock.nowNs());
      // Not validated: no reply. A source that held a session is presenting a stale cookie: a replay, most likely.
      if (p !== undefined) return limited.log('replay', `ignored parameters from ${formatPeer(m.from)}: stale cookie (its session ${p.id.toString(16)} ended; a replay?)`);
      return limited.log('bad-cookie', `ignored parameters from ${formatPeer(m.from)}: no valid cookie for that address and port`);
    }
    // Validated only after the cookie: an unvalidated address gets no work and no reply.
    const problem = firstProblem(ParamsBody, raw);
    if (problem !== null) {
      limited.log('malformed', `refused ${formatPeer(m.from)}: malformed parameters at ${printable(problem.path, 80)}: ${problem.message}`);
      ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: `malformed test parameters at ${problem.path.slice(0, 80)}: ${problem.message}` }));
      return;
    }
    const body = raw as Static<typeof ParamsBody>;
    const mine = sessions.get(m.from);
    if (mine !== undefined && mine.nonce === body.nonce) {
      ch.send(m.from, Kind.Accept, 0, f.msgId, mine.acceptBody); // retransmitted params: same answer (tagged under the session key)
      return;
    }
    if (nonces.spent(body.nonce)) {
      limited.log('replay', `refused ${formatPeer(m.from)}: replayed parameters (their nonce already started a session)`);
      return;
    }
    const busy = (reason: string): void => {
      limited.log('busy', `busy: answered ${formatPeer(m.from)} (${sessions.size} running)`);
      ch.send(m.from, Kind.Busy, 0, f.msgId, jsonBody({ reason }));
    };
    // The table is keyed by address and port: one session per client port at a time.
    if (mine !== undefined) return busy(`a session from ${formatPeer(m.from)} is still running`);
    if (closing !== null) {
      ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: closing }));
      return;
    }
    if (sessions.size >= cfg.maxClients) return busy(busyReason(sessions.size, cfg.maxClients));
    // With a secret, the parameters must carry a tag under the session key only a holder of the secret can derive.
    const key = cfg.secret === null ? null : sessionKey(cfg.secret, body.nonce, cookies.listenerNonce(m.from, body.nonce));
    if (key !== null && (f.tag === null || !timingSafeEqual(f.tag, frameTag(key, f.signed)))) {
      limited.log('refused', `refused ${formatPeer(m.from)}: parameters without a valid authentication tag`);
      ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: 'authentication failed (wrong or missing shared secret)' }));
      return;
    }
    // What this side sends comes from its own reading of the client's pattern, never from the client's figures.
    const own = planSession(body.params, body.config);
    if (typeof own === 'string') {
      limited.log('refused', `refused ${formatPeer(m.from)}: ${own}`);
      ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: own }));
      return;
    }
    const p = own.params;
    const why = checkLimits(p, own.load, cfg) ?? checkAggregate(own.load, sessions.values().map((s) => s.load), cfg.maxTotalRate);
    if (why !== null) {
      limited.log('refused', `refused ${formatPeer(m.from)}: ${why}`);
      ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: why }));
      return;
    }
    // The first state kept for this client: its address is validated, its parameters are acceptable (and tagged).
    if (!nonces.spend(body.nonce)) {
      limited.log('busy', `busy: answered ${formatPeer(m.from)} (nonce memory full: ${nonces.maxEntries} sessions started in the last ${Math.round(cookies.lifetimeNs / 1e9)} s)`);
      ch.send(m.from, Kind.Busy, 0, f.msgId, jsonBody({ reason: 'too many recent sessions; try again in a minute' }));
      return;
    }
    if (key !== null) ch.setKey(m.from, key);
    // A fresh id, also among the running sessions: it names this session's result file.
    let id = randomInt(1, 0xffffffff);
    while (sessions.values().some((s) => s.id === id)) id = randomInt(1, 0xffffffff);
    const acceptBody = jsonBody({ session: id, threads: cfg.threads });
    const clientCfg: RunConfig = body.config;
    // The result's config is the client's (so both sides print the same
    // result); what this side runs comes from the negotiated parameters.
    const runCfg: RunConfig = {
      ...clientCfg,
      patternBa: own.patternBa,
      host: cfg.host,
      family: cfg.family,
      port: bound.port,
      sizeBytes: p.sizeBytes,
      rateAbPps: p.rateAbPps,
      rateBaPps: p.rateBaPps,
      durationSeconds: p.durationSeconds,
      omitSeconds: p.omitSeconds,
      rcvbufBytes: p.rcvbufBytes,
      sndbufBytes: p.sndbufBytes,
      peerTimeoutSeconds: p.peerTimeoutSeconds,
      threads: cfg.threads,
      sendBatch: cfg.threads === 'split' ? 64 : 16,
    };
    const s: Session = {
      id,
      client: m.from,
      nonce: body.nonce,
      key,
      params: p,
      load: own.load,
      acceptBody,
      ep: null,
      ready: false,
      startAtNs: 0,
      go: null,
      stop: new AbortController(),
      gaveUp: false,
      probes: 0,
      offsetNs: null,
      cfg: runCfg,
      clientCfg,
      startedAt: body.startedAt,
      acceptedAtNs: clock.nowNs(),
    };
    sessions.add(s);
    ch.send(m.from, Kind.Accept, 0, f.msgId, acceptBody);
    const others = sessions.size - 1;
    log(`session ${id.toString(16)} with ${formatPeer(m.from)}` + (others > 0 ? ` (${others} other session${others === 1 ? '' : 's'} running)` : ''));
    const rateOf = (pps: number): string => (Number.isFinite(pps) ? `${Math.round(pps)}/s` : 'max');
    log(`session ${id.toString(16)}: ${p.durationSeconds} s, ${p.sizeBytes} B, A→B ${rateOf(own.load.ab.pps)}, B→A ${rateOf(own.load.ba.pps)}`);
    void serve(s).finally(() => sessionEnded(s));
  };

  /** A clock probe of a running session: t1 echoed, t2 its arrival, t3 the reply's timestamp (clock-sync.ts). */
  const onTimeProbe = (m: Incoming): void => {
    const t2 = m.arrivalNs;
    const f = m.frame;
    const s = sessions.get(m.from);
    if (s === undefined || f.session !== s.id) return dropped(m, 'a clock probe');
    if (cfg.secret !== null && m.auth !== 'ok') return;
    // Bounded: a client probes twice per session; more is not answered.
    if (++s.probes > MAX_PROBES_PER_SESSION) return;
    ch.sendAt(m.from, Kind.TimeReply, s.id, f.msgId, jsonBody({ t1: f.sendTimeNs, t2 }), clock.nowNs());
  };

  const onGo = (m: Incoming): void => {
    const f = m.frame;
    const s = sessions.get(m.from);
    if (s === undefined || f.session !== s.id) return dropped(m, 'a go');
    if (!s.ready) return;
    if (cfg.secret !== null && m.auth !== 'ok') return; // the channel already dropped bad tags; an untagged go is not enough
    if (s.offsetNs === null && matches(GoBody, m.body) && m.body.offsetNs !== undefined) s.offsetNs = m.body.offsetNs;
    if (s.startAtNs === 0) {
      s.startAtNs = clock.nowNs() + START_DELAY_MS * 1e6;
      s.go?.();
    }
    const startInMs = Math.max(0, (s.startAtNs - clock.nowNs()) / 1e6);
    ch.send(m.from, Kind.GoAck, s.id, f.msgId, jsonBody({ startInMs, echoNs: f.sendTimeNs }));
  };

  ch.on((m: Incoming): void => {
    switch (m.frame.kind) {
      case Kind.Hello:
        return onHello(m);
      case Kind.Params:
        return onParams(m);
      case Kind.Go:
        return onGo(m);
      case Kind.TimeProbe:
        return onTimeProbe(m);
      case Kind.Abort: {
        // A client that gives up before its go frees its place at once; in the data phase, runDataPhase handles its abort.
        const s = sessions.get(m.from);
        if (s !== undefined && m.frame.session === s.id && s.startAtNs === 0 && (cfg.secret === null || m.auth === 'ok')) {
          s.gaveUp = true;
          s.stop.abort();
        }
        return s === undefined ? dropped(m, 'an abort') : undefined;
      }
      case Kind.Results:
        // A client that missed a session's last acknowledgement keeps resending: answer it.
        if (sessions.lingers(m.from, m.frame.session, clock.nowNs())) ch.send(m.from, Kind.Ack, m.frame.session, m.frame.msgId, jsonBody({ i: m.frame.chunkIndex }));
        else dropped(m, 'a results chunk');
        return;
      default:
        return;
    }
  });

  /** Runs one accepted session to its end; never throws. */
  async function serve(s: Session): Promise<void> {
    const name = `session ${s.id.toString(16)}`;
    const info: SessionInfo = { session: s.id, port: bound.port };
    let result: DuplexResult | null = null;
    try {
      const opened = await openRemoteEndpoint(s.cfg, ch, { id: 'B', threads: cfg.threads, port: bound.port, session: s.id, peer: s.client, connectPeer: true });
      s.ep = opened.ep;
      const ep = opened.ep;
      s.ready = true;
      const started = await new Promise<boolean>((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(t);
          s.stop.signal.removeEventListener('abort', onStop);
          s.go = null;
          resolve(ok);
        };
        const onStop = (): void => done(false);
        const t = setTimeout(() => done(false), GO_TIMEOUT_MS);
        s.go = () => done(true);
        if (s.stop.signal.aborted) done(false);
        else s.stop.signal.addEventListener('abort', onStop, { once: true });
      });
      if (!started) {
        if (s.gaveUp) {
          log(`${name}: ${formatPeer(s.client)} gave up before the start; session dropped`);
          return;
        }
        log(`${name}: no start signal from ${formatPeer(s.client)}; session dropped`);
        ch.send(s.client, Kind.Abort, s.id, ch.nextId(), jsonBody({ reason: 'no start signal' }));
        return;
      }
      const t0 = clock.nowNs();
      const { mine, theirs } = await runDataPhase({
        ep,
        ch,
        peer: s.client,
        session: s.id,
        cfg: s.cfg,
        startAtNs: s.startAtNs,
        environment: opened.environment,
        // The client's clock − ours is minus its estimate of ours − its.
        peerClockOffsetNs: s.offsetNs === null ? null : -s.offsetNs,
        acceptedAtNs: s.acceptedAtNs,
        hooks: {
          signal: s.stop.signal,
          onNotice: (line) => log(`${name}: ${line}`),
          ...(hooks.onProgress === undefined ? {} : { onProgress: (p: ProgressSample) => hooks.onProgress?.(p, info) }),
        },
        clock,
      });
      // Where this listener saw the client, when it differs from what the client says it bound (a NAT between them), as the client's own result says it.
      if (theirs !== null) {
        const said = formatPeer({ address: theirs.report.endpoint.address, port: theirs.report.endpoint.port });
        const seen = formatPeer(s.client);
        if (seen !== said) theirs.report.endpoint.observedAs = seen;
      }
      const build = (a: RemoteReport | null): DuplexResult => buildRemoteResult({ cfg: s.clientCfg, startedAt: s.startedAt, a, b: mine, local: 'B', elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
      result = build(theirs);
      // A file this listener writes is a file `bench report` reads: checked by the same reader before it is handed on.
      let unreadable = unreadableWhy(result);
      if (unreadable !== null && theirs !== null) {
        log(`${name}: the result with the client's figures would not be readable (${unreadable}); kept this side's only`);
        mine.warnings.push(peerReportRefused('client', '/', `the result built with them ${unreadable}`));
        result = build(null);
        unreadable = unreadableWhy(result);
      }
      if (unreadable !== null) {
        log(`${name}: result not saved: it fails the result schema (${unreadable})`);
        result = null;
      }
      sessions.linger(s, clock.nowNs() + LINGER_MS * 1e6, clock.nowNs());
    } catch (err) {
      log(`${name} failed: ${(err as Error).message}`);
    } finally {
      await s.ep?.close();
      // The session key stays for the linger (late results acknowledgements are tagged), then goes.
      const key = s.key;
      if (key !== null) setTimeout(() => ch.dropKey(s.client, key), LINGER_MS).unref();
    }
    if (result !== null) {
      log(`${name} ${result.complete ? 'complete' : `incomplete (${result.incompleteReason ?? 'unknown'})`}; back to listening`);
      hooks.onResult?.(result, info);
    }
  }

  /** Why a result could not be read back by `bench report` (the path and the reason, printable), or `null`. */
  function unreadableWhy(result: DuplexResult): string | null {
    try {
      parseResultFile(JSON.stringify(result), 'result');
      return null;
    } catch (err) {
      return printable((err as Error).message.replace(/^result: /, ''), 160);
    }
  }

  // Wait until aborted, or with --once until the first session has ended; either way until no session runs.
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if ((hooks.signal?.aborted === true || (cfg.once && served > 0)) && sessions.size === 0) resolve();
    };
    wake = check;
    hooks.signal?.addEventListener(
      'abort',
      () => {
        closing = 'this listener is shutting down';
        // Every session stops with its own partial result ('interrupted'), and tells its client.
        for (const s of sessions.values()) s.stop.abort();
        check();
      },
      { once: true },
    );
    check();
  });
  ch.closed = true;
  limited.close();
  await closeSocket(bound.socket);
  return served;
}
