import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('remote mode with a shared secret', () => {
  it('refuses a wrong or missing secret, logs it, and accepts the right one', async () => {
    const l = await startListener(['--secret', 'right-horse']);
    try {
      const wrong = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--no-save', '--secret', 'wrong-horse']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^bench: the listener refused: authentication failed/m);
      const missing = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--no-save'], { env: { ...process.env, BENCH_SECRET: '' } });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/authentication failed/);
      await l.waitFor(/refused 127\.0\.0\.1:\d+: wrong or missing shared secret/);
      const right = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '2k', '--no-save', '--json'], { env: { ...process.env, BENCH_SECRET: 'right-horse' } });
      expect(right.code).toBe(0);
      expect(JSON.parse(right.stdout).complete).toBe(true);
    } finally {
      await l.stop();
    }
  });
});
