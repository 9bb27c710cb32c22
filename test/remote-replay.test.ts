/**
 * Replay: a recording proxy sits between a real client and a listener with a
 * shared secret, records the client's control frames of a real session, and
 * afterwards resends them from the same address and port the listener saw.
 * No session may start, no test traffic may come back, and the listener says
 * so in its log.
 */
import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { CONTROL_KIND_MIN, Decode, Kind, createHeader, decodeHeader } from '../src/udp/wire.js';

describe('a recorded authenticated session, replayed from the same address and port', () => {
  it('starts no session, gets no test traffic, and is logged as a replay', async () => {
    const l = await startListener(['--secret', 'replay-me', '--json']);
    const proxy = dgram.createSocket('udp4');
    await new Promise<void>((r) => proxy.bind(0, '127.0.0.1', r));
    const proxyPort = proxy.address().port;
    const recorded: Buffer[] = [];
    let client: { address: string; port: number } | null = null;
    let replaying = false;
    let dataAfterReplay = 0;
    let framesAfterReplay = 0;
    const h = createHeader();
    proxy.on('message', (msg, rinfo) => {
      const fromListener = rinfo.port === l.port;
      if (!fromListener) {
        client = { address: rinfo.address, port: rinfo.port };
        if (decodeHeader(msg, msg.length, null, h) === Decode.Ok && h.kind >= CONTROL_KIND_MIN) recorded.push(Buffer.from(msg));
        proxy.send(msg, l.port, '127.0.0.1');
      } else if (replaying) {
        if (decodeHeader(msg, msg.length, null, h) === Decode.Ok && h.kind < CONTROL_KIND_MIN) dataAfterReplay++;
        framesAfterReplay++;
      } else if (client !== null) proxy.send(msg, client.port, client.address);
    });
    try {
      const r = await runCli(['duplex', '--peer', `127.0.0.1:${proxyPort}`, '--duration', '1', '--rate', '1k', '--no-save', '--json', '--secret', 'replay-me']);
      expect(r.code).toBe(0);
      await l.result(1);
      expect(recorded.length).toBeGreaterThan(3); // hello, params, go, results chunks…
      replaying = true;
      // First only what follows the handshake (go, clock probes, aborts, results chunks): nothing takes them,
      // and the log says whose ended session they belong to (they were dropped silently before).
      const h2 = createHeader();
      const later = recorded.filter((f) => decodeHeader(f, f.length, null, h2) === Decode.Ok && h2.kind !== Kind.Hello && h2.kind !== Kind.Params);
      expect(later.length).toBeGreaterThan(0);
      for (const frame of later) proxy.send(frame, l.port, '127.0.0.1');
      await l.waitFor(/dropped an? (go|clock probe|abort|results chunk) from 127\.0\.0\.1:\d+: its session [0-9a-f]+ ended [\d.]+ s ago \(a replay or a late retransmission\)/);
      await new Promise((res) => setTimeout(res, 1100)); // past the log's 1 s window
      // Then everything twice, in order, as the attacker on that address and port would.

      for (let round = 0; round < 2; round++) {
        for (const frame of recorded) {
          proxy.send(frame, l.port, '127.0.0.1');
          await new Promise((res) => setTimeout(res, 5));
        }
      }
      await new Promise((res) => setTimeout(res, 1500));
      expect(dataAfterReplay).toBe(0);
      await l.waitFor(/replay/);
      // One session only: the real one.
      expect(l.stderr().match(/session [0-9a-f]+ with/g) ?? []).toHaveLength(1);
      expect(l.child.exitCode).toBeNull();
      console.log(`replayed ${recorded.length} frames ×2: ${framesAfterReplay} small replies, ${dataAfterReplay} data datagrams`);
    } finally {
      proxy.close();
      await l.stop();
    }
  });
});
