import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('a client over --max-clients while a session runs', () => {
  it('is answered "busy" with a one-line error and exit 1, and the first session completes', async () => {
    const l = await startListener(['--max-clients', '1']);
    try {
      const first = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '3', '--rate', '2k', '--no-save', '--json']);
      await l.waitFor(/session [0-9a-f]+ with/);
      const second = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--no-save']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^bench: the listener is busy: 1 session running \(this listener's --max-clients is 1\)$/m);
      // One line for the refusal: no stack trace, no second error line.
      expect(second.stderr.split('\n').filter((x) => x.startsWith('bench:') && /busy|error/i.test(x))).toHaveLength(1);
      expect(second.stderr).not.toMatch(/\n\s+at /);
      await l.waitFor(/busy: answered 127\.0\.0\.1:\d+ \(1 running\)/);
      const r = await first;
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).complete).toBe(true);
      // The first session was the only one: the listener accepted no second.
      expect(l.stderr().match(/session [0-9a-f]+ with/g)).toHaveLength(1);
    } finally {
      await l.stop();
    }
  });
});
