/**
 * RTP framing around our measurement header (`--wire rtp`): the part of the
 * wire format a media tool can read. wire.ts owns our header; this module
 * owns the 12-byte RTP fixed header that precedes it (RFC 3550 §5.1) and the
 * per-stream figures a standard RTP receiver computes from it; rtcp.ts owns
 * the RTCP packets that share the port (RFC 5761).
 *
 * Layout of an RTP datagram: the RTP fixed header (V=2, P=0, X=0, CC=0, M,
 * PT, 16-bit sequence number, 32-bit timestamp, SSRC), then our header
 * (wire.ts, at offset {@link RTP_HEADER_BYTES}) as the first bytes of the
 * RTP payload, then padding. Our header rides in the payload rather than in
 * an RFC 8285 header extension: a tool that knows nothing of ours still sees
 * a plain RTP packet (no X bit, no extension to skip), our decoder reads the
 * same header at a fixed offset, and the hot path stamps the same fields.
 *
 * What is authoritative: our 64-bit sequence number (loss, duplicates,
 * reordering); the RTP sequence number is 16 bits, starts at a random value
 * (RFC 3550 §5.1) and wraps, and is here for other tools and for the RFC 3550
 * figures of {@link RtpStreamStats}.
 *
 * Demultiplexing (RFC 7983 §7, RFC 5761 §4): a first byte in 128–191 is
 * RTP or RTCP, and of those a second byte in 192–223 is RTCP. Our own
 * framing begins with "UDX1" (0x55), which is neither, so one receiver reads
 * both forms.
 *
 * Payload types (RFC 3551 §6, static ones, so that Wireshark and tshark
 * know the clock rate without SDP signalling — with a dynamic type they show
 * no jitter): voice is PT 0 (PCMU, 8 kHz); everything else (video, trace,
 * cbr) is PT 34 (H263, 90 kHz, the video clock). The payload is not audio or
 * H.263: a tool that decodes it plays noise.
 */
import type { PatternKind } from './pattern.js';
import { readU32, writeU32 } from './wire.js';

/** The RTP fixed header without CSRCs (RFC 3550 §5.1). */
export const RTP_HEADER_BYTES = 12;

/** How a direction's datagrams are framed: our own header, or RTP around it. */
export type WireFormat = 'udx' | 'rtp';
export const WIRE_FORMATS: readonly WireFormat[] = ['udx', 'rtp'];

/** What a pattern's RTP stream declares. */
export interface RtpProfile {
  payloadType: number;
  /** RTP timestamp units per second (RFC 3551 §6). */
  clockRate: number;
  /** The encoding name RFC 3551 gives the payload type. */
  encoding: string;
}

const VOICE: RtpProfile = { payloadType: 0, clockRate: 8000, encoding: 'PCMU' };
const VIDEO: RtpProfile = { payloadType: 34, clockRate: 90_000, encoding: 'H263' };

/** The RTP profile of a pattern's stream. */
export function rtpProfileOf(kind: PatternKind): RtpProfile {
  return kind === 'voice' ? VOICE : VIDEO;
}

/** Whether the first byte says RTP or RTCP (version 2). */
export function isRtpFamily(buf: Uint8Array, length: number): boolean {
  return length >= 1 && ((buf[0] as number) & 0xc0) === 0x80;
}

/** Whether an RTP-family datagram is RTCP (RFC 5761 §4: second octet 192–223). */
export function isRtcpOctet(second: number): boolean {
  return second >= 192 && second <= 223;
}

/** Writes the fixed part of an RTP header (version, payload type, SSRC); sequence, timestamp and marker are stamped per datagram. */
export function writeRtpHeader(buf: Uint8Array, payloadType: number, ssrc: number): void {
  buf[0] = 0x80;
  buf[1] = payloadType & 0x7f;
  buf[2] = 0;
  buf[3] = 0;
  buf[4] = 0;
  buf[5] = 0;
  buf[6] = 0;
  buf[7] = 0;
  writeU32(buf, 8, ssrc);
}

/** Hot path: the per-datagram RTP fields. Allocation-free. */
export function stampRtp(buf: Uint8Array, payloadType: number, marker: boolean, seq16: number, timestamp: number): void {
  buf[1] = marker ? 0x80 | payloadType : payloadType;
  buf[2] = (seq16 >>> 8) & 0xff;
  buf[3] = seq16 & 0xff;
  writeU32(buf, 4, timestamp);
}

/** A random 32-bit value (SSRCs, initial sequence numbers and timestamps: RFC 3550 §5.1, §8). */
export function random32(): number {
  return (Math.random() * 4294967296) >>> 0;
}

/** Everything a receiver reports of one direction's RTP stream (measured phase). */
export interface RtpReceive {
  ssrc: number;
  payloadType: number;
  clockRate: number;
  /** RTP packets of the stream received, duplicates included (what tshark counts as packets). */
  packets: number;
  /** RFC 3550 A.3: extended highest sequence number − the first one + 1. */
  expected: number;
  /** Packets whose sequence number was not the previous one + 1 (mod 2^16): Wireshark's "wrong sequence number". */
  seqErrors: number;
  /** RTP packets of the measured phase with another SSRC (none from our sender). */
  otherSsrc: number;
  /** RFC 3550 A.8 interarrival jitter at the end, and its mean and largest over the packets, in timestamp units. */
  jitter: number;
  jitterMean: number;
  jitterMax: number;
}

