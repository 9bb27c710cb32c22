/**
 * `bench duplex` in local mode: endpoints A and B on one machine, each owning
 * one UDP port, flooding each other at the same time.
 *
 * Control state machine (iperf3-like, explicit):
 *   spawn → bound → peered → running (warm-up, measure) → draining → collecting → done
 * with separate timers for the test end (the senders' own), warm-up end
 * (kernel drop baseline), the drain deadline and the sampling ticks (workers).
 */
import { randomInt } from 'node:crypto';
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { diffCounters, readUdpCounters, type UdpCounterSnapshot } from '../udp/kernel.js';
import { DROP_BASELINE_LEAD_NS } from '../udp/sender.js';
import { SCHEMA_VERSION } from '../report/schema.js';
import type { DirectionResult, DuplexResult, KernelCounters, RunConfig, RunWarning } from '../report/schema.js';
import type { IntervalTick } from './messages.js';
import { Endpoint, startEndpoint, type EndpointReport } from './endpoint.js';
import { mergeDirection } from './merge.js';
import { collectEnvironment } from './environment.js';
import { TOOL } from '../version.js';
import { bufferWarnings, directionWarnings } from './warnings.js';

/** One per-second progress sample of one direction, for live display. */
export interface ProgressSample {
  direction: 'A→B' | 'B→A';
  fromSeconds: number;
  toSeconds: number;
  sent: number;
  received: number;
  lost: number;
  omitted: boolean;
}

/** Hooks and controls for a run; none touches the terminal itself. */
export interface RunHooks {
  /** Called once per second per direction. */
  onProgress?: (sample: ProgressSample) => void;
  /** Aborting stops the senders, drains, and returns a result with `complete: false`. */
  signal?: AbortSignal;
  clock?: Clock;
  /** Remote mode: the shared secret (never saved in the result), or `null`. */
  secret?: string | null;
  /** One-line notices for the user (remote-mode phases, refusals, …). */
  onNotice?: (line: string) => void;
  /** Called once both endpoints are bound and peered, before traffic starts. */
  onReady?: (endpoints: { id: 'A' | 'B'; address: string; port: number }[]) => void;
}

/** How long the receivers may take to see the end markers after the senders finish. */
export const DRAIN_TIMEOUT_MS = 2000;
/** Extra wait after the end markers, for datagrams reordered behind them. */
export const DRAIN_GRACE_MS = 50;
/** Lead time for the synchronised start (lets every worker get the message). */
const START_LEAD_NS = 200e6;

