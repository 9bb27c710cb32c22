/**
 * The RTCP codec (src/udp/rtcp.ts): exact bytes, round trips, the RFC 3550
 * A.3 arithmetic, the RFC 5761 demultiplexing rule, and the reader against
 * hostile input (fast-check: it must never throw, and every refusal names a
 * known reason).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RTCP_MAX_COMPOUND_BYTES,
  RTCP_MAX_PACKETS,
  RTCP_REJECT_REASONS,
  RtcpType,
  fractionLostFrom,
  isRtcp,
  jitterToMs,
  middle32,
  ntpFromUnixMs,
  readCompound,
  writeCompound,
  writeReceiverReport,
  writeSenderReport,
  type ReportBlock,
  type RtcpReadResult,
  type RtcpReport,
  type SenderReportOptions,
} from '../src/udp/rtcp.js';
import { isRtcpOctet, isRtpFamily, stampRtp, writeRtpHeader } from '../src/udp/rtp.js';
import { MAGIC } from '../src/udp/wire.js';

const RUNS = 2000;

function block(i: number): ReportBlock {
  return {
    ssrc: (0x10000000 + i * 0x01010101) >>> 0,
    fractionLost: (i * 37) & 0xff,
    cumulativeLost: i % 2 === 0 ? i * 1000 : -i,
    extendedHighestSeq: (0x00030000 + i * 7) >>> 0,
    jitter: i * 13,
    lastSr: (0xabcd0000 + i) >>> 0,
    delaySinceLastSr: i * 65536,
  };
}
const blocks = (n: number): ReportBlock[] => Array.from({ length: n }, (_, i) => block(i));

function sr(n: number): SenderReportOptions {
  return { ssrc: 0xdeadbeef, ntpSeconds: 0xe8000000, ntpFraction: 0x12345678, rtpTimestamp: 0xfffffff0, packetCount: 4242, octetCount: 0xffffffff, reports: blocks(n) };
}

function okPackets(r: RtcpReadResult) {
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.packets;
}

function reasonOf(r: RtcpReadResult): string {
  return r.ok ? 'ok' : r.reason;
}

/** An RR with no blocks: the smallest valid first packet. */
function rr0(ssrc = 1): number[] {
  return [0x80, 201, 0, 1, (ssrc >>> 24) & 0xff, (ssrc >>> 16) & 0xff, (ssrc >>> 8) & 0xff, ssrc & 0xff];
}

const read = (bytes: readonly number[]): RtcpReadResult => readCompound(Buffer.from(bytes), bytes.length);

