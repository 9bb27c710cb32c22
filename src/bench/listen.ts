/**
 * `bench listen`: the listener side of remote mode, on one UDP port.
 *
 * The listener runs up to `--max-clients` sessions at once, one per client
 * address and port. This file owns the socket, the control channel and each
 * session's data phase; the control logic (the stateless handshake, one
 * method per control message, refusals, the session table) is
 * listener-core.ts, and each session's states are listener-session.ts:
 *   (hello → cookie, stateless) ─params+cookie→ binding ─bound→ awaiting-go
 *   ─go→ running (data, drain, results) ─finished→ lingering ─→ done
 * A client over the cap is answered "busy"; parameters that would push the
 * sum of the running sessions' rates over `--max-total-rate` are refused. The
 * listener keeps listening after every session, failed ones included.
 *
 * Sockets. Every session's data sockets join the listener's one port. Each
 * session's receiving socket is connected to its client (single mode too,
 * `connectPeer`), so Linux delivers each client's datagrams to its own
 * session; the control socket, unconnected, gets every other client's
 * (../shared notes: a connected socket is preferred for its peer's
 * datagrams). Control frames a client sends to its session's data socket
 * are relayed to the control channel.
 */
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { bindSocket, closeSocket } from '../udp/socket.js';
import { Kind } from '../udp/wire.js';
import type { DuplexResult, ThreadMode } from '../result/types.js';
import { ControlChannel, formatPeer, jsonBody } from './control.js';
import { RateLimitedLog, printable } from './log-limit.js';
import { buildRemoteResult, openRemoteEndpoint, peerReportRefused, runDataPhase, type RemoteReport } from './session.js';
import { parseResultFile } from '../result/read.js';
import type { BaseHooks, ProgressSample } from './hooks.js';
import type { RateCap } from './listen-limits.js';
import { ListenerCore } from './listener-core.js';
import type { ListenerSession } from './listener-session.js';
import { GO_TIMEOUT_MS, LINGER_MS } from './defaults.js';

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


/** What serving one session needs of its listener. */
interface ServeContext {
  cfg: ListenConfig;
  ch: ControlChannel;
  clock: Clock;
  log: (line: string) => void;
  hooks: ListenHooks;
  /** The listener's port. */
  port: number;
  core: ListenerCore;
}

/** Resolves once the session has left `awaiting-go`: `true` when its go came, `false` when it gave up, was stopped or timed out. */
function started(s: ListenerSession): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      s.onState = null;
      resolve(s.state === 'running');
    };
    const t = setTimeout(() => {
      s.fire('go-timeout');
      done();
    }, GO_TIMEOUT_MS);
    if (s.state !== 'awaiting-go') done();
    else s.onState = done;
  });
}

/** Runs one accepted session to its end; never throws. */
async function serve(x: ServeContext, s: ListenerSession): Promise<void> {
  const { cfg, ch, clock, log, hooks, port, core } = x;
  const name = `session ${s.id.toString(16)}`;
  const info: SessionInfo = { session: s.id, port };
  const { setup } = s;
  let result: DuplexResult | null = null;
  let close: (() => Promise<void>) | null = null;
  try {
    const opened = await openRemoteEndpoint(setup.cfg, ch, { id: 'B', threads: cfg.threads, port, session: s.id, peer: s.client, connectPeer: true });
    const ep = opened.ep;
    close = () => ep.close();
    s.fire('bound');
    if (!(await started(s))) {
      // The client is told unless it gave up itself.
      const why = s.state === 'gave-up' ? null : s.state === 'stopped' ? (core.closing ?? 'this listener is shutting down') : 'no start signal';
      if (why === null) log(`${name}: ${formatPeer(s.client)} gave up before the start; session dropped`);
      else {
        log(`${name}: ${s.state === 'stopped' ? 'stopped before the start' : `no start signal from ${formatPeer(s.client)}`}; session dropped`);
        ch.send({ to: s.client, kind: Kind.Abort, session: s.id, msgId: ch.nextId(), body: jsonBody({ reason: why }) });
      }
      return;
    }
    const t0 = clock.nowNs();
    const { mine, theirs } = await runDataPhase({
      ep,
      ch,
      peer: s.client,
      session: s.id,
      cfg: setup.cfg,
      startAtNs: s.startAtNs ?? clock.nowNs(),
      environment: opened.environment,
      // The client's clock − ours is minus its estimate of ours − its.
      peerClockOffsetNs: s.offsetNs === null ? null : -s.offsetNs,
      acceptedAtNs: setup.acceptedAtNs,
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
    const build = (a: RemoteReport | null): DuplexResult => buildRemoteResult({ cfg: setup.clientCfg, startedAt: setup.startedAt, a, b: mine, local: 'B', elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
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
    s.fire('finished');
    core.sessions.linger(s, clock.nowNs() + LINGER_MS * 1e6, clock.nowNs());
    setTimeout(() => s.fire('linger-over'), LINGER_MS).unref();
  } catch (err) {
    s.fire('error');
    log(`${name} failed: ${(err as Error).message}`);
  } finally {
    await close?.();
    // The session key stays for the linger (late results acknowledgements are tagged), then goes.
    const key = setup.key;
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
  const limited = new RateLimitedLog(log, clock);
  ch.onRejected = (why, from) => limited.log('bad-tag', `dropped a control frame from ${formatPeer(from)}: ${why === 'bad-tag' ? 'bad authentication tag' : 'untagged frame in an authenticated session'}`);
  const core: ListenerCore = new ListenerCore({ cfg, port: bound.port, ch, clock, log, limited, runSession: (s) => serve({ cfg, ch, clock, log, hooks, port: bound.port, core }, s) });
  ch.on((m) => core.handle(m));
  hooks.onListening?.(bound.address, bound.port);
  const most = cfg.maxClients === 1 ? 'one session at a time' : `up to ${cfg.maxClients} sessions at once`;
  // Two short lines rather than one of ~105 characters: a listener's log is read at 80 columns.
  log(`listening on ${formatPeer({ address: bound.address, port: bound.port })}: one UDP port for control and data`);
  log(`${most}${cfg.secret !== null ? ', shared secret required' : ', no secret'}`);

  // Wait until aborted, or with --once until the first session has ended; either way until no session runs.
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if ((hooks.signal?.aborted === true || (cfg.once && core.served > 0)) && core.sessions.size === 0) resolve();
    };
    core.onSessionEnded = check;
    hooks.signal?.addEventListener(
      'abort',
      () => {
        core.stopAll();
        check();
      },
      { once: true },
    );
    check();
  });
  ch.closed = true;
  limited.close();
  await closeSocket(bound.socket);
  return core.served;
}
