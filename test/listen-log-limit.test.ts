import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from './cli.js';
import { startListener } from './listener.js';
import { decodeControl, encodeControl, Kind } from '../src/udp/wire.js';
import { CONTROL_VERSION, HELLO_BYTES, jsonBody, nonce } from '../src/bench/control.js';

describe('a hello flood during a busy session', () => {
  it('is answered, but logged at most once per second per kind, with a count of the rest', async () => {
    // One session at a time: every hello while it runs is answered busy.
    const l = await startListener(['--max-clients', '1']);
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    let busyReplies = 0;
    s.on('message', (msg: Buffer) => {
      if (decodeControl(msg)?.kind === Kind.Busy) busyReplies++;
    });
    try {
      const first = runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '5', '--rate', '1k', '--no-save', '--json']);
      await l.waitFor(/session [0-9a-f]+ with/);
      const before = l.stderr().length;
      // 1,500 fresh, well-formed hellos over about 1.5 s (bounded).
      for (let i = 0; i < 1500; i++) {
        const hello = encodeControl({ kind: Kind.Hello, session: 0, msgId: i + 1, sendTimeNs: 0, body: jsonBody({ v: CONTROL_VERSION, nonce: nonce(), auth: null }), padTo: HELLO_BYTES });
        s.send(hello, l.port, '127.0.0.1');
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 100));
      }
      const r = await first;
      expect(r.code).toBe(0);
      await l.waitFor(/busy: \d+ more in the last 1 s/);
      await new Promise((res) => setTimeout(res, 1200)); // the last window's summary
      const lines = l.stderr().slice(before).split('\n');
      const busy = lines.filter((x) => /busy/.test(x));
      const counted = busy.reduce((n, x) => n + Number(/busy: (\d+) more/.exec(x)?.[1] ?? (/busy: answered/.test(x) ? 1 : 0)), 0);
      console.log(`${busyReplies} busy replies, ${busy.length} log lines for them`);
      expect(busyReplies).toBeGreaterThan(300); // still answered (a reply no larger than the hello)
      expect(busy.length).toBeLessThanOrEqual(10); // about two lines per second, not one per hello
      expect(counted).toBe(busyReplies); // every refusal is counted in the log, none silently lost
    } finally {
      s.close();
      await l.stop();
    }
  });
});
