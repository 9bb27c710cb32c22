/**
 * The phases of a run that every scenario shares (local `bench duplex`, the
 * remote client and the listener, and the many-peer runs): waiting with a
 * deadline, the drain constants, the namespace-wide kernel counters, the
 * merge of two endpoint reports into directions, and the per-second progress
 * of local endpoints. Nothing here knows which scenario calls it.
 */
import type { Clock } from '../udp/clock.js';
import { diffCounters, readUdpCounters, type UdpCounterSnapshot } from '../udp/kernel.js';
import { DROP_BASELINE_LEAD_NS } from '../udp/sender.js';
import type { DirectionResult, KernelCounters, RunConfig } from '../result/types.js';
import type { IntervalTick } from './messages.js';
import type { Endpoint, EndpointReport } from './endpoint.js';
import type { RunHooks } from './hooks.js';
import { mergeDirection, type DirectionClock } from './merge.js';
import { DRAIN_GRACE_MS, DRAIN_TIMEOUT_MS, runDeadlines } from './defaults.js';
import type { DirectionLabel } from '../result/types.js';

/** Lead time for the synchronised start (lets every worker get the message). */
export const START_LEAD_NS = 200e6;

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

/** A promise that resolves after `ms`. */
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

/** How the running, draining and collecting phases of local endpoints ended. */
export interface LocalPhasesOutcome {
  /** Each endpoint's report, in the order given. */
  reports: EndpointReport[];
  /** The namespace-wide counters over the run. */
  kernel: KernelCounters;
  /** Every sender finished in time. */
  sendersOk: boolean;
  /** Every receiver saw its end markers within the drain time. */
  drained: boolean;
  /** The run was stopped by `hooks.signal`. */
  interrupted: boolean;
}

/**
 * peered → running → draining → collecting, for endpoints all on this
 * machine (the two-endpoint run and the `--clients N` run): the synchronised
 * start, the drop baseline in the quiet gap before measuring, interrupt,
 * the senders' end, the drain, and the reports (socket drops read before
 * the sockets close).
 */
export async function runLocalPhases(args: { endpoints: readonly Endpoint[]; cfg: RunConfig; hooks: RunHooks; clock: Clock }): Promise<LocalPhasesOutcome> {
  const { endpoints, cfg, hooks, clock } = args;
  const kernelBefore = readUdpCounters(cfg.family);
  const deadlines = runDeadlines((cfg.omitSeconds + cfg.durationSeconds) * 1000);
  const senderDone = endpoints.map((e) => e.sendDone(deadlines.sendDoneMs));
  const endSeen = endpoints.map((e) => e.endSeen(deadlines.endSeenMs));
  [...senderDone, ...endSeen].forEach((p) => p.catch(() => undefined));

  const progress = trackProgress([...endpoints], hooks.onProgress);
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
  const sendersOk = await waitAll(senderDone, deadlines.sendDoneMs);
  clearTimeout(warmupTimer);
  const drained = await waitAll(endSeen, DRAIN_TIMEOUT_MS);
  await sleep(DRAIN_GRACE_MS);
  hooks.signal?.removeEventListener('abort', onAbort);

  // draining → collecting: socket drops must be read before the sockets close.
  endpoints.forEach((e) => e.markMeasureEnd());
  const kernelAfter = readUdpCounters(cfg.family);
  const reports = await Promise.all(endpoints.map((e) => e.finish(deadlines.finishMs)));
  progress.stop();
  return { reports, kernel: kernelDelta(kernelBefore, kernelAfter), sendersOk, drained, interrupted };
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
  /** Across machines: the clock estimate per direction (one-way delay), when the probes came back. */
  clock?: { ab: DirectionClock; ba: DirectionClock } | null;
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
      rxQueuePeak: to.rxQueue,
      // RTCP about this direction arrives at its sending endpoint (RFC 5761: on the same port), read by that endpoint's receiver.
      peerRtcp: from.receiver?.rtcpIn ?? null,
      clock: args.clock == null ? null : from.endpoint.id === 'A' ? args.clock.ab : args.clock.ba,
    });
  return [one(a, b, cfg.rateAbPps), one(b, a, cfg.rateBaPps)];
}

/**
 * Combines the workers' per-second ticks into per-direction progress
 * samples: a direction's second is complete once every sender's and every
 * receiver's tick for it has arrived (one each in a two-endpoint run; with
 * `--clients N`, N clients and the server's sum over its N peers).
 */
export function trackProgress(endpoints: Endpoint[], onProgress: RunHooks['onProgress']): { stop(): void } {
  if (!onProgress) return { stop() {} };
  type Acc = { sent: number; received: number; expected: number; senders: number; receivers: number };
  const pending = new Map<string, Acc>();
  const prev = new Map<string, { sent: number; received: number; expected: number }>();
  const offs: (() => void)[] = [];
  const dirOf = (from: 'A' | 'B'): DirectionLabel => (from === 'A' ? 'A→B' : 'B→A');
  // Ticks expected per direction and second: one from each endpoint's sending thread on one side, one
  // from each receiving thread on the other (one per endpoint, but K from a server with K receivers).
  const senders = (id: 'A' | 'B'): number => endpoints.filter((e) => e.id === id).length;
  const receivers = (id: 'A' | 'B'): number => endpoints.filter((e) => e.id === id).reduce((n, e) => n + e.receiverCount, 0);
  const want = { 'A→B': { senders: senders('A'), receivers: receivers('B') }, 'B→A': { senders: senders('B'), receivers: receivers('A') } };
  const emit = (dir: DirectionLabel, tick: IntervalTick, acc: Acc): void => {
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
        const handle = (dir: DirectionLabel, part: { sent?: number; received?: number; expected?: number }): void => {
          const key = `${dir}:${m.warmup ? 'w' : 'm'}:${m.index}`;
          const acc = pending.get(key) ?? { sent: 0, received: 0, expected: 0, senders: 0, receivers: 0 };
          if (part.sent !== undefined) {
            acc.sent += part.sent;
            acc.senders++;
          }
          if (part.received !== undefined) {
            acc.received += part.received;
            acc.expected += part.expected ?? 0;
            acc.receivers++;
          }
          if (acc.senders >= want[dir].senders && acc.receivers >= want[dir].receivers) {
            pending.delete(key);
            emit(dir, m, acc);
          } else pending.set(key, acc);
        };
        if (m.sent !== null) handle(dirOf(m.endpointId), { sent: m.sent });
        if (m.received !== null) handle(dirOf(m.endpointId === 'A' ? 'B' : 'A'), { received: m.received, expected: m.expected ?? 0 });
      }),
    );
  }
  return { stop: () => offs.forEach((off) => off()) };
}
