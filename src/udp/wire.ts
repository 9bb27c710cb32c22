/**
 * The wire format: the only module that knows the datagram header layout.
 *
 * Layout (network byte order), {@link HEADER_BYTES} bytes, followed by padding
 * up to the configured payload size:
 *
 * | offset | size | field                                                     |
 * |-------:|-----:|-----------------------------------------------------------|
 * | 0      | 4    | magic `0x55445831` ("UDX1")                               |
 * | 4      | 1    | version ({@link WIRE_VERSION})                            |
 * | 5      | 1    | kind ({@link Kind})                                       |
 * | 6      | 1    | direction id (0 = A→B, 1 = B→A)                           |
 * | 7      | 1    | flags ({@link FLAG_WARMUP})                               |
 * | 8      | 4    | session id                                                |
 * | 12     | 8    | sequence number (end marker: sequence numbers used)       |
 * | 20     | 8    | send timestamp, ns on the sender's monotonic clock        |
 * | 28     | 8    | echo timestamp: the peer's send time of its latest datagram we received (0 = none); end marker: kernel-accepted count |
 * | 36     | 4    | echo delay: µs between that receipt and this send; end marker: sequence numbers burned on send errors |
 *
 * Framed patterns (voice, video, trace: pattern.ts) set {@link FLAG_FRAMED}
 * and extend the header by {@link FRAME_EXTENSION_BYTES}:
 *
 * | offset | size | field                                                     |
 * |-------:|-----:|-----------------------------------------------------------|
 * | 40     | 4    | frame number, from 0 in the measured phase; end marker: frames the measured phase used |
 * | 44     | 2    | index of this datagram in its frame                       |
 * | 46     | 2    | datagrams in the frame                                    |
 *
 * With `--wire rtp` the same header follows a 12-byte RTP header (rtp.ts)
 * in data datagrams; end markers and control frames keep this framing.
 *
 * The receiver needs nothing else to judge frames: a frame is complete when
 * `count` distinct datagrams of it arrived, and the end marker's frame count
 * tells it how many frames it should have seen (frames lost whole included).
 *
 * End markers ({@link Kind.End}) close a direction's measured phase. They are
 * sent {@link END_MARKER_COPIES} times and carry three counts so that the
 * receiver can derive loss from the wire alone: every measured data datagram
 * takes the next sequence number from 0, so `seq` of the end marker is the
 * number of sequence numbers used; `burned` of those never left because the
 * kernel refused the send; `sent` is the sender's own kernel-accepted count
 * (a copy, for a receiver whose peer's report never arrives). The receiver's
 * loss by sequence is `seq − burned − unique received`, which is independent
 * of the sender's callback count.
 *
 * 64-bit fields are written as two 32-bit halves from a JS number (exact up to
 * 2^53) so that encoding and decoding allocate nothing (no BigInt per datagram).
 */

/** "UDX1" */
export const MAGIC = 0x55445831;
/** Bumped when the layout changes; a receiver counts other versions as foreign. 2: end markers carry sent and burned counts; 3: the frame extension. */
export const WIRE_VERSION = 3;
/** End markers per direction, {@link END_MARKER_SPACING_MS} apart, so that one loss does not hide the final counts. */
export const END_MARKER_COPIES = 5;
export const END_MARKER_SPACING_MS = 10;
/** Size of the header; the smallest valid `--size`. */
export const HEADER_BYTES = 40;
/** Largest UDP payload over IPv4 (65535 − 20 IP − 8 UDP). */
export const MAX_PAYLOAD_IPV4 = 65507;
/** Largest UDP payload over IPv6 (65535 − 8 UDP; the IPv6 header is outside the length). */
export const MAX_PAYLOAD_IPV6 = 65527;

