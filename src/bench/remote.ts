/**
 * `bench duplex --peer HOST:PORT`: the client side of a remote session.
 *
 * Client state machine (explicit, iperf3-like):
 *   bind → hello ⇄ cookie → params ⇄ accept → endpoint bound → go ⇄ go-ack
 *   → running → draining → results exchange → done
 * Every request is retransmitted with backoff until answered, within an
 * overall timeout that ends in a clear error.
 */
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { bindSocket, closeSocket, connectSocket } from '../udp/socket.js';
import { Kind } from '../udp/wire.js';
import type { DuplexResult, RunConfig } from '../result/types.js';
import { probeClock } from './clock-probe.js';
import { estimateClock, type ClockSample } from './clock-sync.js';
import { ControlChannel, ControlError, CONTROL_VERSION, HELLO_BYTES, formatPeer, hmac, jsonBody, nonce, sessionKey, type Incoming, type NegotiatedParams, type PeerAddress } from './control.js';
import { printable } from './log-limit.js';
import { bodyOf } from './control-registry.js';
import type { RunHooks } from './hooks.js';
import type { Endpoint } from './endpoint.js';
import { buildRemoteResult, openRemoteEndpoint, runDataPhase, type RemoteReport } from './session.js';
import { CONTROL_TIMEOUT_MS } from './defaults.js';


/** The parameters the client proposes, from its resolved config. */
export function paramsOf(cfg: RunConfig): NegotiatedParams {
  return {
    sizeBytes: cfg.sizeBytes,
    rateAbPps: cfg.rateAbPps,
    rateBaPps: cfg.rateBaPps,
    durationSeconds: cfg.durationSeconds,
    omitSeconds: cfg.omitSeconds,
    rcvbufBytes: cfg.rcvbufBytes,
    sndbufBytes: cfg.sndbufBytes,
    peerTimeoutSeconds: cfg.peerTimeoutSeconds,
  };
}

function parsePeer(peer: string): PeerAddress {
  const m = /^\[(.+)\]:(\d+)$/.exec(peer) ?? /^(.+):(\d+)$/.exec(peer);
  return { address: m?.[1] ?? peer, port: Number(m?.[2] ?? 0) };
}

/** Runs a duplex test against `bench listen` at `cfg.peer`. */
export async function runRemoteDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  return (await runRemoteClient(cfg, hooks)).result;
}

/** One client's session: its result and the two reports it was built from (for combining many clients). */
export interface RemoteClientRun {
  result: DuplexResult;
  mine: RemoteReport;
  theirs: RemoteReport | null;
}

/**
 * Runs one client session against `cfg.peer`. `beforeGo`, when given, is
 * awaited once the endpoint is bound and connected, just before the go: many
 * clients of one process (`--clients N`) wait there for each other, so their
 * data phases start together.
 */