describe('RFC 5761 demultiplexing (isRtcp)', () => {
  it('is true for SR, RR, SDES, BYE and APP (200..204), whatever the count and padding bits', () => {
    for (let pt = 200; pt <= 204; pt++) {
      for (const b0 of [0x80, 0x81, 0x9f, 0xa0]) expect(isRtcp(Buffer.from([b0, pt, 0, 1, 0, 0, 0, 0])), `pt ${pt} b0 ${b0}`).toBe(true);
    }
  });

  it('is false for RTP with payload types 0, 96 and 111, marker set or not', () => {
    const buf = Buffer.alloc(12);
    for (const pt of [0, 96, 111]) {
      for (const marker of [false, true]) {
        writeRtpHeader(buf, pt, 0x01020304);
        stampRtp(buf, pt, marker, 0xffff, 123456);
        expect(isRtcp(buf), `pt ${pt} marker ${marker}`).toBe(false);
      }
    }
  });

  it('would take PT 64..95 with the marker for RTCP: why RFC 5761 §4 forbids those payload types', () => {
    const buf = Buffer.alloc(12);
    writeRtpHeader(buf, 72, 1);
    stampRtp(buf, 72, true, 1, 1);
    expect(buf[1]).toBe(200);
    expect(isRtcp(buf)).toBe(true);
  });

  it('is false for our own framing ("UDX1"), for other versions, and for fewer than 2 bytes', () => {
    const udx = Buffer.alloc(40);
    udx.writeUInt32BE(MAGIC, 0);
    expect(udx.subarray(0, 4).toString('latin1')).toBe('UDX1');
    expect(isRtcp(udx)).toBe(false);
    expect(isRtcp(Buffer.from([0x40, 200, 0, 1]))).toBe(false); // version 1
    expect(isRtcp(Buffer.from([0xc0, 200, 0, 1]))).toBe(false); // version 3
    expect(isRtcp(Buffer.from([0x80]))).toBe(false);
    expect(isRtcp(Buffer.alloc(0))).toBe(false);
    expect(isRtcp(Buffer.from([0x80, 200]), 1)).toBe(false); // only `length` bytes count
  });

  it('agrees with the receiver’s rule in rtp.ts on every two-byte prefix', () => {
    const b = Buffer.alloc(2);
    const disagree: string[] = [];
    let rtcp = 0;
    for (let b0 = 0; b0 < 256; b0++) {
      for (let b1 = 0; b1 < 256; b1++) {
        b[0] = b0;
        b[1] = b1;
        const mine = isRtcp(b, 2);
        if (mine) rtcp++;
        if (mine !== (isRtpFamily(b, 2) && isRtcpOctet(b1))) disagree.push(`${b0},${b1}`);
      }
    }
    expect(disagree).toEqual([]);
    expect(rtcp).toBe(64 * 32); // 64 first octets with version 2, 32 second octets
  });
});

