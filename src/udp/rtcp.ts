/**
 * RTCP (RFC 3550 §6) on the port the RTP stream uses, multiplexed with it
 * per RFC 5761 (as WebRTC does): a pure codec, no sockets and no timers.
 * rtp.ts owns the RTP header; this module owns the control packets that
 * share its port.
 *
 * What is written: a compound packet (RFC 3550 §6.1) of one Sender Report
 * (§6.4.1) or Receiver Report (§6.4.2) with up to 31 report blocks, then one
 * SDES packet (§6.5) with a single chunk — our SSRC and its CNAME item. The
 * writers fill the caller's buffer and allocate nothing; every field is
 * range-checked first and a bad value or a short buffer throws a RangeError
 * before a byte is written. Counters that wrap on the wire (RTP timestamp,
 * packet and octet counts, the extended sequence number) are the caller's to
 * reduce modulo 2^32: the writers take only integers in 0..2^32−1 and never
 * wrap silently. Cumulative loss is the exception: RFC 3550 A.3 clamps it to
 * the signed 24-bit range, and so do we.
 *
 * What is read: {@link readCompound} is for untrusted bytes off the network.
 * It never throws, never reads at or past `length`, and is bounded: every
 * packet advances the cursor by (length field + 1) · 4 ≥ 4 bytes, and a
 * compound of more than {@link RTCP_MAX_PACKETS} packets is refused. It
 * applies RFC 3550 A.2's validity checks (version 2, first packet SR or RR,
 * length fields adding up to the datagram exactly) and more: report blocks
 * must fit their packet, padding (the P bit) is accepted on the last packet
 * only with a count of 1..(packet bytes − 4), SDES chunks must be
 * null-terminated and zero-padded to 32 bits. SR, RR, SDES (the CNAME item;
 * other items are skipped by their length) and BYE (the SSRCs; the reason is
 * skipped) are decoded; other types 192–223 (APP, RTPFB, PSFB, XR, …) are
 * skipped by their length and returned as `'other'`. A CNAME must be 1–255
 * printable ASCII bytes (0x20–0x7e): anything else rejects the whole
 * compound (`'cname'`) rather than being dropped, so a CNAME that reaches a
 * log or a terminal is always plain text, and a peer that sends control
 * bytes there is counted as a bad packet, not half-believed. A second CNAME
 * in one chunk is rejected the same way. §6.1's rule that every compound
 * carries a CNAME is a sender's rule and is not enforced here: a lone SR or
 * RR is accepted. Profile-specific extensions after the report blocks of an
 * SR or RR (§6.4.1) are allowed and ignored.
 *
 * Limits, candidly:
 * - No SRTCP (RFC 3711): nothing is encrypted or authenticated, so any host
 *   that can reach the port can forge an SR, RR or BYE. Treat the figures
 *   as claims of the peer, not as measurements of ours.
 * - No RTCP XR (RFC 3611): XR blocks are not sent, and PT 207 is skipped.
 * - Reduced-size RTCP (RFC 5506) is not accepted: a compound that does not
 *   start with SR or RR is refused (`'firstNotReport'`), as RFC 3550 A.2
 *   says.
 * - No RTCP feedback (RFC 4585: NACK, PLI, …) is decoded; it is skipped.
 * - Timing is not here: the transmission interval (§6.2, §6.3) and the
 *   round-trip time A − LSR − DLSR (§6.4.1, with {@link middle32} of the
 *   arrival instant) are the caller's arithmetic.
 * - Multiplexing relies on our RTP payload types staying outside 64–95
 *   (RFC 5761 §4); see {@link isRtcp}.
 */

/** RTCP packet types (RFC 3550 §12.1). */
export const RtcpType = {
  SR: 200,
  RR: 201,
  SDES: 202,
  BYE: 203,
  APP: 204,
} as const;

/** Report blocks per SR or RR: the 5-bit RC field. */
export const RTCP_MAX_REPORT_BLOCKS = 31;
/** Bytes of a CNAME: the 8-bit SDES item length. */
export const RTCP_MAX_CNAME_BYTES = 255;
/** Packets in a compound {@link readCompound} accepts; one more is refused. */
export const RTCP_MAX_PACKETS = 16;

