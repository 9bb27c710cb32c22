/**
 * The data phase of a remote session, shared by the client (`bench duplex
 * --peer`) and the listener (`bench listen`): one endpoint here, its peer on
 * another machine, control frames relayed from the data sockets to the
 * control channel, peer-loss detection, drain, results exchange, and the
 * merge into one result that both sides compute identically.
 */
import { readUdpCounters } from '../udp/kernel.js';
import type { Clock } from '../udp/clock.js';
import { Kind } from '../udp/wire.js';
import { DROP_BASELINE_LEAD_NS } from '../udp/sender.js';
import type { DuplexResult, Environment, KernelCounters, RunConfig, RunWarning } from '../result/types.js';
import { type ControlChannel, type PeerAddress, exchangeBlob, jsonBody } from './control.js';
import { directionsOf, kernelDelta, sleep, waitAll } from './phases.js';
import type { BaseHooks, ProgressSample } from './hooks.js';
import type { IncompleteReason } from '../result/types.js';
import { startEndpoint, type Endpoint, type EndpointReport } from './endpoint.js';
import { collectEnvironment, localAddressToward } from './environment.js';
import { mergeDirection } from './merge.js';
import { bufferWarnings, directionWarnings } from './warnings.js';
import { printable } from './log-limit.js';
import { decodeReportOffThread } from './report-decode.js';
import { reportBoundsOf } from './report-bounds.js';
import { driftCorrection, estimateClock, type ClockSample } from './clock-sync.js';
import type { DirectionClock } from './merge.js';
import { DRAIN_GRACE_MS, DRAIN_TIMEOUT_MS, runDeadlines } from './defaults.js';
import { duplexResult, incompleteReasonOf } from './result-envelope.js';
import { bodyOf } from './control-registry.js';
import type { IntervalTick } from './messages.js';
import { makeWarning } from '../result/warnings.js';

/** What each side sends the other after the data phase. */
export interface RemoteReport {
  report: EndpointReport;
  kernel: KernelCounters;
  environment: Environment;
  complete: boolean;
  incompleteReason: IncompleteReason | null;
  warnings: RunWarning[];
  /** The client's clock probes before and after the data phase (clock-sync.ts); absent on the listener's side. */
  clock?: ClockReport;
}

/** Clock probe samples of one session, as the client took them. */
export interface ClockReport {
  before: ClockSample[];
  after: ClockSample[];
}

/**
 * Remote mode's endpoint, on both sides: the data workers join the control
 * socket's port, relay the control frames that land on their sockets to the
 * channel (for the endpoint's whole life, from each worker's start), and
 * connect to the peer. Also collects the environment of the interface that
 * reaches the peer (a wildcard bind is resolved to the address the kernel
 * picks).
 */
export async function openRemoteEndpoint(
  cfg: RunConfig,
  ch: ControlChannel,
  opts: {
    id: 'A' | 'B';
    threads: RunConfig['threads'];
    port: number;
    session: number;
    peer: PeerAddress;
    /** The listener: other sessions share the port, so every receiving socket connects to its peer (`EndpointOptions.connectPeer`). */
    connectPeer: boolean;
  },
): Promise<{ ep: Endpoint; environment: Environment }> {
  const ep = await startEndpoint(cfg, {
    id: opts.id,
    threads: opts.threads,
    bindPort: opts.port,
    session: opts.session,
    role: { kind: opts.connectPeer ? 'listener' : 'remote-client', peerTimeoutNs: cfg.peerTimeoutSeconds * 1e9 },
    onControl: (bytes, address, port, arrivalNs) => ch.deliver(bytes, address, port, arrivalNs),
  });
  try {
    await ep.connect(opts.peer.address, opts.peer.port);
    const wildcard = cfg.host === '0.0.0.0' || cfg.host === '::';
    const localAddress = wildcard ? await localAddressToward(opts.peer, cfg.family, cfg.host) : cfg.host;
    // The result shows the address actually used toward the peer, not the wildcard bound.
    ep.address = localAddress;
    return { ep, environment: collectEnvironment(localAddress) };
  } catch (err) {
    await ep.close();
    throw err;
  }
}

/** How the data phase ended on this side. */
export interface DataPhaseOutcome {
  mine: RemoteReport;
  theirs: RemoteReport | null;
}

/** Hooks of a session. */
export interface SessionHooks extends Pick<BaseHooks, 'signal' | 'onNotice'> {
  onProgress?: (s: ProgressSample) => void;
}

