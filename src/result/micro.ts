/**
 * The result of `bench micro`: micro-benchmarks of the per-datagram hot
 * paths (published as schema/micro.schema.json, perf-schema.ts).
 */
import type { Environment } from './types.js';

/** One micro-benchmark. Times are per operation (one datagram, one tick, one read). */
export interface MicroRow {
  name: string;
  /** Mean time per operation, ns (mean over batches of {@link MicroResult.batchSize} operations). */
  nsPerOp: number;
  /** `1e9 / nsPerOp`. */
  opsPerSecond: number;
  /** Timed batches (each of {@link MicroResult.batchSize} operations). */
  samples: number;
  /** Relative margin of error of the mean, percent (95 % confidence). */
  rme: number;
  /** 99th percentile of the per-batch mean time per operation, ns (not of single operations). */
  p99Ns?: number;
}

/** The budget: header decode + receive accounting per datagram. */
export interface MicroTarget {
  /** Name of the row it is judged on. */
  name: string;
  limitNs: number;
  measuredNs: number;
  pass: boolean;
  /**
   * Heap bytes allocated per operation of that row, from `heapUsed` over
   * windows with no garbage collection (checked), the least of a few (steady
   * state); absent when every attempt saw a collection.
   */
  heapBytesPerOp?: number;
}

/** The result of one `bench micro` run. */
export interface MicroResult {
  kind: 'micro';
  schemaVersion: number;
  tool: { name: string; version: string };
  /** Wall-clock ISO time the run started. */
  startedAt: string;
  /** Always true: a micro run has no partial state. */
  complete: boolean;
  environment: Environment;
  /** Time budget per benchmark, ms. */
  timeMs: number;
  /** Operations per timed batch (timer overhead amortised over them). */
  batchSize: number;
  rows: MicroRow[];
  target: MicroTarget;
}
