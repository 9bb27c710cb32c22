/**
 * CPU per datagram (issue 24) against the kernel's own account of the whole
 * process: bash's `times` prints the user and system time of its finished
 * children (getrusage RUSAGE_CHILDREN), which holds every thread of the
 * `bench duplex` process — the per-thread figures the result adds up must fit
 * inside it, and a loaded run's worker threads must be most of it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli.js';
import { runBounded } from './bounded-run.js';

/** `times` prints two lines "XmY.YYYs XmY.YYYs": the shell's own, then its children's user and system time. */
function childrenCpuUs(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? '');
  if (m === null) throw new Error(`cannot read times: ${timesOutput}`);
  return ((Number(m[1]) * 60 + Number(m[2])) + (Number(m[3]) * 60 + Number(m[4]))) * 1e6;
}

describe('CPU per datagram carried', () => {
  it.each(['single', 'split'] as const)('%s threads: the threads\' CPU fits inside the process\'s, is most of it, and each thread says what it paid for', async (threads) => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-cost-'));
    try {
      const out = join(dir, 'r.json');
      const run = await runBounded('bash', ['-c', `"${process.execPath}" "${CLI}" duplex --threads ${threads} --rate 30k --size 64 --duration 3 --json --no-save --no-progress > "${out}" && times`], { timeoutMs: 60_000 });
      expect(run.code, run.stderr).toBe(0);
      const processUs = childrenCpuUs(run.stdout);
      const r = JSON.parse(readFileSync(out, 'utf8'));
      const threadsUs = r.endpoints.flatMap((e: any) => e.cpu).reduce((n: number, c: any) => n + c.userUs + c.systemUs, 0);
      console.log(`${threads}: worker threads ${(threadsUs / 1e6).toFixed(2)} s of the process's ${(processUs / 1e6).toFixed(2)} s; ${r.cpuCost.usPerDatagramCarried.toFixed(2)} µs per datagram carried`);
      // Thread figures are in 10 ms ticks: each thread may round up by one.
      expect(threadsUs).toBeLessThanOrEqual(processUs + 10_000 * r.endpoints.flatMap((e: any) => e.cpu).length);
      // The rest is the main thread (Node's start, worker boots, /proc sampling, printing): measured 1.5 of 3.8 s here, so the workers are well over 30 %.
      expect(threadsUs).toBeGreaterThan(0.3 * processUs);
      // Each thread's datagrams are the ones its half sent and read: the direction's and the warm-up's.
      for (const e of r.endpoints) {
        const out = r.directions.find((d: any) => d.from === e.id);
        const inc = r.directions.find((d: any) => d.to === e.id);
        const sent = e.cpu.reduce((n: number, c: any) => n + c.sentDatagrams, 0);
        const received = e.cpu.reduce((n: number, c: any) => n + c.receivedDatagrams, 0);
        expect(sent).toBe(out.sent + e.warmupSent);
        expect(received).toBe(inc.received + inc.duplicates + e.warmupReceived + inc.foreign);
      }
      expect(r.cpuCost.datagrams).toBe(r.directions.reduce((n: number, d: any) => n + d.sent, 0) + r.endpoints.reduce((n: number, e: any) => n + e.warmupSent, 0));
      expect(r.cpuCost.usPerDatagramCarried).toBeCloseTo(threadsUs / r.cpuCost.datagrams, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 70_000);
});
