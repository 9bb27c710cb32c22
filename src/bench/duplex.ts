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
import type { DuplexResult, RunConfig, RunWarning } from '../result/types.js';
import { startEndpoint, type Endpoint, type EndpointReport } from './endpoint.js';
import type { RunHooks } from './hooks.js';
import { directionsOf, runLocalPhases } from './phases.js';
import { collectEnvironment } from './environment.js';
import { bufferWarnings, directionWarnings } from './warnings.js';
import { localDuplexResult } from './result-envelope.js';
import { makeWarning } from '../result/warnings.js';

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
  // BENCH_SINGLE_CONNECT=0 keeps single mode's socket unconnected, as before: only for the A/B benchmark (scripts/ab-single-connect.mjs).
  const strangerSocket = process.env.BENCH_SINGLE_CONNECT !== '0';
  const common = { threads: cfg.threads, session, role: { kind: 'local', strangerSocket } } as const;
  try {
    // spawn → bound
    const a = await startEndpoint(cfg, { ...common, id: 'A', bindPort: cfg.port ?? 0 });
    endpoints.push(a);
    const b = await startEndpoint(cfg, { ...common, id: 'B', bindPort: cfg.port === null ? 0 : cfg.port + 1 });
    endpoints.push(b);

    // bound → peered
    await Promise.all([a.connect(b.address, b.port), b.connect(a.address, a.port)]);
    hooks.onReady?.(endpoints.map((e) => ({ id: e.id, address: e.address, port: e.port })));

    // peered → running → draining → collecting (phases.ts)
    const { reports, kernel, sendersOk, drained, interrupted } = await runLocalPhases({ endpoints, cfg, hooks, clock });
    const [ra, rb] = reports as [EndpointReport, EndpointReport];

    if (!drained) warnings.push(makeWarning('no-end-marker', { endpoint: null, senders: 1 }));
    const endpointResults = [ra.endpoint, rb.endpoint];
    warnings.push(...bufferWarnings(cfg, endpointResults));
    if (!kernel.available) warnings.push(makeWarning('no-proc', { source: kernel.source }));

    const complete = !interrupted && sendersOk && ra.complete && rb.complete;
    const directions = directionsOf({ a: ra, b: rb, cfg, sharedClock: true, kernelExact: true });
    warnings.push(...directionWarnings(directions));
    return localDuplexResult({ startedAt, complete, interrupted, sendersOk, config: cfg, environment: collectEnvironment(cfg.host), endpoints: endpointResults, directions, kernel, warnings, elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
  } finally {
    await Promise.all(endpoints.map((e) => e.close()));
  }
}

