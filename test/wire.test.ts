import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Decode, FLAG_WARMUP, HEADER_BYTES, Kind, MAGIC, WIRE_VERSION, createHeader, decodeHeader, encodeHeader, stampData } from '../src/udp/wire.js';

describe('wire header', () => {
  it('round-trips every field, including 64-bit values above 2^32', () => {
    const h = createHeader();
    Object.assign(h, { kind: Kind.End, direction: 1, flags: FLAG_WARMUP, session: 0xdeadbeef, seq: 2 ** 40 + 12345, sendTimeNs: 2 ** 52 + 7, echoTimeNs: 123456789012, echoDelayUs: 4000000000 });
    const buf = Buffer.alloc(64);
    encodeHeader(buf, h);
    const out = createHeader();
    expect(decodeHeader(buf, buf.length, 0xdeadbeef, out)).toBe(Decode.Ok);
    expect(out).toEqual(h);
  });

  it('stampData updates only the per-datagram fields', () => {
    const h = createHeader();
    Object.assign(h, { kind: Kind.Data, direction: 0, session: 42 });
    const buf = Buffer.alloc(HEADER_BYTES);
    encodeHeader(buf, h);
    stampData(buf, 99, 0, 5e15, 3, 17);
    const out = createHeader();
    expect(decodeHeader(buf, buf.length, 42, out)).toBe(Decode.Ok);
    expect(out).toMatchObject({ kind: Kind.Data, session: 42, seq: 99, sendTimeNs: 5e15, echoTimeNs: 3, echoDelayUs: 17 });
  });

  it('classifies wrong magic, version, session and truncation', () => {
    const h = createHeader();
    h.session = 7;
    const buf = Buffer.alloc(HEADER_BYTES);
    encodeHeader(buf, h);
    const out = createHeader();
    expect(decodeHeader(buf, HEADER_BYTES - 1, 7, out)).toBe(Decode.Truncated);
    expect(decodeHeader(buf, HEADER_BYTES, 8, out)).toBe(Decode.WrongSession);
    expect(decodeHeader(buf, HEADER_BYTES, null, out)).toBe(Decode.Ok);
    const v = Buffer.from(buf);
    v[4] = WIRE_VERSION + 1;
    expect(decodeHeader(v, HEADER_BYTES, 7, out)).toBe(Decode.BadVersion);
    const m = Buffer.from(buf);
    m.writeUInt32BE(MAGIC ^ 1, 0);
    expect(decodeHeader(m, HEADER_BYTES, 7, out)).toBe(Decode.BadMagic);
  });

  it('never throws on arbitrary bytes of any length', () => {
    const out = createHeader();
    let ok = 0;
    for (let i = 0; i < 20000; i++) {
      const b = randomBytes(i % 97);
      const status = decodeHeader(b, b.length, 1234, out);
      expect(status).toBeGreaterThanOrEqual(0);
      if (status === Decode.Ok) ok++;
    }
    // A random 4-byte magic matches with probability 2^-32: none expected.
    expect(ok).toBe(0);
  });
});
