import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { CONTROL_KIND_MIN, encodeControl } from '../src/udp/wire.js';

/** Random bytes, and well-framed control messages of every kind with junk bodies. */
function junk(i: number): Buffer {
  if (i % 2 === 0) return randomBytes(randomInt(0, 1400));
  const kind = CONTROL_KIND_MIN + (i % 12);
  const bodies = [randomBytes(randomInt(0, 200)), Buffer.from('{"nonce":5,"cookie":[],"params":{"sizeBytes":"x"}}'), Buffer.from('{"i":-1}'), Buffer.alloc(1), Buffer.from('null')];
  return encodeControl({ kind, session: randomInt(0, 3), msgId: randomInt(0, 1000), sendTimeNs: 0, chunkCount: randomInt(1, 4), body: bodies[i % bodies.length] as Buffer, tagged: i % 4 === 1 });
}

describe('a listener sprayed with junk and malformed control frames', () => {
  it('does not crash, and still serves a real client to completion', async () => {
    const l = await startListener();
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    try {
      const client = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '2', '--rate', '2k', '--no-save', '--json']);
      // Spray before and during the session: 600 datagrams over ~1.5 s.
      for (let i = 0; i < 600; i++) {
        await new Promise<void>((r) => s.send(junk(i), l.port, '127.0.0.1', () => r()));
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 50));
      }
      const r = await client;
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result.complete).toBe(true);
      // Fuzz traffic is foreign: the real session's loss by sequence still agrees with sent − received.
      for (const d of result.directions) {
        expect(d.check.lostBySequence).toBe(d.lost);
        expect(d.check.agree).toBe(true);
      }
      expect(l.child.exitCode).toBeNull(); // still running
    } finally {
      s.close();
      await l.stop();
    }
  });
});