/** SR: header, sender SSRC, NTP timestamp (2 words), RTP timestamp, packet count, octet count. */
const SR_FIXED_BYTES = 28;
/** RR: header, reporter SSRC. */
const RR_FIXED_BYTES = 8;
const BLOCK_BYTES = 24;
const SDES_CNAME = 1;

/** Bytes of the SDES packet holding one chunk with one CNAME of `n` bytes: header, SSRC, type, length, text, at least one null, padded to 32 bits. */
function sdesBytes(n: number): number {
  return 4 + ((4 + 2 + n + 1 + 3) & ~3);
}

/** The largest compound {@link writeCompound} writes: an SR with 31 blocks and a 255-byte CNAME (1040 bytes). */
export const RTCP_MAX_COMPOUND_BYTES = SR_FIXED_BYTES + RTCP_MAX_REPORT_BLOCKS * BLOCK_BYTES + sdesBytes(RTCP_MAX_CNAME_BYTES);

/** One report block (RFC 3550 §6.4.1): what a receiver says of one source. */
export interface ReportBlock {
  /** SSRC of the source reported on. */
  readonly ssrc: number;
  /** Fraction lost since the previous report, 8-bit fixed point as on the wire (0..255; 256 ths). See {@link fractionLostFrom}. */
  readonly fractionLost: number;
  /** Cumulative packets lost, signed 24-bit; written clamped to −0x800000..0x7fffff (RFC 3550 A.3). Duplicates can make it negative. */
  readonly cumulativeLost: number;
  /** Extended highest sequence number received (cycles · 2^16 + highest), uint32. */
  readonly extendedHighestSeq: number;
  /** Interarrival jitter (RFC 3550 A.8), uint32, in RTP timestamp units. See {@link jitterToMs}. */
  readonly jitter: number;
  /** LSR: middle 32 bits of the NTP timestamp of the last SR received from the source ({@link middle32}), 0 if none. */
  readonly lastSr: number;
  /** DLSR: delay since that SR was received, in units of 1/65536 s; 0 if none. */
  readonly delaySinceLastSr: number;
}

/** The fields of a Sender Report (RFC 3550 §6.4.1). */
export interface SenderReportOptions {
  /** SSRC of the sender. */
  readonly ssrc: number;
  /** NTP timestamp of the report, seconds since 1900 (mod 2^32) and fraction (units of 2^−32 s). See {@link ntpFromUnixMs}. */
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  /** The same instant in the stream's RTP timestamp units. */
  readonly rtpTimestamp: number;
  /** RTP packets sent since the stream started (mod 2^32). */
  readonly packetCount: number;
  /** RTP payload octets sent since the stream started (mod 2^32). */
  readonly octetCount: number;
  readonly reports: readonly ReportBlock[];
}

