/**
 * RTCP on the data port (RFC 3550 §6, multiplexed with RTP as RFC 5761 and
 * WebRTC do), for `--wire rtp` directions: a receiver sends a receiver
 * report about the stream it receives about once a second, a sender a sender
 * report; what the peer's receiver reports say about our outgoing stream is
 * kept, as a third view of its loss and jitter beside our receiver's and
 * Wireshark's. rtcp.ts owns the packet format; this module owns the
 * state between packets (RFC 3550 A.3's interval counts, the last SR for
 * LSR/DLSR). Allocation-free but for parsing, which is rate-limited.
 *
 * Limits, candidly: the report interval is a fixed second, not RFC 3550
 * §6.2's randomised, bandwidth-scaled one (two parties, a short test: the
 * 5 % RTCP bandwidth rule would only lengthen it); no BYE is sent; an RR is
 * sent while RTP arrives, so one whose stream carries no RTP sends none.
 */
import { RTCP_MAX_COMPOUND_BYTES, type CompoundOptions, fractionLostFrom, middle32, ntpFromUnixMs, readCompound, type ReportBlock, writeCompound } from './rtcp.js';
import type { RtpStreamStats } from './rtp.js';

/** What the peer's RTCP said (plain data: crosses threads and the network). */
export interface RtcpIn {
  /** Sender and receiver reports that arrived and were read. */
  senderReports: number;
  receiverReports: number;
  /** RTCP datagrams refused by the parser, or not read (more than {@link PARSE_PER_SECOND} in a second). */
  refused: number;
  /** The last receiver report's block about our stream, or `null` before one. */
  last: { fractionLost: number; cumulativeLost: number; extendedHighestSeq: number; jitter: number } | null;
}

/** The CNAME our reports carry (RFC 3550 §6.5.1: one per participant; both halves of an endpoint are one). */
export const RTCP_CNAME = 'udp-duplex-lab';

/** At most this many RTCP datagrams are parsed per second (a peer sends an SR and an RR once a second; a flood is counted, not parsed). */
export const PARSE_PER_SECOND = 8;

export class RtcpAgent {
  readonly peer: RtcpIn = { senderReports: 0, receiverReports: 0, refused: 0, last: null };
  private readonly buf = Buffer.alloc(RTCP_MAX_COMPOUND_BYTES);
  private windowStartNs = Number.NEGATIVE_INFINITY;
  private parsedInWindow = 0;
  /** Middle 32 bits of the last SR's NTP time (LSR), and when it arrived on our clock. */
  private lsr = 0;
  private lsrArrivalNs = 0;
  /** RFC 3550 A.3: expected and received at the previous report. */
  private priorExpected = 0;
  private priorReceived = 0;
  private readonly ssrc: number;

  constructor(private readonly o: { cname?: string; ssrc: number }) {
    this.ssrc = o.ssrc >>> 0;
  }

  /** An RTCP datagram from the peer, arrived at `arrivalNs` (our clock). */
  receive(msg: Buffer, arrivalNs: number): void {
    if (arrivalNs - this.windowStartNs >= 1e9) {
      this.windowStartNs = arrivalNs;
      this.parsedInWindow = 0;
    }
    if (++this.parsedInWindow > PARSE_PER_SECOND) {
      this.peer.refused++;
      return;
    }
    const r = readCompound(msg, msg.length);
    if (!r.ok) {
      this.peer.refused++;
      return;
    }
    for (const p of r.packets) {
      if (p.kind === 'sr') {
        this.peer.senderReports++;
        this.lsr = middle32(p.ntpSeconds, p.ntpFraction);
        this.lsrArrivalNs = arrivalNs;
      } else if (p.kind === 'rr') {
        this.peer.receiverReports++;
      }
      if ((p.kind === 'sr' || p.kind === 'rr') && p.reports.length > 0) {
        // We send one stream per direction: the first block is about it.
        const b = p.reports[0] as ReportBlock;
        this.peer.last = { fractionLost: b.fractionLost, cumulativeLost: b.cumulativeLost, extendedHighestSeq: b.extendedHighestSeq, jitter: b.jitter };
      }
    }
  }

  /**
   * Writes a receiver report about `stream` (RFC 3550 §6.4.2 and A.3) into
   * the agent's buffer; returns it and its length, or `null` before any RTP
   * packet arrived.
   */
  receiverReport(stream: RtpStreamStats, nowNs: number): { buf: Buffer; length: number } | null {
    const s = stream.snapshot();
    if (s === null) return null;
    const expectedInterval = s.expected - this.priorExpected;
    const receivedInterval = s.packets - this.priorReceived;
    this.priorExpected = s.expected;
    this.priorReceived = s.packets;
    const block: ReportBlock = {
      ssrc: s.ssrc,
      fractionLost: fractionLostFrom(expectedInterval, expectedInterval - receivedInterval),
      cumulativeLost: s.expected - s.packets,
      extendedHighestSeq: stream.extendedHighest() >>> 0,
      jitter: Math.min(0xffffffff, Math.floor(s.jitter)),
      lastSr: this.lsr,
      // DLSR in 1/65536 s (RFC 3550 §6.4.1).
      delaySinceLastSr: this.lsr === 0 ? 0 : Math.min(0xffffffff, Math.floor(((nowNs - this.lsrArrivalNs) / 1e9) * 65536)),
    };
    const length = writeCompoundSafe(this.buf, { report: { kind: 'rr', ssrc: this.ssrc, reports: [block] }, cname: this.o.cname ?? RTCP_CNAME });
    return length === 0 ? null : { buf: this.buf, length };
  }

  /** Writes a sender report (RFC 3550 §6.4.1) for our measured stream into the agent's buffer. */
  senderReport(o: { ssrc: number; rtpTimestamp: number; packets: number; octets: number }): { buf: Buffer; length: number } | null {
    const ntp = ntpFromUnixMs(Date.now());
    const length = writeCompoundSafe(this.buf, {
      report: { kind: 'sr', ssrc: o.ssrc >>> 0, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: o.rtpTimestamp >>> 0, packetCount: o.packets >>> 0, octetCount: o.octets >>> 0, reports: [] },
      cname: this.o.cname ?? RTCP_CNAME,
    });
    return length === 0 ? null : { buf: this.buf, length };
  }
}

/** writeCompound, with a field out of range (a counter past 2^32) as "no report" rather than a thrown error on the data path. */
function writeCompoundSafe(buf: Buffer, o: CompoundOptions): number {
  try {
    return writeCompound(buf, o);
  } catch {
    return 0;
  }
}
