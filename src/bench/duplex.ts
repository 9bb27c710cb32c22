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
import { createMonotonicClock } from '../udp/clock.js';
import { readUdpCounters } from '../udp/kernel.js';
import { DROP_BASELINE_LEAD_NS } from '../udp/sender.js';
import { SCHEMA_VERSION } from '../report/schema.js';
import type { DuplexResult, RunConfig, RunWarning } from '../report/schema.js';
import { startEndpoint, type Endpoint } from './endpoint.js';
import type { RunHooks } from './hooks.js';
import { DRAIN_GRACE_MS, DRAIN_TIMEOUT_MS, START_LEAD_NS, directionsOf, kernelDelta, sleep, trackProgress, waitAll } from './phases.js';
import { collectEnvironment } from './environment.js';
import { TOOL } from '../version.js';
import { bufferWarnings, directionWarnings } from './warnings.js';

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