describe('Sender and Receiver Reports', () => {
  it('writes an SR with one block byte for byte', () => {
    const buf = Buffer.alloc(64, 0xee);
    const n = writeSenderReport(buf, {
      ssrc: 0x01020304,
      ntpSeconds: 0xe1b2c3d4,
      ntpFraction: 0x80000000,
      rtpTimestamp: 0x0000abcd,
      packetCount: 10,
      octetCount: 1600,
      reports: [{ ssrc: 0xcafebabe, fractionLost: 64, cumulativeLost: -2, extendedHighestSeq: 0x00010005, jitter: 0x20, lastSr: 0xc3d48000, delaySinceLastSr: 0x00018000 }],
    });
    // prettier-ignore
    const expected = [
      0x81, 0xc8, 0x00, 0x0c, // V=2 P=0 RC=1 | PT=200 (SR) | length 12 = 52/4 − 1
      0x01, 0x02, 0x03, 0x04, // SSRC of sender
      0xe1, 0xb2, 0xc3, 0xd4, // NTP timestamp, most significant word (seconds)
      0x80, 0x00, 0x00, 0x00, // NTP timestamp, least significant word (fraction: 0.5 s)
      0x00, 0x00, 0xab, 0xcd, // RTP timestamp
      0x00, 0x00, 0x00, 0x0a, // sender's packet count (10)
      0x00, 0x00, 0x06, 0x40, // sender's octet count (1600)
      0xca, 0xfe, 0xba, 0xbe, // report block 1: SSRC of source
      0x40, 0xff, 0xff, 0xfe, // fraction lost 64/256 | cumulative lost −2 (24-bit two's complement)
      0x00, 0x01, 0x00, 0x05, // extended highest sequence number (1 cycle, seq 5)
      0x00, 0x00, 0x00, 0x20, // interarrival jitter (32 timestamp units)
      0xc3, 0xd4, 0x80, 0x00, // LSR: middle 32 bits of the last SR's NTP timestamp
      0x00, 0x01, 0x80, 0x00, // DLSR: 1.5 s in units of 1/65536 s
    ];
    expect(n).toBe(52);
    expect([...buf.subarray(0, n)]).toEqual(expected);
    expect(buf[n]).toBe(0xee); // nothing written past the report
  });

  it('round-trips an SR with 0, 1 and 31 blocks', () => {
    for (const count of [0, 1, 31]) {
      const buf = Buffer.alloc(1024);
      const o = sr(count);
      const n = writeSenderReport(buf, o);
      expect(n).toBe(28 + 24 * count);
      expect(buf[0]! & 0x1f).toBe(count);
      expect(buf.readUInt16BE(2)).toBe(n / 4 - 1);
      expect(okPackets(readCompound(buf, n))).toEqual([{ kind: 'sr', ...o }]);
    }
  });

  it('round-trips an RR with 0, 1 and 31 blocks', () => {
    for (const count of [0, 1, 31]) {
      const buf = Buffer.alloc(1024);
      const o = { ssrc: 7, reports: blocks(count) };
      const n = writeReceiverReport(buf, o);
      expect(n).toBe(8 + 24 * count);
      expect(buf[1]).toBe(RtcpType.RR);
      expect(okPackets(readCompound(buf, n))).toEqual([{ kind: 'rr', ...o }]);
    }
  });

  it('refuses 32 blocks, out-of-range fields and a short buffer with a RangeError, writing nothing', () => {
    const buf = Buffer.alloc(2048, 0xee);
    expect(() => writeReceiverReport(buf, { ssrc: 1, reports: blocks(32) })).toThrow(RangeError);
    expect(() => writeReceiverReport(buf, { ssrc: -1, reports: [] })).toThrow(RangeError);
    expect(() => writeReceiverReport(buf, { ssrc: 2 ** 32, reports: [] })).toThrow(RangeError);
    expect(() => writeReceiverReport(buf, { ssrc: 1, reports: [{ ...block(1), fractionLost: 256 }] })).toThrow(RangeError);
    expect(() => writeReceiverReport(buf, { ssrc: 1, reports: [{ ...block(1), jitter: 1.5 }] })).toThrow(RangeError);
    expect(() => writeReceiverReport(buf, { ssrc: 1, reports: [{ ...block(1), cumulativeLost: Number.NaN }] })).toThrow(RangeError);
    expect(() => writeSenderReport(buf, { ...sr(0), octetCount: 2 ** 32 })).toThrow(RangeError);
    expect(buf.every((b) => b === 0xee)).toBe(true);
    const small = Buffer.alloc(51, 0xee);
    expect(() => writeSenderReport(small, sr(1))).toThrow(RangeError);
    expect(small.every((b) => b === 0xee)).toBe(true);
    expect(writeSenderReport(Buffer.alloc(52), sr(1))).toBe(52);
  });

  it('writes negative cumulative loss in 24-bit two’s complement and clamps it to −0x800000..0x7fffff (A.3)', () => {
    const cases: [number, number, number][] = [
      // given, bytes on the wire, read back
      [-1, 0xffffff, -1],
      [-2, 0xfffffe, -2],
      [0x7fffff, 0x7fffff, 0x7fffff],
      [0x800000, 0x7fffff, 0x7fffff],
      [1e12, 0x7fffff, 0x7fffff],
      [-0x800000, 0x800000, -0x800000],
      [-0x800001, 0x800000, -0x800000],
      [-1e12, 0x800000, -0x800000],
    ];
    const buf = Buffer.alloc(32);
    for (const [given, wire, back] of cases) {
      const n = writeReceiverReport(buf, { ssrc: 1, reports: [{ ...block(0), cumulativeLost: given }] });
      expect((buf[13]! << 16) | (buf[14]! << 8) | buf[15]!, `given ${given}`).toBe(wire);
      const p = okPackets(readCompound(buf, n))[0];
      expect(p?.kind === 'rr' ? p.reports[0]?.cumulativeLost : undefined).toBe(back);
    }
  });
});

