/**
 * Starting data-plane workers and talking to them with typed messages.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkerError } from '../errors.js';
import type { FromWorker, ToWorker, WorkerInit } from './messages.js';

/**
 * The compiled worker script. When this module runs from TypeScript sources
 * (vitest), worker threads still need JavaScript: use the build in `dist/`.
 */
function workerScript(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/bench/worker.js', import.meta.url);
}

type Listener = (m: FromWorker) => void;

/** One running worker. */
export class WorkerHandle {
  private readonly worker: Worker;
  private readonly listeners = new Set<Listener>();
  private failure: Error | null = null;
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(readonly init: WorkerInit) {
    this.worker = new Worker(workerScript(), { workerData: init });
    this.worker.on('message', (m: FromWorker) => {
      for (const l of [...this.listeners]) l(m);
    });
    this.worker.on('error', (err) => {
      this.failure = new WorkerError(`${init.endpointId}/${init.role} worker crashed: ${err.message}`, init.role);
      for (const l of [...this.listeners]) l({ type: 'error', code: 'EWORKER', message: this.failure.message, option: null });
    });
    this.exitPromise = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  /** A short label such as `A/sender`. */
  get label(): string {
    return `${this.init.endpointId}/${this.init.role}`;
  }

  send(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  /** Subscribes to every message; returns an unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first message of `type`; rejects on an `error` message
   * or when the worker exits first, or after `timeoutMs`.
   */
  next<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (): void => {
        off();
        if (timer) clearTimeout(timer);
      };
      const off = this.on((m) => {
        if (m.type === type) {
          done();
          resolve(m as Extract<FromWorker, { type: T }>);
        } else if (m.type === 'error') {
          done();
          reject(Object.assign(new WorkerError(m.message, this.init.role), { code: m.code, option: m.option }));
        }
      });
      timer = setTimeout(() => {
        off();
        reject(new WorkerError(`${this.label}: no '${type}' within ${timeoutMs} ms`, this.init.role));
      }, timeoutMs);
      void this.exitPromise.then(() => {
        if (timer === null) return;
        done();
        reject(this.failure ?? new WorkerError(`${this.label}: exited before '${type}'`, this.init.role));
      });
    });
  }

  /** Stops the worker (if it has not exited) and waits for it. */
  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
    await this.exitPromise;
  }
}
