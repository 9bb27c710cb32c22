/**
 * `bench listen`: the listener side of remote mode, on one UDP port.
 *
 * Listener state machine:
 *   listening ─hello→ (cookie, stateless) ─params+cookie→ accepted
 *   → endpoint bound → go ⇄ go-ack → running → draining → results → listening
 * It serves one session at a time and answers other clients "busy"; it
 * returns to listening after every session, failed ones included.
 *
 * Address validation (RFC 9000 §8.1): before a client echoes a valid cookie,
 * every reply is a single datagram no larger than the datagram it answers, so
 * the listener never sends an address more bytes than it received from it,
 * and never any test traffic.
 */
import { randomInt } from 'node:crypto';
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { bindSocket, closeSocket } from '../udp/socket.js';
import { CONTROL_HEADER_BYTES, Kind, maxPayload, HEADER_BYTES } from '../udp/wire.js';
import type { DuplexResult, RunConfig, ThreadMode } from '../report/schema.js';
import { ControlChannel, CONTROL_VERSION, CookieJar, NonceMemory, formatPeer, frameTag, hmac, jsonBody, sameHex, sessionKey, type Incoming, type NegotiatedParams, type PeerAddress } from './control.js';
import { timingSafeEqual } from 'node:crypto';
import { RateLimitedLog, printable } from './log-limit.js';
import { HelloBody, ParamsBody, firstProblem, matches } from './control-schema.js';
import type { Static } from 'typebox';
import type { Endpoint } from './endpoint.js';
import { buildRemoteResult, openRemoteEndpoint, runDataPhase } from './session.js';
import type { BaseHooks, ProgressSample } from './hooks.js';

/** Resolved `bench listen` options. */
export interface ListenConfig {
  host: string;
  family: 4 | 6;
  port: number;
  threads: ThreadMode;
  secret: string | null;
  /** Highest rate per direction a client may ask for (datagrams/s); `null` = no limit. */
  maxRatePps: number | null;
  maxDurationSeconds: number | null;
  once: boolean;
}

/** Hooks: everything the listener wants to say goes through these. */
export interface ListenHooks extends Pick<BaseHooks, 'signal' | 'clock'> {
  onLog?: (line: string) => void;
  onProgress?: (s: ProgressSample) => void;
  /** Called after every session that got as far as the data phase. */
  onResult?: (result: DuplexResult) => void;
  /** Called once the port is bound. */
  onListening?: (address: string, port: number) => void;
}

/** How long the listener waits for a client's go before giving up the session. */
const GO_TIMEOUT_MS = 10_000;
/** The agreed delay between the go and the start of traffic. */
const START_DELAY_MS = 300;
/** After a session, stale results chunks from its client are still acknowledged this long. */
const LINGER_MS = 5_000;

interface Session {
  id: number;
  client: PeerAddress;
  nonce: string;
  acceptBody: Buffer;
  ep: Endpoint | null;
  ready: boolean;
  startAtNs: number;
  cfg: RunConfig;
  startedAt: string;
}

/** Why a listener refuses parameters, or `null` when they are acceptable. Pure. */
export function checkLimits(p: NegotiatedParams, cfg: Pick<ListenConfig, 'maxRatePps' | 'maxDurationSeconds' | 'family'>): string | null {
  if (p.sizeBytes < HEADER_BYTES || p.sizeBytes > maxPayload(cfg.family)) return `size ${p.sizeBytes} is outside ${HEADER_BYTES}–${maxPayload(cfg.family)} bytes`;
  if (cfg.maxRatePps !== null) {
    for (const [name, r] of [
      ['A→B', p.rateAbPps],
      ['B→A', p.rateBaPps],
    ] as const) {
      if (r === null) return `rate ${name} "max" exceeds this listener's --max-rate ${Math.round(cfg.maxRatePps)} datagrams/s`;
      if (r > cfg.maxRatePps) return `rate ${name} ${Math.round(r)} datagrams/s exceeds this listener's --max-rate ${Math.round(cfg.maxRatePps)} datagrams/s`;
    }
  }
  if (cfg.maxDurationSeconds !== null && p.durationSeconds + p.omitSeconds > cfg.maxDurationSeconds) {
    return `duration ${p.durationSeconds + p.omitSeconds} s exceeds this listener's --max-duration ${cfg.maxDurationSeconds} s`;
  }
  return null;
}