/** Resolves true when every promise resolved within `timeoutMs`, false otherwise. Never rejects. */
export function waitAll(promises: Promise<unknown>[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    Promise.all(promises).then(
      () => {
        clearTimeout(t);
        resolve(true);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The namespace-wide counters of a run, or why they are missing. */
export function kernelDelta(before: UdpCounterSnapshot, after: UdpCounterSnapshot): KernelCounters {
  return before.available && after.available
    ? {
        available: true,
        source: before.source,
        delta: diffCounters(before.counters, after.counters),
        note: 'namespace-wide UDP counters over the whole run (setup, warm-up and drain included); other traffic in this network namespace is counted too',
      }
    : { available: false, source: before.available ? after.source : before.source, delta: {}, note: 'n/a: /proc counters not available here' };
}

/**
 * The receiving sockets' drops during the measured phase, from the baseline
 * the sender read as its measured phase began (exact on loopback, see
 * `SenderPartial.peerDropsAtStart`); `null` when either reading is missing.
 */
function exactDrops(from: EndpointReport, to: EndpointReport): number | null {
  const base = from.sender?.peerDropsAtStart ?? null;
  return base === null || to.dropsAtEnd === null ? null : to.dropsAtEnd - base;
}

/** Merges two endpoint reports (A, B) into the two directions. */
export function directionsOf(args: {
  a: EndpointReport;
  b: EndpointReport;
  cfg: RunConfig;
  /** Both endpoints on one monotonic clock (one-way delay is meaningful). */
  sharedClock: boolean;
  /** Receiving sockets' drops must equal the loss (loopback, both endpoints here). */
  kernelExact: boolean;
}): DirectionResult[] {
  const { a, b, cfg } = args;
  const one = (from: EndpointReport, to: EndpointReport, offeredPps: number | null): DirectionResult =>
    mergeDirection({
      from: from.endpoint.id,
      to: to.endpoint.id,
      sender: from.sender,
      receiver: to.receiver,
      kernelDrops: exactDrops(from, to) ?? to.kernelDrops,
      kernelExact: args.kernelExact,
      extraForeign: to.extraForeign,
      sizeBytes: cfg.sizeBytes,
      offeredPps,
      sharedClock: args.sharedClock,
    });
  return [one(a, b, cfg.rateAbPps), one(b, a, cfg.rateBaPps)];
}

/**
 * Runs a local duplex test with a resolved config. Resolves with the result
 * (complete or partial); rejects only when the run could not start (bind
 * failures and the like, as {@link BenchError}s).
 */
export async function runLocalDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only; never used to measure
  const t0 = clock.nowNs();
  const session = randomInt(1, 0xffffffff);
  const endpoints: Endpoint[] = [];
  const warnings: RunWarning[] = [];
  const common = { threads: cfg.threads, sharedPort: false, session, sharedClock: true, relayControl: false, peerTimeoutNs: 0 };
  try {
    // spawn → bound
    const a = await startEndpoint(cfg, { ...common, id: 'A', bindPort: cfg.port ?? 0 });
    endpoints.push(a);
    const b = await startEndpoint(cfg, { ...common, id: 'B', bindPort: cfg.port === null ? 0 : cfg.port + 1 });
    endpoints.push(b);

    // bound → peered
    await Promise.all([a.connect(b.address, b.port), b.connect(a.address, a.port)]);
    hooks.onReady?.(endpoints.map((e) => ({ id: e.id, address: e.address, port: e.port })));

    // peered → running
    const kernelBefore = readUdpCounters(cfg.family);
    const runMs = (cfg.omitSeconds + cfg.durationSeconds) * 1000;
    const senderDone = endpoints.map((e) => e.sendDone(runMs + 30_000));
    const endSeen = endpoints.map((e) => e.endSeen(runMs + 60_000));
    [...senderDone, ...endSeen].forEach((p) => p.catch(() => undefined));

    const progress = trackProgress(endpoints, hooks.onProgress);
    const startAtNs = clock.nowNs() + START_LEAD_NS;
    const warmupNs = cfg.omitSeconds * 1e9;
    for (const e of endpoints) e.start(startAtNs, warmupNs, cfg.durationSeconds * 1e9);

    // Measure-start timer: the kernel drop baseline excludes pre-roll and warm-up drops.
    const warmupTimer: NodeJS.Timeout = setTimeout(() => endpoints.forEach((e) => e.markMeasureStart()), Math.max(0, (startAtNs + warmupNs - DROP_BASELINE_LEAD_NS - clock.nowNs()) / 1e6));

    // Interrupt: stop the senders now; everything else proceeds (drain, collect).
    let interrupted = false;
    const onAbort = (): void => {
      interrupted = true;
      endpoints.forEach((e) => e.stop());
    };
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });

    // running → draining
    const sendersOk = await waitAll(senderDone, runMs + 30_000);
    clearTimeout(warmupTimer);
    const drained = await waitAll(endSeen, DRAIN_TIMEOUT_MS);
    await sleep(DRAIN_GRACE_MS);
    hooks.signal?.removeEventListener('abort', onAbort);

    // draining → collecting: socket drops must be read before the sockets close.
    endpoints.forEach((e) => e.markMeasureEnd());
    const kernelAfter = readUdpCounters(cfg.family);
    const [ra, rb] = await Promise.all([a.finish(10_000), b.finish(10_000)]);
    progress.stop();
    if (ra === undefined || rb === undefined) throw new Error('unreachable');

    if (!drained) warnings.push({ code: 'no-end-marker', message: 'a receiver did not see its end marker within the drain time; losses are still exact (the sender reported its count)' });
    const endpointResults = [ra.endpoint, rb.endpoint];
    warnings.push(...bufferWarnings(cfg, endpointResults));
    const kernel = kernelDelta(kernelBefore, kernelAfter);
    if (!kernel.available) warnings.push({ code: 'no-proc', message: `kernel counters unavailable (${kernel.source}); loss cannot be attributed to kernel drops` });

    const complete = !interrupted && sendersOk && ra.complete && rb.complete;
    const directions = directionsOf({ a: ra, b: rb, cfg, sharedClock: true, kernelExact: true });
    warnings.push(...directionWarnings(directions));
    return {
      kind: 'duplex',
      schemaVersion: SCHEMA_VERSION,
      tool: { ...TOOL },
      startedAt,
      complete,
      incompleteReason: complete ? null : interrupted ? 'interrupted' : !sendersOk ? 'sender-timeout' : 'worker-lost',
      mode: 'local',
      config: cfg,
      environment: collectEnvironment(cfg.host),
      endpoints: endpointResults,
      directions,
      kernel,
      warnings,
      elapsedSeconds: (clock.nowNs() - t0) / 1e9,
    };
  } finally {
    await Promise.all(endpoints.map((e) => e.close()));
  }
}

/**
 * Combines the workers' per-second ticks into per-direction progress
 * samples: a direction's second is complete once its sender's and its
 * receiver's ticks have both arrived.
 */
export function trackProgress(endpoints: Endpoint[], onProgress: RunHooks['onProgress']): { stop(): void } {
  if (!onProgress) return { stop() {} };
  type Acc = { sent?: number; received?: number; expected?: number };
  const pending = new Map<string, Acc>();
  const prev = new Map<string, { sent: number; received: number; expected: number }>();
  const offs: (() => void)[] = [];
  const dirOf = (from: 'A' | 'B'): 'A→B' | 'B→A' => (from === 'A' ? 'A→B' : 'B→A');
  const emit = (dir: 'A→B' | 'B→A', tick: IntervalTick, acc: Required<Acc>): void => {
    const key = `${dir}:${tick.warmup ? 'w' : 'm'}`;
    const p = prev.get(key) ?? { sent: 0, received: 0, expected: 0 };
    prev.set(key, { sent: acc.sent, received: acc.received, expected: acc.expected });
    const to = tick.warmup ? -tick.index : tick.index;
    onProgress({
      direction: dir,
      fromSeconds: to - 1,
      toSeconds: to,
      sent: acc.sent - p.sent,
      received: acc.received - p.received,
      lost: Math.max(0, acc.expected - p.expected - (acc.received - p.received)),
      omitted: tick.warmup,
    });
  };
  for (const e of endpoints) {
    offs.push(
      e.onMessage((m) => {
        if (m.type !== 'interval') return;
        const handle = (dir: 'A→B' | 'B→A', part: Acc): void => {
          const key = `${dir}:${m.warmup ? 'w' : 'm'}:${m.index}`;
          const acc = { ...(pending.get(key) ?? {}), ...part };
          if (acc.sent !== undefined && acc.received !== undefined && acc.expected !== undefined) {
            pending.delete(key);
            emit(dir, m, acc as Required<Acc>);
          } else pending.set(key, acc);
        };
        if (m.sent >= 0) handle(dirOf(m.endpointId), { sent: m.sent });
        if (m.received >= 0) handle(dirOf(m.endpointId === 'A' ? 'B' : 'A'), { received: m.received, expected: m.expected });
      }),
    );
  }
  return { stop: () => offs.forEach((off) => off()) };
}