/** Datagram kinds. Control kinds (remote mode) start at {@link CONTROL_KIND_MIN}. */
export const Kind = {
  Data: 0,
  End: 1,
  /** Client → listener: opens a session (padded, so the cookie reply is never larger). */
  Hello: 16,
  /** Listener → client: a stateless address-validation cookie (RFC 9000 §8.1). */
  Cookie: 17,
  /** Client → listener: echoes the cookie and proposes the test parameters. */
  Params: 18,
  /** Listener → client: parameters accepted; carries the session id. */
  Accept: 19,
  /** Listener → client: refused, with a reason. */
  Refuse: 20,
  /** Listener → client: serving another session. */
  Busy: 21,
  /** Client → listener: both sides bound, start after the agreed delay. */
  Go: 22,
  /** Listener → client: start acknowledged. */
  GoAck: 23,
  /** Either way, chunked: a side's partial results after the data phase. */
  Results: 24,
  /** Acknowledges one chunk of a chunked message. */
  Ack: 25,
  /** Either way: the sender gives up (interrupted, timed out). */
  Abort: 26,
  /** Client → listener: a clock probe; the header's timestamp is t1 (RFC 5905 §8). */
  TimeProbe: 27,
  /** Listener → client: the probe's t1 and its arrival t2 in the body; the header's timestamp is t3. */
  TimeReply: 28,
} as const;

/** Kinds at or above this are control frames: relayed to the controller wherever they land. */
export const CONTROL_KIND_MIN = 16;

/** Flag: this datagram was sent during the `--omit` warm-up. */
export const FLAG_WARMUP = 1;
/** Flag: the frame extension follows the header (framed patterns). */
export const FLAG_FRAMED = 4;
/** Bytes of the frame extension after the header. */
export const FRAME_EXTENSION_BYTES = 8;
/** Smallest datagram of a framed pattern: header and frame extension. */
export const FRAMED_HEADER_BYTES = 48;

/** Direction ids on the wire. */
export const DIR_AB = 0;
export const DIR_BA = 1;

/** Outcome of {@link decodeHeader}; everything but `Ok` is counted as foreign. */
export const Decode = {
  Ok: 0,
  Truncated: 1,
  BadMagic: 2,
  BadVersion: 3,
  WrongSession: 4,
} as const;
export type DecodeStatus = (typeof Decode)[keyof typeof Decode];

/** A mutable header, reused by the hot path so that decoding allocates nothing. */
export interface Header {
  kind: number;
  direction: number;
  flags: number;
  session: number;
  seq: number;
  sendTimeNs: number;
  echoTimeNs: number;
  echoDelayUs: number;
}

/** A fresh zeroed header object, to be reused. */
export function createHeader(): Header {
  return { kind: 0, direction: 0, flags: 0, session: 0, seq: 0, sendTimeNs: 0, echoTimeNs: 0, echoDelayUs: 0 };
}

const TWO_32 = 4294967296;