/**
 * Listens until aborted (or after one session with `once`). Resolves with the
 * number of sessions served. Rejects only if the port cannot be bound.
 */
export async function runListener(cfg: ListenConfig, hooks: ListenHooks = {}): Promise<number> {
  const clock = hooks.clock ?? createMonotonicClock();
  const log = (line: string): void => hooks.onLog?.(line);
  const bound = await bindSocket({ family: cfg.family, address: cfg.host, port: cfg.port, reuseAddr: true, rcvbufBytes: null, sndbufBytes: null });
  bound.socket.on('error', () => undefined);
  const ch = new ControlChannel(bound.socket, clock);
  const cookies = new CookieJar(clock);
  // Nonces are remembered for at least the cookie lifetime: a replayed hello or parameters message is recognised.
  const nonces = new NonceMemory(clock, cookies.lifetimeNs);
  const limited = new RateLimitedLog(log, clock);
  ch.onRejected = (why, from) => limited.log('bad-tag', `dropped a control frame from ${formatPeer(from)}: ${why === 'bad-tag' ? 'bad authentication tag' : 'untagged frame in an authenticated session'}`);
  let current: Session | null = null;
  let lingering: { client: PeerAddress; session: number; until: number } | null = null;
  let served = 0;
  hooks.onListening?.(bound.address, bound.port);
  log(`listening on ${formatPeer({ address: bound.address, port: bound.port })} (one UDP port for control and data)${cfg.secret !== null ? ', shared secret required' : ''}`);

  /** A reply before address validation: never larger than what it answers. */
  const replySmall = (m: Incoming, kind: number, body: unknown): void => {
    const b = jsonBody(body);
    if (b.length + CONTROL_HEADER_BYTES <= m.bytes) ch.send(m.from, kind, 0, m.frame.msgId, b);
  };

  let wake: (() => void) | null = null;
  const sessionEnded = (): void => {
    current = null;
    served++;
    wake?.();
  };

  const onFrame = (m: Incoming): void => {
    const f = m.frame;
    const fromCurrent = current !== null && m.from.address === current.client.address && m.from.port === current.client.port;
    switch (f.kind) {
      case Kind.Hello: {
        const body = m.body;
        if (!matches(HelloBody, body)) return limited.log('malformed', `ignored a malformed hello from ${formatPeer(m.from)}`);
        if (body.v !== CONTROL_VERSION) return replySmall(m, Kind.Refuse, { reason: `control protocol version ${printable(body.v, 16)} not supported (this listener speaks ${CONTROL_VERSION})` });
        if (cfg.secret !== null && !sameHex(body.auth, hmac(cfg.secret, 'hello', body.nonce))) {
          limited.log('refused', `refused ${formatPeer(m.from)}: wrong or missing shared secret`);
          return replySmall(m, Kind.Refuse, { reason: 'authentication failed (wrong or missing shared secret)' });
        }
        if (nonces.spent(body.nonce)) {
          limited.log('replay', `refused ${formatPeer(m.from)}: replayed hello (its nonce already started a session)`);
          return replySmall(m, Kind.Refuse, { reason: 'nonce already used' });
        }
        const seen = nonces.remember(body.nonce, formatPeer(m.from));
        if (seen === 'reused') {
          limited.log('replay', `refused ${formatPeer(m.from)}: nonce already used by another address`);
          return replySmall(m, Kind.Refuse, { reason: 'nonce already used' });
        }
        if (seen === 'full') {
          limited.log('busy', `busy: nonce memory full, answered ${formatPeer(m.from)}`);
          return replySmall(m, Kind.Busy, { reason: 'too many recent hellos' });
        }
        if (current !== null && !fromCurrent) {
          limited.log('busy', `busy: answered ${formatPeer(m.from)}`);
          return replySmall(m, Kind.Busy, { reason: `serving ${formatPeer(current.client)}` });
        }
        // `you`: where this client's datagrams came from, as seen here (NAT shows as a difference, like STUN).
        return replySmall(m, Kind.Cookie, { cookie: cookies.issue(m.from), nonce: cookies.listenerNonce(m.from, body.nonce), auth: cfg.secret !== null, you: formatPeer(m.from) });
      }
      case Kind.Params: {
        const raw = m.body as { nonce?: unknown; cookie?: unknown } | null;
        if (raw === null || typeof raw !== 'object' || typeof raw.nonce !== 'string') return limited.log('malformed', `ignored malformed parameters from ${formatPeer(m.from)}`);
        if (!cookies.valid(m.from, raw.cookie)) return limited.log('bad-cookie', `ignored parameters from ${formatPeer(m.from)}: no valid cookie for that address and port`); // not validated: silence
        // Validated only after the cookie: an unvalidated address gets no work and no reply.
        const problem = firstProblem(ParamsBody, raw);
        if (problem !== null) {
          limited.log('malformed', `refused ${formatPeer(m.from)}: malformed parameters at ${printable(problem.path, 80)}: ${problem.message}`);
          ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: `malformed test parameters at ${problem.path.slice(0, 80)}: ${problem.message}` }));
          return;
        }
        const body = raw as Static<typeof ParamsBody>;
        if (current !== null && fromCurrent && current.nonce === body.nonce) {
          ch.send(m.from, Kind.Accept, 0, f.msgId, current.acceptBody); // retransmitted params: same answer (tagged under the session key)
          return;
        }
        if (nonces.spent(body.nonce)) {
          limited.log('replay', `refused ${formatPeer(m.from)}: replayed parameters (their nonce already started a session)`);
          return;
        }
        if (current !== null) {
          limited.log('busy', `busy: answered ${formatPeer(m.from)}`);
          ch.send(m.from, Kind.Busy, 0, f.msgId, jsonBody({ reason: `serving ${formatPeer(current.client)}` }));
          return;
        }
        // With a secret, the parameters must carry a tag under the session key only a holder of the secret can derive.
        const key = cfg.secret === null ? null : sessionKey(cfg.secret, body.nonce, cookies.listenerNonce(m.from, body.nonce));
        if (key !== null && (f.tag === null || !timingSafeEqual(f.tag, frameTag(key, f.signed)))) {
          limited.log('refused', `refused ${formatPeer(m.from)}: parameters without a valid authentication tag`);
          ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: 'authentication failed (wrong or missing shared secret)' }));
          return;
        }
        const why = checkLimits(body.params, cfg);
        if (why !== null) {
          limited.log('refused', `refused ${formatPeer(m.from)}: ${why}`);
          ch.send(m.from, Kind.Refuse, 0, f.msgId, jsonBody({ reason: why }));
          return;
        }
        nonces.spend(body.nonce);
        if (key !== null) ch.setKey(m.from, key);
        const id = randomInt(1, 0xffffffff);
        const acceptBody = jsonBody({ session: id, threads: cfg.threads });
        const p = body.params;
        const clientCfg: RunConfig = body.config;
        // The result's config is the client's (so both sides print the same
        // result); what this side runs comes from the negotiated parameters.
        const runCfg: RunConfig = {
          ...clientCfg,
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
        current = { id, client: m.from, nonce: body.nonce, acceptBody, ep: null, ready: false, startAtNs: 0, cfg: runCfg, startedAt: body.startedAt };
        ch.send(m.from, Kind.Accept, 0, f.msgId, acceptBody);
        log(`session ${id.toString(16)} with ${formatPeer(m.from)}: ${p.durationSeconds} s, size ${p.sizeBytes} B, rate A→B ${p.rateAbPps === null ? 'max' : Math.round(p.rateAbPps)} B→A ${p.rateBaPps === null ? 'max' : Math.round(p.rateBaPps)} datagrams/s`);
        void serve(current, clientCfg).finally(sessionEnded);
        return;
      }
      case Kind.Go: {
        if (!fromCurrent || current === null || f.session !== current.id || !current.ready) return;
        if (cfg.secret !== null && m.auth !== 'ok') return; // the channel already dropped bad tags; an untagged go is not enough
        if (current.startAtNs === 0) {
          current.startAtNs = clock.nowNs() + START_DELAY_MS * 1e6;
          startCurrent?.();
        }
        const startInMs = Math.max(0, (current.startAtNs - clock.nowNs()) / 1e6);
        ch.send(m.from, Kind.GoAck, current.id, f.msgId, jsonBody({ startInMs, echoNs: f.sendTimeNs }));
        return;
      }
      case Kind.Results: {
        // A client that missed our last acknowledgement keeps resending: answer it.
        if (lingering !== null && current === null && m.from.address === lingering.client.address && m.from.port === lingering.client.port && f.session === lingering.session && clock.nowNs() < lingering.until) {
          ch.send(m.from, Kind.Ack, f.session, f.msgId, jsonBody({ i: f.chunkIndex }));
        }
        return;
      }
      default:
        return;
    }
  };
  ch.on(onFrame);

  let startCurrent: (() => void) | null = null;

  /** Runs one accepted session to its end; never throws. */
  async function serve(s: Session, clientCfg: RunConfig): Promise<void> {
    let result: DuplexResult | null = null;
    try {
      const opened = await openRemoteEndpoint(s.cfg, ch, { id: 'B', threads: cfg.threads, port: bound.port, session: s.id, peer: s.client });
      s.ep = opened.ep;
      const ep = opened.ep;
      s.ready = true;
      const started = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), GO_TIMEOUT_MS);
        startCurrent = () => {
          clearTimeout(t);
          resolve(true);
        };
        hooks.signal?.addEventListener('abort', () => resolve(false), { once: true });
      });
      startCurrent = null;
      opened.stopRelay();
      if (!started) {
        log(`session ${s.id.toString(16)}: no start signal from ${formatPeer(s.client)}; back to listening`);
        ch.send(s.client, Kind.Abort, s.id, ch.nextId(), jsonBody({ reason: 'no start signal' }));
        return;
      }
      const t0 = clock.nowNs();
      const { mine, theirs } = await runDataPhase({ ep, ch, peer: s.client, session: s.id, cfg: s.cfg, startAtNs: s.startAtNs, environment: opened.environment, hooks: { ...hooks, onNotice: log }, clock });
      result = buildRemoteResult({ cfg: clientCfg, startedAt: s.startedAt, a: theirs, b: mine, local: 'B', elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
      lingering = { client: s.client, session: s.id, until: clock.nowNs() + LINGER_MS * 1e6 };
    } catch (err) {
      log(`session ${s.id.toString(16)} failed: ${(err as Error).message}`);
    } finally {
      await s.ep?.close();
      // The session key stays for the linger (late results acknowledgements are tagged), then goes.
      setTimeout(() => ch.setKey(s.client, null), LINGER_MS).unref();
    }
    if (result !== null) {
      log(`session ${s.id.toString(16)} ${result.complete ? 'complete' : `incomplete (${result.incompleteReason ?? 'unknown'})`}; back to listening`);
      hooks.onResult?.(result);
    }
  }

  // Wait until aborted, or until the first session ends with --once.
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (hooks.signal?.aborted && current === null) resolve();
      if (cfg.once && served > 0) resolve();
    };
    wake = check;
    hooks.signal?.addEventListener('abort', () => {
      if (current?.ep) current.ep.stop();
      check();
    }, { once: true });
    check();
  });
  ch.closed = true;
  limited.close();
  await closeSocket(bound.socket);
  return served;
}
