import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('a peer killed mid-run', () => {
  it('ends the other side with a partial result, and the listener keeps serving', async () => {
    const l = await startListener(['--json']);
    try {
      let killed = false;
      const victim = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '30', '--rate', '2k', '--no-save', '--peer-timeout', '1'], {
        onStderr: (chunk, kill) => {
          if (!killed && /1\.00-2\.00 s/.test(chunk)) {
            killed = true;
            kill('SIGKILL');
          }
        },
      });
      expect(killed).toBe(true);
      expect(victim.signal).toBe('SIGKILL');
      await l.waitFor(/incomplete \(peer-timeout\); back to listening/);
      const partial = await l.result(1);
      expect(partial.complete).toBe(false);
      expect(partial.incompleteReason).toBe('peer-timeout');
      const inbound = partial.directions.find((d: { from: string }) => d.from === 'A');
      expect(inbound.observedBy).toBe('receiver');
      expect(inbound.received).toBeGreaterThan(0);
      // Still serving: a new client completes.
      const next = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '2k', '--no-save', '--json']);
      expect(next.code).toBe(0);
      expect(JSON.parse(next.stdout).complete).toBe(true);
    } finally {
      await l.stop();
    }
  });
});