describe('compound packets (SR/RR + SDES CNAME)', () => {
  it('writes RR + SDES byte for byte', () => {
    const buf = Buffer.alloc(64, 0xee);
    const n = writeCompound(buf, { report: { kind: 'rr', ssrc: 0x0a0b0c0d, reports: [] }, cname: 'ab' });
    // prettier-ignore
    expect([...buf.subarray(0, n)]).toEqual([
      0x80, 0xc9, 0x00, 0x01, // RR: V=2 RC=0 | PT=201 | length 1
      0x0a, 0x0b, 0x0c, 0x0d, // SSRC of the reporter
      0x81, 0xca, 0x00, 0x03, // SDES: V=2 SC=1 | PT=202 | length 3 = 16/4 − 1
      0x0a, 0x0b, 0x0c, 0x0d, // chunk: SSRC
      0x01, 0x02, 0x61, 0x62, // CNAME item: type 1, length 2, "ab"
      0x00, 0x00, 0x00, 0x00, // null item ending the list, then nulls to the 32-bit boundary
    ]);
  });

  it('pads the SDES chunk to 32 bits for every CNAME length, with at least one null', () => {
    const buf = Buffer.alloc(RTCP_MAX_COMPOUND_BYTES);
    for (let len = 1; len <= 255; len++) {
      const cname = 'x'.repeat(len - 1) + '@';
      const n = writeCompound(buf, { report: { kind: 'sr', ...sr(0) }, cname });
      const sdes = n - 28;
      expect(n % 4).toBe(0);
      expect(sdes).toBe(4 + Math.ceil((4 + 2 + len + 1) / 4) * 4);
      expect(buf.readUInt16BE(28 + 2)).toBe(sdes / 4 - 1);
      expect(buf[28 + 10 + len]).toBe(0);
      expect(okPackets(readCompound(buf, n))[1]).toEqual({ kind: 'sdes', chunks: [{ ssrc: 0xdeadbeef, cname }] });
    }
  });

  it('round-trips SR and RR compounds with 0, 1 and 31 blocks, and the largest fits RTCP_MAX_COMPOUND_BYTES', () => {
    const buf = Buffer.alloc(RTCP_MAX_COMPOUND_BYTES);
    for (const count of [0, 1, 31]) {
      const reports: RtcpReport[] = [
        { kind: 'sr', ...sr(count) },
        { kind: 'rr', ssrc: 99, reports: blocks(count) },
      ];
      for (const report of reports) {
        const n = writeCompound(buf, { report, cname: 'user@host.example' });
        expect(okPackets(readCompound(buf, n))).toEqual([report, { kind: 'sdes', chunks: [{ ssrc: report.ssrc, cname: 'user@host.example' }] }]);
      }
    }
    expect(writeCompound(buf, { report: { kind: 'sr', ...sr(31) }, cname: 'c'.repeat(255) })).toBe(RTCP_MAX_COMPOUND_BYTES);
  });

  it('refuses a CNAME that is empty, over 255 bytes, non-ASCII or not printable', () => {
    const buf = Buffer.alloc(2048);
    const report: RtcpReport = { kind: 'rr', ssrc: 1, reports: [] };
    for (const cname of ['', 'c'.repeat(256), 'café', 'a\nb', 'a\u0000', '\u007f']) expect(() => writeCompound(buf, { report, cname }), JSON.stringify(cname)).toThrow(RangeError);
    expect(() => writeCompound(Buffer.alloc(23), { report, cname: 'ab' })).toThrow(RangeError);
    expect(writeCompound(Buffer.alloc(24), { report, cname: 'ab' })).toBe(24);
  });
});

