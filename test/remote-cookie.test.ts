import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { startListener } from './listener.js';
import { encodeControl, Kind, decodeControl, decodeHeader, createHeader, Decode, CONTROL_KIND_MIN } from '../src/udp/wire.js';
import { CONTROL_VERSION, HELLO_BYTES, jsonBody, nonce } from '../src/bench/control.js';

describe('address validation: a hello that never echoes the cookie', () => {
  it('gets no test traffic and at most as many bytes as it sent', async () => {
    const l = await startListener();
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    let bytesIn = 0;
    let dataIn = 0;
    const kinds: number[] = [];
    const h = createHeader();
    s.on('message', (msg) => {
      bytesIn += msg.length;
      if (decodeHeader(msg, msg.length, null, h) === Decode.Ok && h.kind < CONTROL_KIND_MIN) dataIn++;
      const f = decodeControl(msg);
      if (f) kinds.push(f.kind);
    });
    let bytesOut = 0;
    const send = (b: Buffer): Promise<void> => new Promise((r) => s.send(b, l.port, '127.0.0.1', () => r()));
    try {
      // Proper padded hellos, short unpadded hellos, and junk, for about 1.5 s; never the params.
      for (let i = 0; i < 30; i++) {
        const body = jsonBody({ v: CONTROL_VERSION, nonce: nonce(), auth: null });
        const hello = encodeControl({ kind: Kind.Hello, session: 0, msgId: i + 1, sendTimeNs: 0, body, padTo: i % 3 === 0 ? HELLO_BYTES : 0 });
        bytesOut += hello.length;
        await send(hello);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(kinds.length).toBeGreaterThan(0); // the padded hellos got cookies
      expect(kinds.every((k) => k === Kind.Cookie)).toBe(true);
      expect(dataIn).toBe(0);
      expect(bytesIn).toBeLessThanOrEqual(bytesOut);
    } finally {
      s.close();
      await l.stop();
    }
  });
});
