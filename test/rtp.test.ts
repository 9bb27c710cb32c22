/**
 * The RTP framing and the RFC 3550 figures of rtp.ts, against values worked
 * out by hand from the RFC's formulas (not from the code's own arithmetic),
 * and the receiver reading both framings from real sockets.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RTP_HEADER_BYTES, RtpStreamStats, clockRateOfPayloadType, isRtcpOctet, isRtpFamily, rtpProfileOf, stampRtp, writeRtpHeader } from '../src/udp/rtp.js';
import { MAGIC } from '../src/udp/wire.js';

/** A bare RTP packet: header only. */
function packet(o: { pt: number; seq: number; ts: number; ssrc: number; marker?: boolean }): Buffer {
  const b = Buffer.alloc(RTP_HEADER_BYTES);
  writeRtpHeader(b, o.pt, o.ssrc);
  stampRtp(b, o.pt, o.marker === true, o.seq & 0xffff, o.ts >>> 0);
  return b;
}

describe('RTP header', () => {
  it('is RFC 3550 §5.1 byte for byte', () => {
    const b = packet({ pt: 0, seq: 0x1234, ts: 0xdeadbeef, ssrc: 0x01020304, marker: true });
    // V=2 P=0 X=0 CC=0 → 0x80; M=1 PT=0 → 0x80; seq; timestamp; SSRC.
    expect([...b]).toEqual([0x80, 0x80, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04]);
    expect(isRtpFamily(b, b.length)).toBe(true);
    expect(isRtcpOctet(b[1] as number)).toBe(false);
  });

  it('our own framing is never read as RTP, RTCP is told from RTP by its second octet (RFC 5761 §4)', () => {
    const own = Buffer.alloc(40);
    own.writeUInt32BE(MAGIC, 0);
    expect(isRtpFamily(own, own.length)).toBe(false);
    for (const pt of [0, 34]) for (const m of [false, true]) expect(isRtcpOctet((m ? 0x80 : 0) | pt)).toBe(false);
    for (const rtcp of [200, 201, 202, 203, 204]) expect(isRtcpOctet(rtcp)).toBe(true);
  });

  it('voice declares PCMU at 8 kHz, everything else a 90 kHz video type (RFC 3551 §6)', () => {
    expect(rtpProfileOf('voice')).toEqual({ payloadType: 0, clockRate: 8000, encoding: 'PCMU' });
    for (const k of ['video', 'trace', 'cbr'] as const) expect(rtpProfileOf(k).clockRate).toBe(90_000);
    expect(clockRateOfPayloadType(0)).toBe(8000);
    expect(clockRateOfPayloadType(34)).toBe(90_000);
  });
});

describe('RtpStreamStats (RFC 3550 A.1, A.3, A.8)', () => {
  const ms = 1e6;

  it('a perfectly paced 8 kHz stream: no loss, no sequence error, jitter 0', () => {
    const s = new RtpStreamStats(clockRateOfPayloadType);
    for (let i = 0; i < 100; i++) s.record(packet({ pt: 0, seq: 65500 + i, ts: 1000 + 160 * i, ssrc: 7 }), 5e9 + i * 20 * ms);
    const r = s.snapshot();
    // 100 packets across the 16-bit wrap (65500 … 65599 → 65535, 0 … 63): A.3 expected counts through it.
    expect(r).toMatchObject({ ssrc: 7, payloadType: 0, clockRate: 8000, packets: 100, expected: 100, seqErrors: 0, otherSsrc: 0 });
    expect(r?.jitter).toBeCloseTo(0, 9);
    expect(s.extendedHighest()).toBe(65536 + 63);
  });

  it('losses and a reorder: A.3 expected spans first to highest, sequence errors count each jump', () => {
    const s = new RtpStreamStats(clockRateOfPayloadType);
    // Sent 10…19; 12 and 13 lost, 16 arrives after 17.
    const order = [10, 11, 14, 15, 17, 16, 18, 19];
    order.forEach((seq, i) => s.record(packet({ pt: 0, seq, ts: seq * 160, ssrc: 1 }), i * 20 * ms));
    const r = s.snapshot();
    expect(r?.packets).toBe(8);
    expect(r?.expected).toBe(10); // 19 − 10 + 1
    // Jumps: 11→14, 15→17, 17→16, 16→18: four packets not following their predecessor.
    expect(r?.seqErrors).toBe(4);
  });

  it('A.8 jitter, one step by hand: a packet 2 ms late at 8 kHz adds |D|/16 = 16/16 = 1 unit', () => {
    const s = new RtpStreamStats(clockRateOfPayloadType);
    s.record(packet({ pt: 0, seq: 1, ts: 0, ssrc: 1 }), 0);
    // Sampled 20 ms later (160 units), arrived 22 ms later (176 units): D = 16 units.
    s.record(packet({ pt: 0, seq: 2, ts: 160, ssrc: 1 }), 22 * ms);
    expect(s.snapshot()?.jitter).toBeCloseTo(1, 9);
    // Back on time: D = (40 − 22 ms) − 20 ms = −2 ms = −16 units; J = 1 + (16 − 1)/16.
    s.record(packet({ pt: 0, seq: 3, ts: 320, ssrc: 1 }), 40 * ms);
    expect(s.snapshot()?.jitter).toBeCloseTo(1 + 15 / 16, 9);
  });

  it('a timestamp that wraps past 2^32 is a small step, not a 2^32 jump', () => {
    const s = new RtpStreamStats(clockRateOfPayloadType);
    s.record(packet({ pt: 34, seq: 1, ts: 0xffffffff - 1499, ssrc: 1 }), 0);
    s.record(packet({ pt: 34, seq: 2, ts: 1500, ssrc: 1 }), (3000 / 90_000) * 1e9);
    expect(s.snapshot()?.jitter).toBeLessThan(1);
  });

  it('another SSRC is counted apart and changes nothing', () => {
    const s = new RtpStreamStats(clockRateOfPayloadType);
    s.record(packet({ pt: 0, seq: 1, ts: 0, ssrc: 1 }), 0);
    s.record(packet({ pt: 0, seq: 500, ts: 9999, ssrc: 2 }), 20 * ms);
    expect(s.snapshot()).toMatchObject({ packets: 1, expected: 1, otherSsrc: 1, seqErrors: 0 });
  });

  it('expected − packets equals the sequence numbers missing, for any loss pattern across the wrap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(fc.boolean(), { minLength: 2, maxLength: 3000 }), (first, kept) => {
        kept[0] = true;
        const s = new RtpStreamStats(clockRateOfPayloadType);
        let last = 0;
        kept.forEach((k, i) => {
          if (!k) return;
          s.record(packet({ pt: 0, seq: first + i, ts: i * 160, ssrc: 9 }), i * 20 * ms);
          last = i;
        });
        const r = s.snapshot();
        const got = kept.slice(0, last + 1).filter(Boolean).length;
        expect(r?.expected).toBe(last + 1);
        expect((r?.expected ?? 0) - (r?.packets ?? 0)).toBe(last + 1 - got);
      }),
      { numRuns: 200 },
    );
  });
});