describe('helpers', () => {
  it('fractionLostFrom follows RFC 3550 A.3', () => {
    expect(fractionLostFrom(0, 0)).toBe(0); // nothing expected
    expect(fractionLostFrom(0, 5)).toBe(0);
    expect(fractionLostFrom(100, 0)).toBe(0); // nothing lost
    expect(fractionLostFrom(100, -3)).toBe(0); // duplicates: negative loss reports 0
    expect(fractionLostFrom(100, 25)).toBe(64); // 25 % = 64/256
    expect(fractionLostFrom(4, 1)).toBe(64);
    expect(fractionLostFrom(3, 1)).toBe(85); // floor(256/3)
    expect(fractionLostFrom(256, 1)).toBe(1);
    expect(fractionLostFrom(1000, 1)).toBe(0); // floor(0.256)
    expect(fractionLostFrom(2, 1)).toBe(128);
    expect(fractionLostFrom(100, 100)).toBe(255); // 256/256 capped
    expect(fractionLostFrom(2 ** 30, 2 ** 29)).toBe(128); // no 32-bit overflow
  });

  it('ntpFromUnixMs, middle32 and jitterToMs', () => {
    expect(ntpFromUnixMs(0)).toEqual({ seconds: 2208988800, fraction: 0 });
    expect(ntpFromUnixMs(1500)).toEqual({ seconds: 2208988801, fraction: 2 ** 31 });
    expect(ntpFromUnixMs(250)).toEqual({ seconds: 2208988800, fraction: 2 ** 30 });
    // NTP era 1 starts at 2036-02-07T06:28:16Z: seconds wrap to 0.
    expect(ntpFromUnixMs(Date.UTC(2036, 1, 7, 6, 28, 16))).toEqual({ seconds: 0, fraction: 0 });
    const t = ntpFromUnixMs(Date.UTC(2025, 0, 1) + 999.9999999);
    expect(t.fraction).toBeLessThan(2 ** 32);
    expect(() => ntpFromUnixMs(Number.NaN)).toThrow(RangeError);
    expect(middle32(0x12345678, 0x9abcdef0)).toBe(0x56789abc);
    expect(middle32(0xffffffff, 0xffffffff)).toBe(0xffffffff);
    expect(jitterToMs(80, 8000)).toBe(10);
    expect(jitterToMs(900, 90_000)).toBe(10);
    expect(() => jitterToMs(1, 0)).toThrow(RangeError);
  });
});