// Byte-level big-endian access. Node 20's Buffer.readUInt32BE/writeUInt32BE
// validate through a wrapper that keeps V8 from inlining the decoder, and each
// 64-bit value crossing such a call is boxed: 16 heap bytes per datagram and
// 4× the time (measured with `bench micro`). Callers check the length first.
export function readU32(b: Uint8Array, o: number): number {
  return (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

function writeU64(buf: Uint8Array, offset: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  writeU32(buf, offset, hi >>> 0);
  writeU32(buf, offset + 4, (value - hi * TWO_32) >>> 0);
}

function readU64(buf: Uint8Array, offset: number): number {
  return readU32(buf, offset) * TWO_32 + readU32(buf, offset + 4);
}

/**
 * Writes a full header into `buf` (at offset 0). `buf` must be at least
 * {@link HEADER_BYTES} long. Allocation-free.
 */
export function encodeHeader(buf: Uint8Array, h: Header): void {
  writeU32(buf, 0, MAGIC);
  buf[4] = WIRE_VERSION;
  buf[5] = h.kind;
  buf[6] = h.direction;
  buf[7] = h.flags;
  writeU32(buf, 8, h.session >>> 0);
  writeU64(buf, 12, h.seq);
  writeU64(buf, 20, h.sendTimeNs);
  writeU64(buf, 28, h.echoTimeNs);
  writeU32(buf, 36, Math.min(h.echoDelayUs, 0xffffffff) >>> 0);
}

/**
 * Hot-path update of a buffer that already holds a header from
 * {@link encodeHeader}: only the fields that change per datagram.
 */
export function stampData(buf: Uint8Array, seq: number, flags: number, sendTimeNs: number, echoTimeNs: number, echoDelayUs: number): void {
  buf[7] = flags;
  writeU64(buf, 12, seq);
  writeU64(buf, 20, sendTimeNs);
  writeU64(buf, 28, echoTimeNs);
  writeU32(buf, 36, echoDelayUs > 0xffffffff ? 0xffffffff : echoDelayUs >>> 0);
}

/**
 * Decodes the header of a datagram of `length` bytes into `out`. Never throws:
 * anything that is not a well-formed header of `session` returns a non-`Ok`
 * status (and `out` is then unspecified). Pass `session = null` to accept any
 * session (used by control handling, which checks the session itself).
 * `offset`: where our header begins (after an RTP header: rtp.ts).
 */
export function decodeHeader(buf: Uint8Array, length: number, session: number | null, out: Header, offset = 0): DecodeStatus {
  const o = offset;
  if (length < o + HEADER_BYTES || buf.length < o + HEADER_BYTES) return Decode.Truncated;
  const b = buf;
  if (readU32(b, o) !== MAGIC) return Decode.BadMagic;
  if (b[o + 4] !== WIRE_VERSION) return Decode.BadVersion;
  const s = readU32(b, o + 8);
  if (session !== null && s !== session) return Decode.WrongSession;
  out.kind = b[o + 5] as number;
  out.direction = b[o + 6] as number;
  out.flags = b[o + 7] as number;
  out.session = s;
  out.seq = readU64(b, o + 12);
  out.sendTimeNs = readU64(b, o + 20);
  out.echoTimeNs = readU64(b, o + 28);
  out.echoDelayUs = readU32(b, o + 36);
  return Decode.Ok;
}

/**
 * Hot path: writes the frame extension (a buffer at least
 * {@link FRAMED_HEADER_BYTES} long). Allocation-free. The caller sets
 * {@link FLAG_FRAMED} in the flags it passes to {@link stampData}.
 */
export function stampFrame(buf: Uint8Array, frame: number, index: number, count: number): void {
  writeU32(buf, 40, frame >>> 0);
  buf[44] = index >>> 8;
  buf[45] = index;
  buf[46] = count >>> 8;
  buf[47] = count;
}

/** The frame extension of a decoded datagram. */
export interface FrameFields {
  frame: number;
  index: number;
  count: number;
}

/**
 * Reads the frame extension of a datagram whose header has
 * {@link FLAG_FRAMED}; false (and `out` unspecified) when the datagram is too
 * short or the fields are inconsistent (index ≥ count). Never throws.
 */
export function decodeFrame(buf: Uint8Array, length: number, out: FrameFields, offset = 0): boolean {
  const o = offset;
  if (length < o + FRAMED_HEADER_BYTES || buf.length < o + FRAMED_HEADER_BYTES) return false;
  out.frame = readU32(buf, o + 40);
  out.index = ((buf[o + 44] as number) << 8) | (buf[o + 45] as number);
  out.count = ((buf[o + 46] as number) << 8) | (buf[o + 47] as number);
  return out.count > 0 && out.index < out.count;
}

/** The counts an end marker carries (see the layout above). */
export interface EndCounts {
  /** Sequence numbers the measured phase used (highest data sequence number + 1). */
  seqEnd: number;
  /** Datagrams the sender's kernel accepted in the measured phase. */
  sent: number;
  /** Sequence numbers burned on send errors (never on the wire). */
  burned: number;
}

/** Stamps an end marker (a buffer holding a {@link Kind.End} header). Allocation-free. */
export function stampEnd(buf: Uint8Array, counts: EndCounts, sendTimeNs: number): void {
  stampData(buf, counts.seqEnd, 0, sendTimeNs, counts.sent, counts.burned);
}

/** Reads the counts of a decoded end marker header into `out`. */
export function endCountsOf(h: Header, out: EndCounts): void {
  out.seqEnd = h.seq;
  out.sent = h.echoTimeNs;
  out.burned = h.echoDelayUs;
}

/** Largest valid `--size` for an address family. */
export function maxPayload(family: 4 | 6): number {
  return family === 6 ? MAX_PAYLOAD_IPV6 : MAX_PAYLOAD_IPV4;
}

/**
 * Control frames (remote mode): the data header with a control kind, the
 * message id in the sequence field and the sender's clock in the timestamp,
 * then chunk index and count (u16 each), then the body. With
 * {@link FLAG_TAGGED} the frame ends with a {@link TAG_BYTES}-byte
 * authentication tag over everything before it (see docs/protocol.md).
 */
export const CONTROL_HEADER_BYTES = HEADER_BYTES + 4;
/** Flag on control frames: the last {@link TAG_BYTES} bytes are an HMAC tag. */
export const FLAG_TAGGED = 2;
/** Truncated HMAC-SHA256 tag (128 bits, RFC 2104 §5). */
export const TAG_BYTES = 16;

/** What {@link encodeControl} writes. */
export interface ControlFrameSpec {
  kind: number;
  session: number;
  msgId: number;
  sendTimeNs: number;
  chunkIndex?: number;
  chunkCount?: number;
  body: Uint8Array;
  /** Pad the frame with zeros (before any tag) to this many bytes. */
  padTo?: number;
  /** Reserve a zeroed tag at the end and set {@link FLAG_TAGGED}; the caller writes the tag. */
  tagged?: boolean;
}

/** Encodes a control frame into a new buffer. */
export function encodeControl(spec: ControlFrameSpec): Buffer {
  const tag = spec.tagged === true ? TAG_BYTES : 0;
  const buf = Buffer.alloc(Math.max(CONTROL_HEADER_BYTES + spec.body.length, spec.padTo ?? 0) + tag);
  const h = createHeader();
  h.kind = spec.kind;
  h.session = spec.session;
  h.seq = spec.msgId;
  h.sendTimeNs = spec.sendTimeNs;
  h.flags = tag > 0 ? FLAG_TAGGED : 0;
  encodeHeader(buf, h);
  buf.writeUInt16BE(spec.chunkIndex ?? 0, HEADER_BYTES);
  buf.writeUInt16BE(spec.chunkCount ?? 1, HEADER_BYTES + 2);
  buf.set(spec.body, CONTROL_HEADER_BYTES);
  return buf;
}

/** A decoded control frame. */
export interface ControlFrame {
  kind: number;
  session: number;
  msgId: number;
  sendTimeNs: number;
  chunkIndex: number;
  chunkCount: number;
  /** The body, trailing zero padding included (bodies are self-delimiting); without the tag. */
  body: Buffer;
  /** The tag of a tagged frame, else `null`. */
  tag: Buffer | null;
  /** The bytes the tag covers (the whole frame before the tag). */
  signed: Buffer;
}

/** Decodes a control frame; `null` for anything that is not one. Never throws. */
export function decodeControl(buf: Buffer): ControlFrame | null {
  const h = createHeader();
  if (decodeHeader(buf, buf.length, null, h) !== Decode.Ok) return null;
  if (h.kind < CONTROL_KIND_MIN || buf.length < CONTROL_HEADER_BYTES) return null;
  const chunkIndex = buf.readUInt16BE(HEADER_BYTES);
  const chunkCount = buf.readUInt16BE(HEADER_BYTES + 2);
  if (chunkCount === 0 || chunkIndex >= chunkCount) return null;
  const tagged = (h.flags & FLAG_TAGGED) !== 0;
  if (tagged && buf.length < CONTROL_HEADER_BYTES + TAG_BYTES) return null;
  const end = tagged ? buf.length - TAG_BYTES : buf.length;
  return {
    kind: h.kind,
    session: h.session,
    msgId: h.seq,
    sendTimeNs: h.sendTimeNs,
    chunkIndex,
    chunkCount,
    body: buf.subarray(CONTROL_HEADER_BYTES, end),
    tag: tagged ? buf.subarray(end) : null,
    signed: buf.subarray(0, end),
  };
}
