/**
 * `bench duplex --peer HOST:PORT --clients N`: N clients in this process,
 * each a full remote session of its own against the one listener port (its
 * own port, control exchange, session key, endpoint and worker threads), as
 * N separate `bench duplex --peer` processes would be. The clients wait for
 * each other after their handshakes and send their go together, so the
 * data phases overlap; the results combine into one (remote-combine.ts).
 *
 * If any client cannot start (busy, refused, nothing listening), the others
 * stop and the run fails with that client's error: a run with fewer clients
 * than asked would measure something else.
 */
import { createMonotonicClock } from '../udp/clock.js';
import { readUdpCounters } from '../udp/kernel.js';
import type { DuplexResult, RunConfig } from '../result/types.js';
import { BenchError } from '../errors.js';
import { ControlError } from './control.js';
import type { ProgressSample, RunHooks } from './hooks.js';
import { kernelDelta } from './phases.js';
import { runRemoteClient, type RemoteClientRun } from './remote.js';
import { combineRemoteClients } from './remote-combine.js';

/**
 * A meeting point for `n` parties: each call resolves once all `n` have
 * called, or rejects when its signal aborts first (a client that failed stops
 * the others, so nobody waits for it).
 */
export function startBarrier(n: number): (signal: AbortSignal) => Promise<void> {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((r) => (release = r));
  return (signal) => {
    if (++arrived >= n) release();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(new ControlError('the start was interrupted', 'EINTERRUPTED'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void all.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  };
}

/**
 * Sums the clients' per-second samples into one per direction, second and
 * kind (sending or receiving, the halves a remote client sees), emitted once
 * every client has reported it. Bounded: a second that a client never
 * reports (it stopped) is dropped when a later second of that kind completes.
 */
export function progressSum(n: number, emit: ((s: ProgressSample) => void) | undefined): (s: ProgressSample) => void {
  if (emit === undefined) return () => undefined;
  const pending = new Map<string, { sample: ProgressSample; count: number }>();
  return (s) => {
    const kind = s.sent !== null ? 'sent' : 'received';
    const key = `${s.direction}|${kind}|${s.fromSeconds}`;
    const had = pending.get(key);
    if (had === undefined) pending.set(key, { sample: { ...s }, count: 1 });
    else {
      const add = (a: number | null, b: number | null): number | null => (a === null || b === null ? (a ?? b) : a + b);
      had.sample.sent = add(had.sample.sent, s.sent);
      had.sample.received = add(had.sample.received, s.received);
      had.sample.lost = add(had.sample.lost, s.lost);
      had.count++;
    }
    const entry = pending.get(key) as { sample: ProgressSample; count: number };
    if (entry.count < n) return;
    pending.delete(key);
    for (const [k, v] of pending) if (k.startsWith(`${s.direction}|${kind}|`) && v.sample.fromSeconds < s.fromSeconds) pending.delete(k);
    emit(entry.sample);
  };
}

/** Runs `cfg.clients` (≥ 2) client sessions against `cfg.peer` at once and combines them. */
export async function runRemoteClients(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  const n = cfg.clients ?? 1;
  if (!(n >= 2)) throw new RangeError('runRemoteClients needs at least 2 clients (1 is the one-session run)');
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only
  const t0 = clock.nowNs();
  const failed = new AbortController();
  const signal = hooks.signal === undefined ? failed.signal : AbortSignal.any([hooks.signal, failed.signal]);
  const barrier = startBarrier(n);
  const progress = progressSum(n, hooks.onProgress);
  let firstFailure: { index: number; err: unknown } | null = null;
  const kernelBefore = readUdpCounters(cfg.family);
  const settled = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      runRemoteClient(
        // Each client its own port: --port N gives N, N+1, …; else free ones.
        { ...cfg, clients: 1, port: cfg.port === null ? null : cfg.port + i },
        {
          clock,
          signal,
          ...(hooks.secret === undefined ? {} : { secret: hooks.secret }),
          onNotice: (line) => hooks.onNotice?.(`client A${i + 1}: ${line}`),
          onProgress: progress,
        },
        { beforeGo: barrier },
      ).catch((err: unknown) => {
        firstFailure ??= { index: i, err };
        failed.abort();
        throw err;
      }),
    ),
  );
  const failure = firstFailure as { index: number; err: unknown } | null;
  if (failure !== null) {
    // The first client's own error (the others only stopped for it), said of that client.
    const err = failure.err;
    if (err instanceof BenchError) err.message = `client A${failure.index + 1} of ${n}: ${err.message}`;
    throw err;
  }
  const runs = settled.map((s) => (s as PromiseFulfilledResult<RemoteClientRun>).value);
  const kernel = kernelDelta(kernelBefore, readUdpCounters(cfg.family));
  return combineRemoteClients({ cfg, startedAt, runs, kernel, elapsedSeconds: (clock.nowNs() - t0) / 1e9 });
}