describe('readCompound on bad input', () => {
  it('refuses fewer than 8 bytes, a length that is not a multiple of 4, and a bad length argument', () => {
    for (let n = 0; n < 8; n++) expect(reasonOf(readCompound(Buffer.from(rr0().slice(0, n)), n))).toBe('short');
    expect(reasonOf(read([...rr0(), 0]))).toBe('length');
    const buf = Buffer.from(rr0());
    expect(reasonOf(readCompound(buf, 9))).toBe('length'); // past the buffer
    expect(reasonOf(readCompound(buf, -1))).toBe('length');
    expect(reasonOf(readCompound(buf, 7.5))).toBe('length');
    expect(reasonOf(readCompound(buf, Number.NaN))).toBe('length');
  });

  it('refuses a length field that points past the end', () => {
    const bytes = rr0();
    bytes[3] = 2; // 12 bytes claimed, 8 present
    expect(reasonOf(read(bytes))).toBe('length');
    const second = [...rr0(), 0x80, 204, 0, 5, 0, 0, 0, 0];
    expect(reasonOf(read(second))).toBe('length');
  });

  it('reads only `length` bytes: what follows does not matter', () => {
    const buf = Buffer.alloc(64, 0xff);
    const n = writeCompound(buf, { report: { kind: 'rr', ssrc: 5, reports: [] }, cname: 'a' });
    expect(reasonOf(readCompound(buf, n))).toBe('ok');
    expect(reasonOf(readCompound(buf, n - 4))).toBe('length'); // SDES cut short
  });

  it('refuses version ≠ 2 in any packet, and a compound not starting with SR or RR', () => {
    expect(reasonOf(read([0x40, 201, 0, 1, 0, 0, 0, 1]))).toBe('version');
    expect(reasonOf(read([...rr0(), 0x40, 203, 0, 0]))).toBe('version');
    for (const pt of [202, 203, 204, 205, 206, 207]) expect(reasonOf(read([0x80, pt, 0, 1, 0, 0, 0, 1]))).toBe('firstNotReport'); // reduced-size RTCP included
    expect(reasonOf(read([...rr0(), 0x80, 96, 0, 0]))).toBe('packetType');
  });

  it('refuses report blocks that do not fit, and an SR shorter than its fixed part', () => {
    expect(reasonOf(read([0x9f, 201, 0, 1, 0, 0, 0, 1]))).toBe('tooManyBlocks'); // RC=31, no blocks
    const buf = Buffer.alloc(64);
    const n = writeReceiverReport(buf, { ssrc: 1, reports: blocks(1) });
    buf[0] = 0x82; // RC=2, one block's room
    expect(reasonOf(readCompound(buf, n))).toBe('tooManyBlocks');
    expect(reasonOf(read([0x80, 200, 0, 1, 0, 0, 0, 1]))).toBe('length'); // SR of 8 bytes
    expect(reasonOf(read([0x80, 201, 0, 0, ...rr0()]))).toBe('length'); // RR of 4 bytes: no room for its SSRC
  });

  it('accepts profile-specific extensions after the blocks (RFC 3550 §6.4.1)', () => {
    const bytes = [0x80, 201, 0, 2, 0, 0, 0, 9, 1, 2, 3, 4];
    expect(okPackets(read(bytes))).toEqual([{ kind: 'rr', ssrc: 9, reports: [] }]);
  });

  it('takes padding on the last packet only, with a count of 1..body', () => {
    // RR + BYE(1 SSRC) with 4 bytes of padding: P set, last octet 4.
    const padded = [...rr0(), 0xa1, 203, 0, 2, 0, 0, 0, 7, 0, 0, 0, 4];
    expect(okPackets(read(padded))).toEqual([
      { kind: 'rr', ssrc: 1, reports: [] },
      { kind: 'bye', ssrcs: [7] },
    ]);
    const zero = [...padded];
    zero[zero.length - 1] = 0;
    expect(reasonOf(read(zero))).toBe('padding');
    const tooMuch = [...padded];
    tooMuch[tooMuch.length - 1] = 9; // more than the 8 bytes after the header
    expect(reasonOf(read(tooMuch))).toBe('padding');
    const eatsSsrc = [...padded];
    eatsSsrc[eatsSsrc.length - 1] = 8; // leaves a BYE that claims 1 SSRC in 0 bytes
    expect(reasonOf(read(eatsSsrc))).toBe('bye');
    const notLast = [0xa0, 201, 0, 1, 0, 0, 0, 1, 0x81, 203, 0, 1, 0, 0, 0, 2];
    expect(reasonOf(read(notLast))).toBe('padding');
  });

  it('cannot loop on a length field that would not advance: zero-length packets still move 4 bytes, and 17 packets are refused', () => {
    const zeroLength = [0x80, 204, 0, 0]; // APP with length 0: 4 bytes
    const sixteen = [...rr0(), ...Array.from({ length: RTCP_MAX_PACKETS - 1 }, () => zeroLength).flat()];
    const r = okPackets(read(sixteen));
    expect(r).toHaveLength(16);
    expect(r[1]).toEqual({ kind: 'other', packetType: 204, count: 0, byteLength: 4 });
    expect(reasonOf(read([...sixteen, ...zeroLength]))).toBe('tooManyPackets');
    // A huge datagram of zero-length packets ends after 16 of them.
    const huge = Buffer.alloc(65_504);
    Buffer.from(rr0()).copy(huge);
    for (let o = 8; o < huge.length; o += 4) Buffer.from(zeroLength).copy(huge, o);
    expect(reasonOf(readCompound(huge, huge.length))).toBe('tooManyPackets');
  });

  it('refuses 17 well-formed packets', () => {
    const bye = [0x81, 203, 0, 1, 0, 0, 0, 3];
    const seventeen = [...rr0(), ...Array.from({ length: 16 }, () => bye).flat()];
    expect(reasonOf(read(seventeen))).toBe('tooManyPackets');
    expect(reasonOf(read(seventeen.slice(0, -8)))).toBe('ok');
  });

  it('reads SDES: CNAME kept, other items skipped, chunks without CNAME give null', () => {
    // prettier-ignore
    const sdes = [
      0x82, 202, 0, 7,       // SC=2, length 7 (32 bytes)
      0, 0, 0, 1,            // chunk 1: SSRC 1
      2, 1, 0x4e,            //   NAME "N" (skipped)
      1, 3, 0x61, 0x40, 0x62, //   CNAME "a@b"
      6, 2, 0x74, 0x6f,      //   TOOL "to" (skipped)
      0, 0, 0, 0,            //   end of list, padded to 32 bits
      0, 0, 0, 2,            // chunk 2: SSRC 2
      4, 1, 0x35,            //   PHONE "5" (skipped)
      0,                     //   end of list
    ];
    expect(sdes.length).toBe(32);
    expect(okPackets(read([...rr0(), ...sdes]))[1]).toEqual({
      kind: 'sdes',
      chunks: [
        { ssrc: 1, cname: 'a@b' },
        { ssrc: 2, cname: null },
      ],
    });
  });

  it('refuses a CNAME with control bytes or high-bit bytes, an empty or second CNAME, and malformed chunks', () => {
    const withCname = (text: number[]): number[] => {
      const chunk = [0, 0, 0, 1, 1, text.length, ...text, 0];
      while (chunk.length % 4 !== 0) chunk.push(0);
      return [...rr0(), 0x81, 202, 0, chunk.length / 4, ...chunk];
    };
    expect(reasonOf(read(withCname([0x61, 0x62])))).toBe('ok');
    expect(reasonOf(read(withCname([0x61, 0x1b, 0x5b])))).toBe('cname'); // ESC [
    expect(reasonOf(read(withCname([0x63, 0xc3, 0xa9])))).toBe('cname'); // UTF-8 é
    expect(reasonOf(read(withCname([0x7f])))).toBe('cname');
    expect(reasonOf(read(withCname([])))).toBe('cname');
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 3, 0, 0, 0, 1, 1, 1, 0x61, 1, 1, 0x62, 0, 0]))).toBe('cname'); // two CNAMEs
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 3, 0x61, 0x62]))).toBe('sdes'); // item runs past the packet
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 1, 0x61, 7]))).toBe('sdes'); // unterminated
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 2, 0, 0, 0, 1, 1, 1, 0x61, 0]))).toBe('ok'); // the same, terminated
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 2, 0, 0, 0, 1, 0, 9, 0, 0]))).toBe('sdes'); // padding not null
    expect(reasonOf(read([...rr0(), 0x82, 202, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]))).toBe('sdes'); // SC=2, one chunk
    expect(reasonOf(read([...rr0(), 0x81, 202, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('sdes'); // bytes left after the chunks
    expect(okPackets(read([...rr0(), 0x80, 202, 0, 0]))[1]).toEqual({ kind: 'sdes', chunks: [] });
  });

  it('reads BYE SSRCs, skips the reason, and refuses a BYE that does not fit', () => {
    const bye = [0x82, 203, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 3, 0x62, 0x79, 0x65]; // 2 SSRCs, reason "bye" (fills the word)
    expect(okPackets(read([...rr0(), ...bye]))[1]).toEqual({ kind: 'bye', ssrcs: [1, 2] });
    const padded = [0x81, 203, 0, 2, 0, 0, 0, 1, 1, 0x62, 0, 0]; // 1 SSRC, reason "b" + 2 bytes of padding
    expect(okPackets(read([...rr0(), ...padded]))[1]).toEqual({ kind: 'bye', ssrcs: [1] });
    expect(reasonOf(read([...rr0(), 0x81, 203, 0, 3, 0, 0, 0, 1, 1, 0x62, 0, 0, 0, 0, 0, 0]))).toBe('bye'); // a word of junk after the reason
    expect(okPackets(read([...rr0(), 0x80, 203, 0, 0]))[1]).toEqual({ kind: 'bye', ssrcs: [] });
    expect(reasonOf(read([...rr0(), 0x83, 203, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]))).toBe('bye'); // SC=3, two SSRCs
    expect(reasonOf(read([...rr0(), 0x81, 203, 0, 2, 0, 0, 0, 1, 9, 0x61, 0x62, 0x63]))).toBe('bye'); // reason longer than the packet
  });

  it('skips APP, RTPFB, PSFB and XR by their length', () => {
    const pkts = [204, 205, 206, 207].flatMap((pt) => [0x81, pt, 0, 2, 0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44]);
    const r = okPackets(read([...rr0(), ...pkts]));
    expect(r.slice(1)).toEqual([204, 205, 206, 207].map((packetType) => ({ kind: 'other', packetType, count: 1, byteLength: 12 })));
  });
});