export async function runRemoteClient(cfg: RunConfig, hooks: RunHooks = {}, opts: { beforeGo?: (signal: AbortSignal) => Promise<void> } = {}): Promise<RemoteClientRun> {
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only
  const t0 = clock.nowNs();
  const peer = parsePeer(cfg.peer ?? '');
  const secret = hooks.secret ?? null;
  const notice = (line: string): void => hooks.onNotice?.(line);

  // bind: the control socket owns the port first; the data workers join it.
  const bound = await bindSocket({ family: cfg.family, address: cfg.host, port: cfg.port ?? 0, reuseAddr: true, rcvbufBytes: null, sndbufBytes: null });
  const ch = new ControlChannel(bound.socket, clock);
  let ep: Endpoint | null = null;
  bound.socket.on('error', () => undefined); // ICMP errors on the control socket: retransmission covers them
  // "Nothing is listening" within a second: a separate, connect()ed probe
  // socket sends a one-byte datagram (ignored by a listener) to the peer's
  // port while the hello is unanswered; an ICMP port unreachable comes back
  // to it as ECONNREFUSED. The control socket itself stays unconnected: a
  // connected-then-disconnected socket keeps its place in the kernel's lookup
  // table and would take the peer's data datagrams from the data sockets.
  const nothingListening = new AbortController();
  const probe = await startProbe(peer, cfg.family, () => nothingListening.abort());
  const signal = hooks.signal === undefined ? nothingListening.signal : AbortSignal.any([hooks.signal, nothingListening.signal]);
  const unreachable = (err: unknown): never => {
    if (nothingListening.signal.aborted) throw new ControlError(`nothing is listening at ${formatPeer(peer)} (ICMP port unreachable): is \`bench listen\` running there, on that port?`, 'ENOLISTENER');
    throw err;
  };
  try {
    const { session, you } = await handshake({ ch, peer, port: bound.port, secret, cfg, startedAt, signal, notice, stopProbe: () => probe.stop() }).catch(unreachable);
    notice(`accepted: session ${session.toString(16)}, ${cfg.durationSeconds} s, ${cfg.threads} threads here`);

    // From the accept to the go-ack the listener holds a session (and one of its
    // --max-clients places) for us: if we give up here, say so, so that it frees
    // the place now instead of after its go wait.
    let opened: Awaited<ReturnType<typeof openRemoteEndpoint>>;
    let go: { startInMs: number; rttNs: number };
    let clockBefore: ClockSample[] = [];
    let clockOffsetNs: number | null = null;
    try {
      // endpoint bound: the data workers join the port and connect to the listener.
      // The client's port is its own: its one endpoint socket stays unconnected, as the last bound it receives the listener's datagrams.
      opened = await openRemoteEndpoint(cfg, ch, { id: 'A', threads: cfg.threads, port: bound.port, session, peer, connectPeer: false });
      ep = opened.ep;
      // The listener's clock, before any traffic (clock-sync.ts): its offset goes to both sides' receivers.
      clockBefore = await probeClock({ ch, peer, session, clock, signal });
      clockOffsetNs = estimateClock(clockBefore, [])?.offsetNs ?? null;
      await opts.beforeGo?.(signal);

      go = await goAck({ ch, peer, session, clock, clockOffsetNs, signal });
    } catch (err) {
      ch.send({ to: peer, kind: Kind.Abort, session, msgId: ch.nextId(), body: jsonBody({ reason: 'interrupted' }) });
      throw err;
    }
    const startAtNs = clock.nowNs() + go.startInMs * 1e6 - go.rttNs / 2;
    notice(`starting in ${go.startInMs.toFixed(0)} ms (control round trip ${(go.rttNs / 1e6).toFixed(2)} ms)`);

    const { mine, theirs } = await runDataPhase({
      ep,
      ch,
      peer,
      session,
      cfg,
      startAtNs,
      environment: opened.environment,
      hooks,
      clock,
      peerClockOffsetNs: clockOffsetNs,
      clockProbes: { before: clockBefore, after: () => probeClock({ ch, peer, session, clock }) },
    });
    const seenHere = formatPeer({ address: mine.report.endpoint.address, port: mine.report.endpoint.port });
    if (you !== null && you !== seenHere) mine.report.endpoint.observedAs = you;
    if (theirs === null) notice('the listener\'s results did not arrive: saving what this side observed');
    const result = buildRemoteResult({ cfg, startedAt, a: mine, b: theirs, local: 'A', elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
    return { result, mine, theirs };
  } finally {
    await ep?.close();
    ch.closed = true;
    await closeSocket(bound.socket);
  }
}

/**
 * hello ⇄ cookie, then params ⇄ accept (docs/protocol.md §2): resolves with
 * the session id the listener drew and where it saw us (`you`), or rejects
 * with the listener's refusal, a timeout or an interruption.
 */
async function handshake(a: {
  ch: ControlChannel;
  peer: PeerAddress;
  port: number;
  secret: string | null;
  cfg: RunConfig;
  startedAt: string;
  signal: AbortSignal;
  notice: (line: string) => void;
  /** Stops the "nothing is listening" probe once the hello is answered (or not). */
  stopProbe: () => void;
}): Promise<{ session: number; you: string | null }> {
  const { ch, peer, port, secret, cfg, startedAt, signal, notice, stopProbe } = a;
  // hello ⇄ cookie
  const myNonce = nonce();
  notice(`contacting ${formatPeer(peer)} from port ${port}`);
  const cookie = await ch.request({
    to: peer,
    kind: Kind.Hello,
    session: 0,
    body: jsonBody({ v: CONTROL_VERSION, nonce: myNonce, auth: secret === null ? null : hmac(secret, 'hello', myNonce) }),
    accept: (m) => {
      const body = bodyOf(m, Kind.Cookie);
      if (body !== null) return { cookie: body.cookie, listenerNonce: body.nonce, auth: body.auth, you: body.you ?? null };
      if (m.frame.kind === Kind.Refuse || m.frame.kind === Kind.Busy) throw refusal(m);
      return undefined;
    },
    timeoutMs: CONTROL_TIMEOUT_MS, what: 'hello', padTo: HELLO_BYTES, signal,
  }).finally(stopProbe);

  // With a secret, every frame from here on is tagged under a key derived from both nonces (docs/protocol.md).
  if (secret !== null) {
    if (!cookie.auth) throw new ControlError(`the listener at ${formatPeer(peer)} does not use a shared secret, but --secret was given`, 'EAUTH');
    ch.setKey(peer, sessionKey(secret, myNonce, cookie.listenerNonce));
  }

  // params ⇄ accept
  const params = paramsOf(cfg);
  const accepted = await ch.request({
    to: peer,
    kind: Kind.Params,
    session: 0,
    body: jsonBody({ nonce: myNonce, cookie: cookie.cookie, params, config: cfg, startedAt }),
    accept: (m) => {
      const body = bodyOf(m, Kind.Accept);
      if (body !== null) {
        // A tag that verifies under the session key proves the listener knows the secret.
        if (secret !== null && m.auth !== 'ok') throw new ControlError(`the listener at ${formatPeer(peer)} does not know the shared secret`, 'EAUTH');
        return { session: body.session };
      }
      if (m.frame.kind === Kind.Refuse || m.frame.kind === Kind.Busy) throw refusal(m);
      return undefined;
    },
    timeoutMs: CONTROL_TIMEOUT_MS, what: 'the test parameters', signal,
  });
  return { session: accepted.session, you: cookie.you };
}

/**
 * go ⇄ go-ack: the listener starts `startInMs` after it got our go; we start
 * the same moment, corrected by half the measured round trip. The go carries
 * our estimate of the listener's clock, for its receivers.
 */
function goAck(a: { ch: ControlChannel; peer: PeerAddress; session: number; clock: Clock; clockOffsetNs: number | null; signal: AbortSignal }): Promise<{ startInMs: number; rttNs: number }> {
  const { ch, peer, session, clock, clockOffsetNs, signal } = a;
  return ch.request({
    to: peer,
    kind: Kind.Go,
    session: session,
    body: jsonBody({ session, ...(clockOffsetNs === null ? {} : { offsetNs: clockOffsetNs }) }),
    accept: (m) => {
      const body = bodyOf(m, Kind.GoAck);
      if (body !== null && m.frame.session === session) return { startInMs: body.startInMs, rttNs: clock.nowNs() - body.echoNs };
      if (m.frame.kind === Kind.Abort && m.frame.session === session) throw new ControlError('the listener gave up before the start', 'EABORTED');
      return undefined;
    },
    timeoutMs: CONTROL_TIMEOUT_MS, what: 'the start signal', signal,
  });
}

function refusal(m: Incoming): ControlError {
  // The listener's words, escaped and capped: they reach the user's terminal.
  const body = bodyOf(m, Kind.Busy) ?? bodyOf(m, Kind.Refuse);
  const why = body !== null ? printable(body.reason, 200) : 'no reason given';
  return m.frame.kind === Kind.Busy ? new ControlError(`the listener is busy: ${why}`, 'EBUSY') : new ControlError(`the listener refused: ${why}`, 'EREFUSED');
}

/**
 * A connect()ed UDP socket that sends one byte to `peer` every 200 ms until
 * stopped; `onRefused` fires on ECONNREFUSED (ICMP port unreachable).
 * Bounded: at most 50 datagrams, and it stops itself after 10 s.
 */
async function startProbe(peer: PeerAddress, family: 4 | 6, onRefused: () => void): Promise<{ stop: () => void }> {
  const probe = await bindSocket({ family, address: family === 6 ? '::' : '0.0.0.0', port: 0, reuseAddr: false, rcvbufBytes: null, sndbufBytes: null });
  const s = probe.socket;
  let stopped = false;
  let sent = 0;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    void closeSocket(s);
  };
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED' && !stopped) {
      onRefused();
      stop();
    }
  });
  const one = Buffer.alloc(1);
  const send = (): void => {
    if (stopped || sent++ >= 50) return stop();
    s.send(one, (err) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ECONNREFUSED' && !stopped) {
        onRefused();
        stop();
      }
    });
  };
  const timer = setInterval(send, 200);
  timer.unref();
  try {
    await connectSocket(s, peer.address, peer.port);
    send();
  } catch {
    stop();
  }
  return { stop };
}
