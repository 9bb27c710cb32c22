import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('a second client while a session runs', () => {
  it('is answered "busy", and the first session completes', async () => {
    const l = await startListener();
    try {
      const first = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '3', '--rate', '2k', '--no-save', '--json']);
      await l.waitFor(/session [0-9a-f]+ with/);
      const second = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--no-save']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^bench: the listener is busy: serving 127\.0\.0\.1:\d+$/m);
      const r = await first;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).complete).toBe(true);
    } finally {
      await l.stop();
    }
  });
});
