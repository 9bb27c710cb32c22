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
import { DIR_AB, DIR_BA } from '../udp/wire.js';
import { diffCounters, readPortDrops, readUdpCounters } from '../udp/kernel.js';
import { SCHEMA_VERSION } from '../report/schema.js';
import type { DuplexResult, EndpointResult, KernelCounters, RunConfig, RunWarning, CpuTime } from '../report/schema.js';
import { WorkerHandle } from './threads.js';
import type { IntervalTick, WorkerInit, WorkerPartial } from './messages.js';
import { mergeDirection } from './merge.js';
import { collectEnvironment } from './environment.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { bufferWarnings } from './warnings.js';

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
  /** Called once both endpoints are bound and peered, before traffic starts. */
  onReady?: (endpoints: { id: 'A' | 'B'; address: string; port: number }[]) => void;
}

/** How long the receivers may take to see the end markers after the senders finish. */
const DRAIN_TIMEOUT_MS = 2000;
/** Extra wait after the end markers, for datagrams reordered behind them. */
const DRAIN_GRACE_MS = 50;
/** Lead time for the synchronised start (lets every worker get the message). */
const START_LEAD_NS = 200e6;
const SETUP_TIMEOUT_MS = 10_000;

interface Endpoint {
  id: 'A' | 'B';
  workers: WorkerHandle[];
  sender: WorkerHandle;
  receiver: WorkerHandle;
  address: string;
  port: number;
  rcvbufEffective: number;
  sndbufEffective: number;
  echo: SharedArrayBuffer;
}

function initFor(cfg: RunConfig, id: 'A' | 'B', role: WorkerInit['role'], bindPort: number, session: number, echo: SharedArrayBuffer): WorkerInit {
  const ab = id === 'A';
  return {
    role,
    endpointId: id,
    family: cfg.family,
    bindAddress: cfg.host,
    bindPort,
    reuseAddr: cfg.threads === 'split',
    rcvbufBytes: cfg.rcvbufBytes,
    sndbufBytes: cfg.sndbufBytes,
    session,
    sendDirection: ab ? DIR_AB : DIR_BA,
    receiveDirection: ab ? DIR_BA : DIR_AB,
    sizeBytes: cfg.sizeBytes,
    ratePps: ab ? cfg.rateAbPps : cfg.rateBaPps,
    batch: cfg.sendBatch,
    echoBuffer: echo,
    sharedClock: true,
  };
}

async function startEndpoint(cfg: RunConfig, id: 'A' | 'B', port: number, session: number, all: WorkerHandle[]): Promise<Endpoint> {
  const echo = new SharedArrayBuffer(24);
  if (cfg.threads === 'single') {
    const w = new WorkerHandle(initFor(cfg, id, 'endpoint', port, session, echo));
    all.push(w);
    const b = await w.next('bound', SETUP_TIMEOUT_MS);
    return { id, workers: [w], sender: w, receiver: w, address: b.address, port: b.port, rcvbufEffective: b.rcvbufEffective, sndbufEffective: b.sndbufEffective, echo };
  }
  // Split: the receiver binds first (possibly a free port), the sender joins that port.
  const rx = new WorkerHandle(initFor(cfg, id, 'receiver', port, session, echo));
  all.push(rx);
  const rb = await rx.next('bound', SETUP_TIMEOUT_MS);
  const tx = new WorkerHandle(initFor(cfg, id, 'sender', rb.port, session, echo));
  all.push(tx);
  const tb = await tx.next('bound', SETUP_TIMEOUT_MS);
  return { id, workers: [rx, tx], sender: tx, receiver: rx, address: rb.address, port: rb.port, rcvbufEffective: rb.rcvbufEffective, sndbufEffective: tb.sndbufEffective, echo };
}

function dropsOf(port: number, family: 4 | 6): number | null {
  return readPortDrops(port, family)?.drops ?? null;
}