/** The fields of a Receiver Report (RFC 3550 §6.4.2). */
export interface ReceiverReportOptions {
  /** SSRC of the reporter. */
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

/** A decoded SR; also what {@link writeCompound} takes with `kind: 'sr'`. */
export interface RtcpSenderReport extends SenderReportOptions {
  readonly kind: 'sr';
}

/** A decoded RR; also what {@link writeCompound} takes with `kind: 'rr'`. */
export interface RtcpReceiverReport extends ReceiverReportOptions {
  readonly kind: 'rr';
}

/** The report a compound starts with. */
export type RtcpReport = RtcpSenderReport | RtcpReceiverReport;

/** One SDES chunk: the source and its CNAME, or `null` when the chunk has no CNAME item. */
export interface SdesChunk {
  readonly ssrc: number;
  readonly cname: string | null;
}

export interface RtcpSdes {
  readonly kind: 'sdes';
  readonly chunks: readonly SdesChunk[];
}

export interface RtcpBye {
  readonly kind: 'bye';
  readonly ssrcs: readonly number[];
}

/** A packet of another type in 192..223, skipped by its length. */
export interface RtcpOther {
  readonly kind: 'other';
  readonly packetType: number;
  /** The 5-bit count / format / subtype field. */
  readonly count: number;
  /** Bytes of the packet, header and padding included. */
  readonly byteLength: number;
}

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSdes | RtcpBye | RtcpOther;

/** What a compound written by {@link writeCompound} holds. */
export interface CompoundOptions {
  readonly report: RtcpReport;
  /** Printable ASCII (0x20–0x7e), 1..255 bytes. */
  readonly cname: string;
}

/**
 * Why {@link readCompound} refused a datagram:
 * - `short`: fewer than 8 bytes (the smallest compound, an RR without blocks);
 * - `length`: `length` not an integer in 0..buf.length, the datagram not a
 *   multiple of 4 bytes, a length field running past the datagram, or a
 *   packet too short for its fixed part;
 * - `version`: a packet whose version is not 2;
 * - `firstNotReport`: the first packet is not SR or RR (RFC 3550 A.2; this is
 *   also what refuses reduced-size RTCP);
 * - `packetType`: a later packet whose type is outside 192..223;
 * - `padding`: the P bit on a packet that is not the last, or a padding
 *   count of 0 or larger than the packet's body;
 * - `tooManyBlocks`: an SR or RR whose count of report blocks does not fit
 *   its length;
 * - `tooManyPackets`: more than {@link RTCP_MAX_PACKETS} packets;
 * - `sdes`: an SDES chunk that is truncated, unterminated, not zero-padded,
 *   or chunks that do not fill the packet exactly;
 * - `cname`: a CNAME that is empty or not printable ASCII, or a second one in
 *   a chunk;
 * - `bye`: a BYE whose SSRC count or reason does not fit its length.
 */
export const RTCP_REJECT_REASONS = [
  'short',
  'length',
  'version',
  'firstNotReport',
  'packetType',
  'padding',
  'tooManyBlocks',
  'tooManyPackets',
  'sdes',
  'cname',
  'bye',
] as const;
export type RtcpRejectReason = (typeof RTCP_REJECT_REASONS)[number];

export type RtcpReadResult = { readonly ok: true; readonly packets: readonly RtcpPacket[] } | { readonly ok: false; readonly reason: RtcpRejectReason };

// ---------------------------------------------------------------------------
// Demultiplexing

/**
 * Whether a datagram on the shared port is RTCP (RFC 5761 §4): version 2 in
 * the top two bits of byte 0, and byte 1 — the whole octet, which RTP splits
 * into the marker bit and the payload type — in 192..223.
 *
 * Why that range: RTCP's packet type fills the second octet, and the types in
 * use (SR 200 … APP 204, RTPFB 205, PSFB 206, XR 207) lie in 192..223. In RTP
 * the same octet is M·128 + PT, so it lands in 192..223 only when the marker
 * is set and PT is 64..95 — which is why RFC 5761 forbids those payload
 * types on a multiplexed port (we send PT 0 and 34, rtp.ts). Without the
 * marker an RTP octet is below 128; with it, a PT of 96 or above gives 224
 * or more. Our own framing starts with "UDX1" (0x55: version 1), so it is
 * never taken for RTCP. Only the first two bytes are looked at; whether the
 * packet is well formed is {@link readCompound}'s question.
 */
export function isRtcp(buf: Buffer, length: number = buf.length): boolean {
  if (!(length >= 2) || buf.length < 2) return false;
  const second = buf[1] as number;
  return ((buf[0] as number) & 0xc0) === 0x80 && second >= 192 && second <= 223;
}

// ---------------------------------------------------------------------------
// Helpers

/**
 * The fraction-lost field (RFC 3550 A.3): packets lost in the interval over
 * packets expected in it, as 8-bit fixed point. 0 when nothing was expected
 * or nothing was lost (duplicates can make the loss negative); 100 % loss
 * (256/256) is capped at 255.
 */
export function fractionLostFrom(expectedInterval: number, lostInterval: number): number {
  if (!(expectedInterval > 0) || !(lostInterval > 0)) return 0;
  // (lost << 8) / expected in A.3; multiplied rather than shifted so that a count above 2^23 does not overflow 32 bits.
  const f = Math.floor((lostInterval * 256) / expectedInterval);
  return f > 255 ? 255 : f;
}

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;
const TWO_32 = 4_294_967_296;

/**
 * The 64-bit NTP timestamp of a Unix instant in milliseconds: seconds since
 * 1900 and the fraction of a second in units of 2^−32. Seconds are taken
 * modulo 2^32, so from 2036-02-07T06:28:16Z (NTP era 1) they start again at
 * 0, as on the wire.
 */
export function ntpFromUnixMs(ms: number): { seconds: number; fraction: number } {
  if (!Number.isFinite(ms)) throw new RangeError(`ntpFromUnixMs: ${ms} is not a finite number of milliseconds`);
  const wholeSeconds = Math.floor(ms / 1000);
  const remainderMs = ms - wholeSeconds * 1000;
  let fraction = Math.floor((remainderMs * TWO_32) / 1000);
  if (fraction < 0) fraction = 0;
  else if (fraction >= TWO_32) fraction = TWO_32 - 1;
  const seconds = (((wholeSeconds + NTP_UNIX_OFFSET_SECONDS) % TWO_32) + TWO_32) % TWO_32;
  return { seconds, fraction };
}

/** The middle 32 bits of an NTP timestamp (the LSR field, RFC 3550 §6.4.1): the low 16 bits of the seconds and the high 16 bits of the fraction. */
export function middle32(ntpSeconds: number, ntpFraction: number): number {
  return (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
}

/** A jitter in RTP timestamp units as milliseconds, at the stream's clock rate (e.g. 8000 for PCMU, 90000 for video). */
export function jitterToMs(jitterTs: number, clockRate: number): number {
  if (!(clockRate > 0) || !Number.isFinite(clockRate)) throw new RangeError(`jitterToMs: clock rate ${clockRate} is not a positive number`);
  return (jitterTs * 1000) / clockRate;
}

// ---------------------------------------------------------------------------
// Writers

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`RTCP ${what} must be an integer in 0..2^32-1, got ${v}`);
}