/** Everything the data phase of one session needs. */
export interface DataPhaseOptions {
  /** This side's endpoint, connected to the peer. */
  ep: Endpoint;
  ch: ControlChannel;
  peer: PeerAddress;
  session: number;
  cfg: RunConfig;
  /** The agreed start of traffic on `clock`. */
  startAtNs: number;
  /** This side's environment, for its report. */
  environment: Environment;
  hooks: SessionHooks;
  clock: Clock;
  /** The peer's clock − ours (ns) estimated before the start, for one-way delays; `null`/absent: none. */
  peerClockOffsetNs?: number | null;
  /**
   * The listener: when it accepted the session, on `clock`. The client's
   * clock samples carry this side's timestamps (t2, t3), which must fall
   * between then and the results exchange (report-bounds.ts).
   */
  acceptedAtNs?: number;
  /** The client: its probes before the start, and how to probe again once the traffic has drained. */
  clockProbes?: { before: ClockSample[]; after: () => Promise<ClockSample[]> };
}

/** What the peer may say when it aborts, and the reason that becomes on this side. */
const PEER_ABORT_REASONS: Readonly<Record<string, IncompleteReason>> = { interrupted: 'peer-interrupted', 'peer-timeout': 'peer-gave-up' };

/**
 * Runs the data phase on a connected endpoint: starts at `startAtNs`, stops on
 * interrupt, on the peer's abort or when the peer falls silent, drains,
 * collects, and exchanges reports with the peer.
 */
export async function runDataPhase(opts: DataPhaseOptions): Promise<DataPhaseOutcome> {
  const { ep, ch, peer, session, cfg, startAtNs, environment, hooks, clock } = opts;
  const warnings: RunWarning[] = [];
  // Set from callbacks (stop); declared wide so the compiler does not narrow it to its initial `null`.
  let incompleteReason = null as IncompleteReason | null;
  const deadlines = runDeadlines((cfg.omitSeconds + cfg.durationSeconds) * 1000);
  const kernelBefore = readUdpCounters(cfg.family);
  const sendDone = ep.sendDone(deadlines.sendDoneMs);
  const endSeen = ep.endSeen(deadlines.endSeenMs);
  sendDone.catch(() => undefined);
  endSeen.catch(() => undefined);

  let stopped = false;
  const stop = (reason: IncompleteReason, tellPeer: boolean): void => {
    if (stopped) return;
    stopped = true;
    incompleteReason = reason;
    ep.stop();
    if (tellPeer) {
      // Best effort, a few copies: the peer stops too instead of waiting for its timeout.
      for (let i = 0; i < 3; i++) setTimeout(() => ch.send({ to: peer, kind: Kind.Abort, session, msgId: ch.nextId(), body: jsonBody({ reason }) }), i * 50);
    }
  };

  const progress = hooks.onProgress === undefined ? null : remoteProgress(ep.id, hooks.onProgress);
  // Control frames that land on the data sockets reach `ch` through the endpoint's own relay (openRemoteEndpoint).
  const offWorkers = ep.onMessage((m) => {
    if (m.type === 'peer-silent') {
      warnings.push(makeWarning('peer-timeout', { silentMs: m.silentMs, peerTimeoutSeconds: cfg.peerTimeoutSeconds }));
      hooks.onNotice?.(`peer silent for ${(m.silentMs / 1000).toFixed(1)} s: stopping`);
      stop('peer-timeout', true);
    } else if (m.type === 'interval' && !m.warmup) progress?.(m);
  });
  const offAbort = ch.on((m) => {
    if (m.frame.kind === Kind.Abort && m.frame.session === session && m.from.address === peer.address && m.from.port === peer.port) {
      const reason = bodyOf(m, Kind.Abort)?.reason;
      // Only known reasons become part of ours: nothing the peer wrote reaches the result as free text.
      const known = typeof reason === 'string' && Object.hasOwn(PEER_ABORT_REASONS, reason) ? PEER_ABORT_REASONS[reason] : undefined;
      hooks.onNotice?.(`peer stopped the test (${reason !== undefined ? printable(reason, 60) : 'no reason'})`);
      stop(known ?? 'peer-aborted', false);
    }
  });
  const onAbort = (): void => stop('interrupted', true);
  if (hooks.signal?.aborted) onAbort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });

  const warmupNs = cfg.omitSeconds * 1e9;
  ep.start(startAtNs, warmupNs, cfg.durationSeconds * 1e9, opts.peerClockOffsetNs ?? null);
  // Measure-start timer: the kernel drop baseline excludes pre-roll and warm-up drops.
  const warmupTimer = setTimeout(() => ep.markMeasureStart(), Math.max(0, (startAtNs + warmupNs - DROP_BASELINE_LEAD_NS - clock.nowNs()) / 1e6));

  const sendersOk = await waitAll([sendDone], deadlines.sendDoneMs);
  clearTimeout(warmupTimer);
  // A silent peer will not send its end marker: do not wait long for it.
  const drained = await waitAll([endSeen], incompleteReason === 'peer-timeout' ? 200 : DRAIN_TIMEOUT_MS + cfg.peerTimeoutSeconds * 1000);
  await sleep(DRAIN_GRACE_MS);
  // The second clock burst, on an idle path, while the peer still serves the session (before the results).
  const clockAfter = opts.clockProbes !== undefined && incompleteReason !== 'peer-timeout' ? await opts.clockProbes.after().catch(() => []) : [];
  hooks.signal?.removeEventListener('abort', onAbort);
  ep.markMeasureEnd();
  const kernelAfter = readUdpCounters(cfg.family);
  const report = await ep.finish(deadlines.finishMs);
  offWorkers();
  if (!sendersOk && incompleteReason === null) incompleteReason = 'sender-timeout';
  if (!drained) warnings.push(makeWarning('no-end-marker', { endpoint: ep.id, senders: 1 }));
  const mine: RemoteReport = {
    report,
    kernel: kernelDelta(kernelBefore, kernelAfter),
    environment,
    complete: incompleteReason === null && report.complete,
    incompleteReason,
    warnings,
    ...(opts.clockProbes === undefined ? {} : { clock: { before: opts.clockProbes.before, after: clockAfter } }),
  };

  // Results exchange, over the control channel (the data sockets are closed now).
  const theirs = await exchangeReports({ ch, peer, session, cfg, clock, mine, peerLost: incompleteReason === 'peer-timeout', acceptedAtNs: opts.acceptedAtNs, peerRole: ep.id === 'A' ? 'listener' : 'client', onNotice: (l) => hooks.onNotice?.(l) });
  offAbort();
  return { mine, theirs };
}