function waitAll<T>(promises: Promise<T>[], timeoutMs: number): Promise<boolean> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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
  const all: WorkerHandle[] = [];
  const warnings: RunWarning[] = [];
  try {
    // spawn → bound
    const a = await startEndpoint(cfg, 'A', cfg.port ?? 0, session, all);
    const b = await startEndpoint(cfg, 'B', cfg.port === null ? 0 : cfg.port + 1, session, all);
    const endpoints = [a, b];

    // bound → peered
    const ready = all.map((w) => w.next('ready', SETUP_TIMEOUT_MS));
    for (const w of a.workers) w.send({ type: 'peer', address: b.address, port: b.port });
    for (const w of b.workers) w.send({ type: 'peer', address: a.address, port: a.port });
    await Promise.all(ready);
    hooks.onReady?.(endpoints.map((e) => ({ id: e.id, address: e.address, port: e.port })));

    // peered → running
    const kernelBefore = readUdpCounters(cfg.family);
    const dropBase = new Map<string, number | null>(endpoints.map((e) => [e.id, dropsOf(e.port, cfg.family)]));
    const partials: WorkerPartial[] = [];
    const collected = all.map((w) => w.next('partial', 60_000 + cfg.durationSeconds * 2000).then((m) => partials.push(m.partial)));
    collected.forEach((p) => p.catch(() => undefined));

    const senderDone = endpoints.map((e) => e.sender.next('send-done', (cfg.omitSeconds + cfg.durationSeconds) * 1000 + 30_000));
    const endSeen = endpoints.map((e) => e.receiver.next('end-seen', (cfg.omitSeconds + cfg.durationSeconds) * 1000 + 60_000));
    senderDone.forEach((p) => p.catch(() => undefined));
    endSeen.forEach((p) => p.catch(() => undefined));

    const progress = trackProgress(endpoints, all, cfg, hooks.onProgress);
    const startAtNs = clock.nowNs() + START_LEAD_NS;
    const warmupNs = cfg.omitSeconds * 1e9;
    for (const w of all) w.send({ type: 'start', startAtNs, warmupNs, durationNs: cfg.durationSeconds * 1e9 });

    // Warm-up timer: the kernel drop baseline excludes warm-up drops.
    let warmupTimer: NodeJS.Timeout | null = null;
    if (warmupNs > 0) {
      warmupTimer = setTimeout(() => {
        for (const e of endpoints) dropBase.set(e.id, dropsOf(e.port, cfg.family));
      }, (startAtNs + warmupNs - clock.nowNs()) / 1e6);
    }

    // Interrupt: stop the senders now; everything else proceeds (drain, collect).
    let interrupted = false;
    const onAbort = (): void => {
      interrupted = true;
      for (const e of endpoints) e.sender.send({ type: 'stop' });
    };
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });

    // running → draining
    const sendersOk = await waitAll(senderDone, (cfg.omitSeconds + cfg.durationSeconds) * 1000 + 30_000);
    if (warmupTimer) clearTimeout(warmupTimer);
    const drained = await waitAll(endSeen, DRAIN_TIMEOUT_MS);
    await sleep(DRAIN_GRACE_MS);
    hooks.signal?.removeEventListener('abort', onAbort);

    // draining → collecting: socket drops must be read before the sockets close.
    const dropsAfter = new Map(endpoints.map((e) => [e.id, dropsOf(e.port, cfg.family)]));
    const kernelAfter = readUdpCounters(cfg.family);
    for (const w of all) w.send({ type: 'finish' });
    await waitAll(collected, 10_000);
    progress.stop();

    if (!drained) warnings.push({ code: 'no-end-marker', message: 'a receiver did not see its end marker within the drain time; losses are still exact (the sender reported its count)' });
    const kernelDrops = (id: 'A' | 'B'): number | null => {
      const before = dropBase.get(id);
      const after = dropsAfter.get(id);
      return before === null || before === undefined || after === null || after === undefined ? null : after - before;
    };
    const sendPart = (id: 'A' | 'B'): WorkerPartial | undefined => partials.find((p) => p.endpointId === id && p.sender !== null);
    const recvPart = (id: 'A' | 'B'): WorkerPartial | undefined => partials.find((p) => p.endpointId === id && p.receiver !== null);
    const senderOnly = (id: 'A' | 'B'): WorkerPartial | undefined => partials.find((p) => p.endpointId === id && p.role === 'sender');

    const directions = (
      [
        ['A', 'B'],
        ['B', 'A'],
      ] as const
    ).map(([from, to]) =>
      mergeDirection({
        from,
        to,
        sender: sendPart(from)?.sender ?? null,
        receiver: recvPart(to)?.receiver ?? null,
        kernelDrops: kernelDrops(to),
        extraForeign: senderOnly(to)?.foreignAtSender ?? 0,
        sizeBytes: cfg.sizeBytes,
        sharedClock: true,
      }),
    );

    const endpointResults: EndpointResult[] = endpoints.map((e) => {
      const mine = partials.filter((p) => p.endpointId === e.id);
      const cpu: CpuTime[] = mine.map((p) => ({
        thread: p.role,
        userUs: p.cpu.userUs,
        systemUs: p.cpu.systemUs,
        eventLoopUtilization: p.cpu.eventLoopUtilization,
      }));
      return {
        id: e.id,
        address: e.address,
        port: e.port,
        threads: cfg.threads,
        rcvbuf: { requested: cfg.rcvbufBytes, effective: e.rcvbufEffective },
        sndbuf: { requested: cfg.sndbufBytes, effective: e.sndbufEffective },
        leaked: mine.reduce((n, p) => n + p.leaked, 0),
        peerSources: recvPart(e.id)?.receiver?.sources ?? [],
        cpu,
        warmupSent: sendPart(e.id)?.sender?.warmupSent ?? 0,
        warmupReceived: recvPart(e.id)?.receiver?.warmupReceived ?? 0,
      };
    });

    warnings.push(...bufferWarnings(cfg, endpointResults));
    const kernel: KernelCounters = kernelBefore.available && kernelAfter.available
      ? {
          available: true,
          source: kernelBefore.source,
          delta: diffCounters(kernelBefore.counters, kernelAfter.counters),
          note: 'namespace-wide UDP counters over the whole run (setup, warm-up and drain included); other traffic on this machine is counted too',
        }
      : { available: false, source: kernelBefore.available ? kernelAfter.source : kernelBefore.source, delta: {}, note: 'n/a: /proc counters not available here' };
    if (!kernel.available) warnings.push({ code: 'no-proc', message: `kernel counters unavailable (${kernel.source}); loss cannot be attributed to kernel drops` });

    const complete = !interrupted && sendersOk && partials.length === all.length;
    const result: DuplexResult = {
      kind: 'duplex',
      schemaVersion: SCHEMA_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
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
    return result;
  } finally {
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/**
 * Combines the workers' per-second ticks into per-direction progress
 * samples: a direction's second is complete once its sender's and its
 * receiver's ticks have both arrived.
 */
function trackProgress(endpoints: Endpoint[], all: WorkerHandle[], cfg: RunConfig, onProgress: RunHooks['onProgress']): { stop(): void } {
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
  for (const w of all) {
    offs.push(
      w.on((m) => {
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
  void endpoints;
  void cfg;
  return { stop: () => offs.forEach((off) => off()) };
}