function checkBlocks(reports: readonly ReportBlock[]): void {
  if (reports.length > RTCP_MAX_REPORT_BLOCKS) throw new RangeError(`RTCP: ${reports.length} report blocks, at most ${RTCP_MAX_REPORT_BLOCKS} fit the 5-bit count`);
  for (let i = 0; i < reports.length; i++) {
    const b = reports[i] as ReportBlock;
    checkU32(b.ssrc, 'report block SSRC');
    if (!Number.isInteger(b.fractionLost) || b.fractionLost < 0 || b.fractionLost > 255) throw new RangeError(`RTCP fraction lost must be an integer in 0..255, got ${b.fractionLost}`);
    if (!Number.isInteger(b.cumulativeLost)) throw new RangeError(`RTCP cumulative lost must be an integer, got ${b.cumulativeLost}`);
    checkU32(b.extendedHighestSeq, 'extended highest sequence number');
    checkU32(b.jitter, 'jitter');
    checkU32(b.lastSr, 'LSR');
    checkU32(b.delaySinceLastSr, 'DLSR');
  }
}

/** Checks a report's fields; returns its bytes. */
function checkReport(sr: boolean, r: SenderReportOptions | ReceiverReportOptions): number {
  checkU32(r.ssrc, 'SSRC');
  if (sr) {
    const s = r as SenderReportOptions;
    checkU32(s.ntpSeconds, 'NTP seconds');
    checkU32(s.ntpFraction, 'NTP fraction');
    checkU32(s.rtpTimestamp, 'RTP timestamp');
    checkU32(s.packetCount, 'packet count');
    checkU32(s.octetCount, 'octet count');
  }
  checkBlocks(r.reports);
  return (sr ? SR_FIXED_BYTES : RR_FIXED_BYTES) + r.reports.length * BLOCK_BYTES;
}