/**
 * Sends this side's report and receives the peer's over the control
 * channel; the peer's is inflated, parsed, schema-checked and held to the
 * session's bounds off this thread (report-decode.ts), so the control loop
 * keeps answering. A refused report leaves only this side's figures, and
 * says so in `mine`'s warnings.
 */
async function exchangeReports(a: {
  ch: ControlChannel;
  peer: PeerAddress;
  session: number;
  cfg: RunConfig;
  clock: Clock;
  mine: RemoteReport;
  peerLost: boolean;
  acceptedAtNs: number | undefined;
  peerRole: 'client' | 'listener';
  onNotice: (line: string) => void;
}): Promise<RemoteReport | null> {
  const { ch, peer, session, cfg, clock, mine, peerLost, peerRole } = a;
  a.onNotice('exchanging results with the peer');
  const bounds = reportBoundsOf(cfg, peerRole, a.acceptedAtNs === undefined ? null : { from: a.acceptedAtNs, to: clock.nowNs() + 1e9 });
  const { theirs } = await exchangeBlob(ch, peer, session, mine, { timeoutMs: peerLost ? 2000 : 10_000 + cfg.peerTimeoutSeconds * 1000, maxBytes: bounds.maxBytes });
  if (theirs === null) return null;
  const decoded = await decodeReportOffThread(theirs, bounds);
  if (!decoded.ok) {
    a.onNotice(`the ${peerRole}'s results were refused at ${printable(decoded.path, 80)}: ${printable(decoded.message, 120)}`);
    mine.warnings.push(peerReportRefused(peerRole, decoded.path, decoded.message));
    return null;
  }
  return decoded.report;
}

/** Remote progress: each side sees its own sender and its own receiver; per-second counts from the worker's cumulative ticks. */
function remoteProgress(id: 'A' | 'B', emit: (s: ProgressSample) => void): (m: IntervalTick) => void {
  const dirOut = id === 'A' ? 'A→B' : 'B→A';
  const dirIn = id === 'A' ? 'B→A' : 'A→B';
  let prevSent = 0;
  let prevRecv = 0;
  let prevExp = 0;
  return (m) => {
    if (m.sent !== null) {
      emit({ direction: dirOut, fromSeconds: m.index - 1, toSeconds: m.index, sent: m.sent - prevSent, received: null, lost: null, omitted: false });
      prevSent = m.sent;
    }
    if (m.received !== null) {
      const rec = m.received - prevRecv;
      const expected = m.expected ?? prevExp;
      emit({ direction: dirIn, fromSeconds: m.index - 1, toSeconds: m.index, sent: null, received: rec, lost: Math.max(0, expected - prevExp - rec), omitted: false });
      prevRecv = m.received;
      prevExp = expected;
    }
  };
}