describe('readCompound under fast-check', () => {
  const reasons = new Set<string>(RTCP_REJECT_REASONS);
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const blockArb: fc.Arbitrary<ReportBlock> = fc.record({
    ssrc: u32,
    fractionLost: fc.integer({ min: 0, max: 255 }),
    cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
    extendedHighestSeq: u32,
    jitter: u32,
    lastSr: u32,
    delaySinceLastSr: u32,
  });
  const reportArb: fc.Arbitrary<RtcpReport> = fc.oneof(
    fc.record({ kind: fc.constant('sr' as const), ssrc: u32, ntpSeconds: u32, ntpFraction: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32, reports: fc.array(blockArb, { maxLength: 31 }) }),
    fc.record({ kind: fc.constant('rr' as const), ssrc: u32, reports: fc.array(blockArb, { maxLength: 31 }) }),
  );
  const cnameArb = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 255 });

  function wellFormed(r: RtcpReadResult): void {
    if (r.ok) {
      expect(r.packets.length).toBeGreaterThan(0);
      expect(r.packets.length).toBeLessThanOrEqual(RTCP_MAX_PACKETS);
      expect(['sr', 'rr']).toContain(r.packets[0]?.kind);
    } else {
      expect(reasons.has(r.reason)).toBe(true);
    }
  }

  it('never throws on random bytes, half of them starting like an SR or RR', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.boolean(), fc.nat(), (bytes, likeReport, cut) => {
        const buf = Buffer.from(bytes);
        if (likeReport && buf.length >= 2) {
          buf[0] = 0x80 | (buf[0]! & 0x3f);
          buf[1] = 200 + (buf[1]! & 1);
        }
        wellFormed(readCompound(buf, buf.length));
        wellFormed(readCompound(buf, buf.length === 0 ? 0 : cut % (buf.length + 1)));
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips any valid compound, and never throws when one byte of it is changed or it is cut', () => {
    fc.assert(
      fc.property(reportArb, cnameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (report, cname, at, value, cut) => {
        const buf = Buffer.alloc(RTCP_MAX_COMPOUND_BYTES);
        const n = writeCompound(buf, { report, cname });
        expect(okPackets(readCompound(buf, n))).toEqual([report, { kind: 'sdes', chunks: [{ ssrc: report.ssrc, cname }] }]);
        const mutated = Buffer.from(buf.subarray(0, n));
        mutated[at % n] = value;
        wellFormed(readCompound(mutated, n));
        wellFormed(readCompound(mutated, cut % (n + 1)));
      }),
      { numRuns: RUNS },
    );
  });

  it('never looks past `length`: the bytes after it do not change the result', () => {
    fc.assert(
      fc.property(reportArb, cnameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (report, cname, at, value, junkA, junkB) => {
        const body = Buffer.alloc(RTCP_MAX_COMPOUND_BYTES);
        const n = writeCompound(body, { report, cname });
        body[at % n] = value;
        const a = Buffer.concat([body.subarray(0, n), junkA]);
        const b = Buffer.concat([body.subarray(0, n), junkB]);
        expect(readCompound(a, n)).toEqual(readCompound(b, n));
      }),
      { numRuns: RUNS },
    );
  });
});