/**
 * The figures a standard RTP receiver computes for one stream: RFC 3550
 * A.1's extended sequence number and A.3's expected count, A.8's
 * interarrival jitter, and Wireshark's count of sequence errors. Fed with
 * every RTP packet of the measured stream, duplicates included (tshark's
 * view: it sees the wire). Allocation-free.
 *
 * The jitter here is in RTP timestamp units from the media clock: the
 * sampling instants the sender stamped (frame times for voice and video;
 * the send instant for cbr), not our nanosecond send stamps. So it also
 * holds the sender's own lateness against its schedule and the timestamp's
 * resolution (125 µs at 8 kHz) — the jitter a real media receiver would
 * see — where our `jitterMs` is from exact send stamps and holds only the
 * path's variation.
 */
export class RtpStreamStats {
  ssrc = -1;
  payloadType = -1;
  clockRate = 0;
  packets = 0;
  seqErrors = 0;
  otherSsrc = 0;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private lastSeq = 0;
  private jitter = 0;
  private jitterSum = 0;
  private jitterMax = 0;
  private jitterCount = 0;
  private lastArrivalTs = 0;
  private lastTimestamp = 0;

  constructor(private readonly clockRateOf: (payloadType: number) => number) {}

  /** One RTP packet (`buf` holds its fixed header at 0), arrived at `arrivalNs` on the receiver's clock. */
  record(buf: Uint8Array, arrivalNs: number): void {
    const ssrc = readU32(buf, 8);
    const seq = ((buf[2] as number) << 8) | (buf[3] as number);
    const ts = readU32(buf, 4);
    if (this.packets === 0) {
      this.ssrc = ssrc;
      this.payloadType = (buf[1] as number) & 0x7f;
      this.clockRate = this.clockRateOf(this.payloadType);
      this.baseSeq = this.maxSeq = this.lastSeq = seq;
      this.packets = 1;
      this.lastArrivalTs = (arrivalNs * this.clockRate) / 1e9;
      this.lastTimestamp = ts;
      return;
    }
    if (ssrc !== this.ssrc) {
      this.otherSsrc++;
      return;
    }
    this.packets++;
    if (seq !== ((this.lastSeq + 1) & 0xffff)) this.seqErrors++;
    this.lastSeq = seq;
    // RFC 3550 A.1: a packet ahead of the highest (modulo 2^16, by less than half the space) advances it; wrapping past 0 adds a cycle.
    const ahead = (seq - this.maxSeq) & 0xffff;
    if (ahead !== 0 && ahead < 0x8000) {
      if (seq < this.maxSeq) this.cycles += 0x10000;
      this.maxSeq = seq;
    }
    // RFC 3550 A.8: D = (Rj − Ri) − (Sj − Si) in timestamp units; J += (|D| − J) / 16.
    // The timestamp difference is read as a signed 32-bit number (it wraps).
    const arrivalTs = (arrivalNs * this.clockRate) / 1e9;
    let d = arrivalTs - this.lastArrivalTs - ((ts - this.lastTimestamp) | 0);
    if (d < 0) d = -d;
    this.jitter += (d - this.jitter) / 16;
    this.jitterSum += this.jitter;
    this.jitterCount++;
    if (this.jitter > this.jitterMax) this.jitterMax = this.jitter;
    this.lastArrivalTs = arrivalTs;
    this.lastTimestamp = ts;
  }

  /** RFC 3550 A.1: cycles × 2^16 + the highest sequence number (the RR's extended highest sequence number). */
  extendedHighest(): number {
    return this.cycles + this.maxSeq;
  }

  /** The figures, or `null` when no RTP packet arrived. */
  snapshot(): RtpReceive | null {
    if (this.packets === 0) return null;
    return {
      ssrc: this.ssrc,
      payloadType: this.payloadType,
      clockRate: this.clockRate,
      packets: this.packets,
      expected: this.cycles + this.maxSeq - this.baseSeq + 1,
      seqErrors: this.seqErrors,
      otherSsrc: this.otherSsrc,
      jitter: this.jitter,
      jitterMean: this.jitterCount === 0 ? 0 : this.jitterSum / this.jitterCount,
      jitterMax: this.jitterMax,
    };
  }
}

/** The profile of a payload type we send (RFC 3551 §6); the 90 kHz one for any other. */
export function profileOfPayloadType(payloadType: number): RtpProfile {
  return payloadType === VOICE.payloadType ? VOICE : VIDEO;
}

/** The clock rate of a payload type we send; 90 kHz for any other. */
export function clockRateOfPayloadType(payloadType: number): number {
  return profileOfPayloadType(payloadType).clockRate;
}