function checkRoom(buf: Buffer, needed: number): void {
  if (buf.length < needed) throw new RangeError(`RTCP: the buffer holds ${buf.length} bytes, ${needed} are needed`);
}

/** The common header: V=2, P=0, the 5-bit count, the type, and the length in 32-bit words minus one. */
function writeHeader(buf: Buffer, off: number, count: number, type: number, bytes: number): void {
  buf[off] = 0x80 | count;
  buf[off + 1] = type;
  buf.writeUInt16BE(bytes / 4 - 1, off + 2);
}

/** Writes a checked report of `bytes` bytes at `off`; returns the offset after it. */
function writeReportAt(buf: Buffer, off: number, sr: boolean, r: SenderReportOptions | ReceiverReportOptions, bytes: number): number {
  const blocks = r.reports;
  writeHeader(buf, off, blocks.length, sr ? RtcpType.SR : RtcpType.RR, bytes);
  buf.writeUInt32BE(r.ssrc, off + 4);
  let p = off + 8;
  if (sr) {
    const s = r as SenderReportOptions;
    buf.writeUInt32BE(s.ntpSeconds, p);
    buf.writeUInt32BE(s.ntpFraction, p + 4);
    buf.writeUInt32BE(s.rtpTimestamp, p + 8);
    buf.writeUInt32BE(s.packetCount, p + 12);
    buf.writeUInt32BE(s.octetCount, p + 16);
    p += 20;
  }
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as ReportBlock;
    const lost = b.cumulativeLost > 0x7fffff ? 0x7fffff : b.cumulativeLost < -0x800000 ? -0x800000 : b.cumulativeLost;
    buf.writeUInt32BE(b.ssrc, p);
    buf[p + 4] = b.fractionLost;
    // Two's complement in 24 bits: the low 24 bits of the 32-bit integer.
    const l24 = lost & 0xffffff;
    buf[p + 5] = l24 >>> 16;
    buf[p + 6] = (l24 >>> 8) & 0xff;
    buf[p + 7] = l24 & 0xff;
    buf.writeUInt32BE(b.extendedHighestSeq, p + 8);
    buf.writeUInt32BE(b.jitter, p + 12);
    buf.writeUInt32BE(b.lastSr, p + 16);
    buf.writeUInt32BE(b.delaySinceLastSr, p + 20);
    p += BLOCK_BYTES;
  }
  return p;
}

/** Writes a Sender Report (RFC 3550 §6.4.1) at the start of `buf`; returns the bytes written (28 + 24 per block). Allocation-free. */
export function writeSenderReport(buf: Buffer, o: SenderReportOptions): number {
  const bytes = checkReport(true, o);
  checkRoom(buf, bytes);
  return writeReportAt(buf, 0, true, o, bytes);
}

/** Writes a Receiver Report (RFC 3550 §6.4.2) at the start of `buf`; returns the bytes written (8 + 24 per block). Allocation-free. */
export function writeReceiverReport(buf: Buffer, o: ReceiverReportOptions): number {
  const bytes = checkReport(false, o);
  checkRoom(buf, bytes);
  return writeReportAt(buf, 0, false, o, bytes);
}

/**
 * Writes a compound RTCP packet (RFC 3550 §6.1) at the start of `buf`: the
 * SR or RR of `o.report`, then an SDES packet with one chunk — the report's
 * SSRC and the CNAME item, null-terminated and zero-padded to 32 bits.
 * Returns the bytes written (at most {@link RTCP_MAX_COMPOUND_BYTES}).
 * Throws a RangeError, before writing anything, for a field out of range,
 * more than 31 blocks, a CNAME that is empty, longer than 255 bytes or not
 * printable ASCII (the reader would refuse it), or a buffer too small.
 * Allocation-free.
 */
