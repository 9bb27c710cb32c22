/**
 * CPU time of the calling thread, from `/proc/thread-self/stat` (Linux).
 * Synchronous file reads run on the calling thread, so in a worker this is
 * that worker's own user and system time — `process.cpuUsage()` would count
 * the whole process. Resolution is one clock tick (10 ms with USER_HZ = 100).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** User and system CPU of one thread, µs, and its event-loop utilisation. */
export interface ThreadCpu {
  userUs: number;
  systemUs: number;
  eventLoopUtilization: number | null;
  /** `thread-self` when per-thread, `process` when it fell back to process-wide figures. */
  source: 'thread-self' | 'process';
}

/** Linux USER_HZ: 100 on every mainstream architecture. */
const TICK_US = 10_000;

/** Reads the calling thread's CPU times, falling back to the process's. */
export function readThreadCpu(): { userUs: number; systemUs: number; source: 'thread-self' | 'process' } {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    if (Number.isFinite(utime) && Number.isFinite(stime)) return { userUs: utime * TICK_US, systemUs: stime * TICK_US, source: 'thread-self' };
  } catch {
    // not Linux, or /proc absent
  }
  const u = process.cpuUsage();
  return { userUs: u.user, systemUs: u.system, source: 'process' };
}

/** Starts measuring the calling thread; `stop()` returns the deltas. */
export function startCpuMeter(): { stop(): ThreadCpu } {
  const start = readThreadCpu();
  const elu = performance.eventLoopUtilization();
  return {
    stop(): ThreadCpu {
      const end = readThreadCpu();
      const e = performance.eventLoopUtilization(elu);
      return {
        userUs: end.userUs - start.userUs,
        systemUs: end.systemUs - start.systemUs,
        eventLoopUtilization: Number.isFinite(e.utilization) ? e.utilization : null,
        source: end.source,
      };
    },
  };
}
