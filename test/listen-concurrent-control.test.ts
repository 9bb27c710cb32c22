/**
 * The listener's session table under its controls: the aggregate rate cap,
 * its own signal with several sessions running, --once with several, and the
 * result files of sessions that end together.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

const duplex = (port: number, args: string[]) => runCli(['duplex', '--peer', `127.0.0.1:${port}`, '--threads', 'single', '--no-save', ...args], { timeoutMs: 40_000 });

describe('bench listen with several sessions', () => {
  it('refuses a session that would push the sum of the rates over --max-rate, naming both figures; the running one completes', async () => {
    const l = await startListener(['--max-rate', '5k']);
    try {
      const first = duplex(l.port, ['--duration', '3', '--rate', '3k', '--json']);
      await l.waitFor(/session [0-9a-f]+ with/);
      // 3k + 3k > 5k in both directions: A→B is named first.
      const second = await duplex(l.port, ['--duration', '1', '--rate', '3k']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        /^bench: the listener refused: rate A→B 3,000 datagrams\/s on top of the 3,000 datagrams\/s of the 1 session running exceeds this listener's --max-total-rate 5,000 datagrams\/s \(the sum over its sessions\)$/m,
      );
      // Within the sum (3k + 2k = 5k) a second session runs alongside.
      const third = await duplex(l.port, ['--duration', '1', '--rate', '2k', '--json']);
      expect(third.code, third.stderr).toBe(0);
      expect(JSON.parse(third.stdout).complete).toBe(true);
      const r = await first;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).complete).toBe(true);
      expect(l.stderr().match(/session [0-9a-f]+ with/g)).toHaveLength(2);
    } finally {
      await l.stop();
    }
  }, 60_000);

  it('stopped by its own signal, stops every session with its own partial result; each client hears it', async () => {
    const l = await startListener(['--json']);
    const clients = [duplex(l.port, ['--duration', '20', '--rate', '1k', '--json']), duplex(l.port, ['--duration', '20', '--rate', '1500', '--json'])];
    await l.waitFor(/\(1 other session running\)/);
    await new Promise((r) => setTimeout(r, 1500));
    l.child.kill('SIGINT');
    const served = [await l.result(1), await l.result(2)];
    const runs = await Promise.all(clients);
    expect(await l.exited()).toBe(0);
    for (const s of served) {
      expect(s.complete).toBe(false);
      expect(s.incompleteReason).toBe('interrupted');
    }
    for (const r of runs) expect(JSON.parse(r.stdout).incompleteReason).toBe('peer-interrupted');
    // One result per client, each with that client's own rate.
    const byPort = new Map(served.map((s) => [s.endpoints[0].port, s]));
    for (const r of runs) {
      const c = JSON.parse(r.stdout);
      expect(byPort.get(c.endpoints[0].port)?.config.rateAbPps).toBe(c.config.rateAbPps);
    }
    expect(new Set(served.map((s) => s.config.rateAbPps))).toEqual(new Set([1000, 1500]));
  }, 60_000);

  it('--once: exits after the first session ends, once the sessions running by then have ended; a newcomer is refused', async () => {
    const l = await startListener(['--once', '--json']);
    // The long session first, and running before the short one starts: under load a client process can
    // take a second to start, and a session that only arrives after the first has ended is (rightly) refused.
    const long = duplex(l.port, ['--duration', '6', '--rate', '1k', '--json']);
    await l.waitFor(/session [0-9a-f]+ with/);
    const short = duplex(l.port, ['--duration', '1', '--rate', '1k', '--json']);
    expect((await short).code).toBe(0);
    await l.waitFor(/complete; back to listening/);
    const late = await duplex(l.port, ['--duration', '1', '--rate', '1k']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^bench: the listener refused: this listener is closing \(--once: its first session has ended\)$/m);
    const l2 = await long;
    expect(l2.code).toBe(0);
    expect(JSON.parse(l2.stdout).complete).toBe(true);
    expect(await l.exited()).toBe(0);
    expect([(await l.result(1)).complete, (await l.result(2)).complete]).toEqual([true, true]);
  }, 60_000);

  it('saves each session to its own file, named from the listener\'s port, clock and session id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-listen-multi-'));
    const l = await startListener([], { save: true, env: { ...process.env, BENCH_RESULTS_DIR: dir } });
    try {
      const runs = await Promise.all([duplex(l.port, ['--duration', '1', '--rate', '1k']), duplex(l.port, ['--duration', '1', '--rate', '1k'])]);
      for (const r of runs) expect(r.code).toBe(0);
      await l.waitFor(/result saved to[^\n]*\n[^]*result saved to/);
      const ids = [...l.stderr().matchAll(/session ([0-9a-f]+) with/g)].map((m) => m[1]);
      expect(ids).toHaveLength(2);
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(2);
      for (const id of ids) {
        const file = files.find((f) => f.endsWith(`-duplex-remote-listener-port${l.port}-session${id}.json`));
        expect(file, `a file for session ${id}: ${files.join(', ')}`).toBeDefined();
        expect(JSON.parse(readFileSync(join(dir, file as string), 'utf8')).complete).toBe(true);
      }
    } finally {
      await l.stop();
    }
  }, 60_000);
});