export function writeCompound(buf: Buffer, o: CompoundOptions): number {
  const report = o.report;
  const sr = report.kind === 'sr';
  const reportBytes = checkReport(sr, report);
  const cname = o.cname;
  const n = cname.length;
  if (n === 0 || n > RTCP_MAX_CNAME_BYTES) throw new RangeError(`RTCP CNAME must be 1..${RTCP_MAX_CNAME_BYTES} bytes, got ${n}`);
  for (let i = 0; i < n; i++) {
    const c = cname.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`RTCP CNAME must be printable ASCII; character ${i} is U+${c.toString(16).padStart(4, '0')}`);
  }
  const sdes = sdesBytes(n);
  checkRoom(buf, reportBytes + sdes);
  let p = writeReportAt(buf, 0, sr, report, reportBytes);
  const end = p + sdes;
  writeHeader(buf, p, 1, RtcpType.SDES, sdes);
  buf.writeUInt32BE(report.ssrc, p + 4);
  buf[p + 8] = SDES_CNAME;
  buf[p + 9] = n;
  p += 10;
  for (let i = 0; i < n; i++) buf[p + i] = cname.charCodeAt(i);
  // The null item that ends the list, and nulls up to the 32-bit boundary.
  buf.fill(0, p + n, end);
  return end;
}

// ---------------------------------------------------------------------------
// Reader

/** One frozen result per reason: refusing a flood of bad datagrams allocates nothing. */
const REJECTED = Object.freeze(
  Object.fromEntries(RTCP_REJECT_REASONS.map((reason) => [reason, Object.freeze({ ok: false as const, reason })])),
) as Readonly<Record<RtcpRejectReason, RtcpReadResult>>;

