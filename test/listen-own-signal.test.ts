import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

describe('a listener stopped by its own signal during a session', () => {
  it('reports "interrupted" in its own result; the client reports "peer-interrupted"', async () => {
    const l = await startListener(['--json']);
    const client = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '20', '--rate', '1k', '--no-save', '--json']);
    await l.waitFor(/session [0-9a-f]+ with/);
    await new Promise((r) => setTimeout(r, 1500));
    l.child.kill('SIGINT');
    const server = await l.result(1);
    const c = await client;
    expect(server.complete).toBe(false);
    expect(server.incompleteReason).toBe('interrupted');
    expect(JSON.parse(c.stdout).incompleteReason).toBe('peer-interrupted');
    await l.stop();
  });
});