/** The warning a result carries when the peer's report was refused: which side's figure, and why. */
export function peerReportRefused(peer: 'client' | 'listener', path: string, message: string): RunWarning {
  return makeWarning('peer-report-refused', { peer, path: printable(path, 80), reason: printable(message, 120) });
}

/**
 * The clock estimate of a session from the client's probes (clock-sync.ts),
 * as it applies to each direction: the receivers recorded one-way delays
 * against the offset of the probes before the run; the drift measured by
 * the probes after it corrects them by its mean effect over the measured
 * phase (client clock), and half its spread widens the bound.
 */
export function directionClocks(a: RemoteReport): { ab: DirectionClock; ba: DirectionClock } | null {
  if (a.clock === undefined) return null;
  const e = estimateClock(a.clock.before, a.clock.after);
  const s = a.report.sender;
  if (e === null || s === null || s.measureEndNs <= s.measureStartNs) return null;
  const measure = { startNs: s.measureStartNs, endNs: s.measureEndNs };
  const idleNs = e.roundTripNs.before / 2;
  const one = (sign: 1 | -1): DirectionClock => {
    const c = driftCorrection(e, measure, sign);
    return { offsetNs: e.offsetNs, driftPpm: e.driftPerNs * 1e6, shiftNs: c.shiftNs, boundNs: e.boundNs + c.extraBoundNs, idleNs };
  };
  return { ab: one(1), ba: one(-1) };
}

/**
 * The one result both sides compute from the two reports: A is the client,
 * B the listener. With a report missing, the directions carry what this side
 * observed and say which side that was.
 */
export function buildRemoteResult(args: {
  cfg: RunConfig;
  startedAt: string;
  a: RemoteReport | null;
  b: RemoteReport | null;
  /** Which endpoint this side is: its own reason for stopping comes first (a listener's own signal is `interrupted`, not `peer-interrupted`). */
  local: 'A' | 'B';
  elapsedSeconds: number;
}): DuplexResult {
  const { cfg, a, b } = args;
  const warnings: RunWarning[] = [...(a?.warnings ?? []), ...(b?.warnings ?? [])];
  const reports = [a, b].filter((r): r is RemoteReport => r !== null);
  warnings.push(...bufferWarnings(cfg, reports.map((r) => r.report.endpoint)));
  let directions;
  if (a !== null && b !== null) {
    directions = directionsOf({ a: a.report, b: b.report, cfg, sharedClock: false, kernelExact: false, clock: directionClocks(a) });
  } else {
    const have = (a ?? b) as RemoteReport;
    const other = have.report.endpoint.id === 'A' ? 'B' : 'A';
    warnings.push(makeWarning('no-peer-results', { endpoint: have.report.endpoint.id }));
    const rateOf = (from: 'A' | 'B'): number | null => (from === 'A' ? cfg.rateAbPps : cfg.rateBaPps);
    const common = { sizeBytes: cfg.sizeBytes, sharedClock: false, kernelExact: false } as const;
    const out = mergeDirection({ ...common, from: have.report.endpoint.id, to: other, sender: have.report.sender, receiver: null, kernelDrops: null, extraForeign: 0, offeredPps: rateOf(have.report.endpoint.id) });
    const inc = mergeDirection({ ...common, from: other, to: have.report.endpoint.id, sender: null, receiver: have.report.receiver, kernelDrops: have.report.kernelDrops, extraForeign: have.report.extraForeign, offeredPps: rateOf(other), rxQueuePeak: have.report.rxQueue });
    directions = have.report.endpoint.id === 'A' ? [out, inc] : [inc, out];
  }
  warnings.push(...directionWarnings(directions));
  const complete = a !== null && b !== null && a.complete && b.complete;
  const [own, peer] = args.local === 'A' ? [a, b] : [b, a];
  const result: DuplexResult = duplexResult({
    startedAt: args.startedAt,
    complete,
    incompleteReason: incompleteReasonOf(complete, [own?.incompleteReason, peer?.incompleteReason], 'no-peer-results'),
    mode: 'remote',
    config: cfg,
    environment: (a ?? b)?.environment as Environment,
    endpoints: reports.map((r) => r.report.endpoint).sort((x, y) => x.id.localeCompare(y.id)),
    directions,
    kernel: a?.kernel ?? { available: false, source: 'endpoint A did not report', delta: {}, note: 'n/a' },
    warnings,
    elapsedSeconds: args.elapsedSeconds,
  });
  if (b !== null) {
    result.peerKernel = b.kernel;
    result.peerEnvironment = b.environment;
  }
  return result;
}