function u32(buf: Buffer, o: number): number {
  return (((buf[o] as number) << 24) | ((buf[o + 1] as number) << 16) | ((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) >>> 0;
}

/**
 * Parses a compound RTCP packet from the first `length` bytes of `buf`
 * (untrusted: a datagram as received). Never throws and never reads at or
 * past `length`; see the module comment and {@link RtcpRejectReason} for
 * what is checked. The result lists the packets in wire order.
 */
export function readCompound(buf: Buffer, length: number): RtcpReadResult {
  if (!Number.isSafeInteger(length) || length < 0 || length > buf.length) return REJECTED.length;
  if (length < RR_FIXED_BYTES) return REJECTED.short;
  if ((length & 3) !== 0) return REJECTED.length;
  const packets: RtcpPacket[] = [];
  let o = 0;
  // Terminates: `o` grows by at least 4 per packet, and at most RTCP_MAX_PACKETS are taken.
  while (o < length) {
    if (packets.length === RTCP_MAX_PACKETS) return REJECTED.tooManyPackets;
    // `o` and `length` are multiples of 4 and o < length: the 4-byte header is inside.
    const b0 = buf[o] as number;
    const type = buf[o + 1] as number;
    if ((b0 & 0xc0) !== 0x80) return REJECTED.version;
    if (o === 0) {
      if (type !== RtcpType.SR && type !== RtcpType.RR) return REJECTED.firstNotReport;
    } else if (type < 192 || type > 223) return REJECTED.packetType;
    const bytes = ((((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) + 1) * 4;
    const end = o + bytes;
    if (end > length) return REJECTED.length;
    let contentEnd = end;
    if ((b0 & 0x20) !== 0) {
      // RFC 3550 §6.4.1: padding only on the last packet; its last octet counts the padding, itself included.
      if (end !== length) return REJECTED.padding;
      const pad = buf[end - 1] as number;
      if (pad === 0 || pad > bytes - 4) return REJECTED.padding;
      contentEnd = end - pad;
    }
    const count = b0 & 0x1f;
    const start = o + 4;
    let packet: RtcpPacket | RtcpRejectReason;
    switch (type) {
      case RtcpType.SR:
      case RtcpType.RR:
        packet = readReport(buf, start, contentEnd, count, type === RtcpType.SR);
        break;
      case RtcpType.SDES:
        packet = readSdes(buf, start, contentEnd, count);
        break;
      case RtcpType.BYE:
        packet = readBye(buf, start, contentEnd, count);
        break;
      default:
        packet = { kind: 'other', packetType: type, count, byteLength: bytes };
    }
    if (typeof packet === 'string') return REJECTED[packet];
    packets.push(packet);
    o = end;
  }
  return { ok: true, packets };
}

function readReport(buf: Buffer, start: number, end: number, count: number, sr: boolean): RtcpReport | RtcpRejectReason {
  const fixed = sr ? SR_FIXED_BYTES - 4 : RR_FIXED_BYTES - 4;
  const body = end - start;
  if (body < fixed) return 'length';
  if (body < fixed + count * BLOCK_BYTES) return 'tooManyBlocks';
  const reports: ReportBlock[] = [];
  for (let i = 0, p = start + fixed; i < count; i++, p += BLOCK_BYTES) {
    // Sign-extend the 24-bit cumulative loss.
    const lost = (((buf[p + 5] as number) << 24) | ((buf[p + 6] as number) << 16) | ((buf[p + 7] as number) << 8)) >> 8;
    reports.push({
      ssrc: u32(buf, p),
      fractionLost: buf[p + 4] as number,
      cumulativeLost: lost,
      extendedHighestSeq: u32(buf, p + 8),
      jitter: u32(buf, p + 12),
      lastSr: u32(buf, p + 16),
      delaySinceLastSr: u32(buf, p + 20),
    });
  }
  const ssrc = u32(buf, start);
  if (!sr) return { kind: 'rr', ssrc, reports };
  return {
    kind: 'sr',
    ssrc,
    ntpSeconds: u32(buf, start + 4),
    ntpFraction: u32(buf, start + 8),
    rtpTimestamp: u32(buf, start + 12),
    packetCount: u32(buf, start + 16),
    octetCount: u32(buf, start + 20),
    reports,
  };
}

function readSdes(buf: Buffer, start: number, end: number, count: number): RtcpSdes | RtcpRejectReason {
  const chunks: SdesChunk[] = [];
  let p = start;
  for (let c = 0; c < count; c++) {
    if (end - p < 8) return 'sdes'; // an SSRC and at least one 32-bit word of items or nulls
    const ssrc = u32(buf, p);
    p += 4;
    let cnameAt = -1;
    let cnameLength = 0;
    // Items: type, length, text; each advances `p` by at least 2. A null type ends the list.
    for (;;) {
      if (p >= end) return 'sdes';
      const item = buf[p] as number;
      if (item === 0) break;
      if (p + 2 > end) return 'sdes';
      const n = buf[p + 1] as number;
      const text = p + 2;
      if (text + n > end) return 'sdes';
      if (item === SDES_CNAME) {
        if (cnameAt >= 0 || n === 0) return 'cname';
        for (let i = text; i < text + n; i++) {
          const ch = buf[i] as number;
          if (ch < 0x20 || ch > 0x7e) return 'cname';
        }
        cnameAt = text;
        cnameLength = n;
      }
      p = text + n;
    }
    // The null at `p`, then nulls up to the next 32-bit boundary (`start` is on one).
    const next = start + ((p + 1 - start + 3) & ~3);
    if (next > end) return 'sdes';
    for (let i = p + 1; i < next; i++) if (buf[i] !== 0) return 'sdes';
    p = next;
    chunks.push({ ssrc, cname: cnameAt < 0 ? null : buf.toString('latin1', cnameAt, cnameAt + cnameLength) });
  }
  if (p !== end) return 'sdes';
  return { kind: 'sdes', chunks };
}

function readBye(buf: Buffer, start: number, end: number, count: number): RtcpBye | RtcpRejectReason {
  const body = end - start;
  if (body < count * 4) return 'bye';
  const rest = body - count * 4;
  if (rest > 0) {
    // An optional reason: a length octet and text, padded to 32 bits (skipped).
    const used = 1 + (buf[start + count * 4] as number);
    if (used > rest || rest - used > 3) return 'bye';
  }
  const ssrcs: number[] = [];
  for (let i = 0; i < count; i++) ssrcs.push(u32(buf, start + i * 4));
  return { kind: 'bye', ssrcs };
}
