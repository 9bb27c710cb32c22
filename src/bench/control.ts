/**
 * The in-band control protocol of remote mode: everything travels on the
 * endpoint's one UDP port, so a firewall needs exactly one UDP port open on
 * each side. Frames are encoded by `udp/wire.ts`; this module owns their JSON
 * bodies, the stateless cookie (RFC 9000 §8.1 address validation), the
 * optional authentication (every frame after the hello tagged with an HMAC
 * under a per-session key, docs/protocol.md), the nonce memory that refuses
 * replays, retransmission with backoff, and chunked reliable transfer of the
 * results.
 */
import type dgram from 'node:dgram';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { BenchError, type OwnErrorCode } from '../errors.js';
import type { Clock } from '../udp/clock.js';
import { Kind, TAG_BYTES, decodeControl, encodeControl, type ControlFrame } from '../udp/wire.js';
import { UNTAGGED_KINDS, bodyOf, type ControlKind } from './control-registry.js';

/** Control protocol version, in the hello. 2: tagged frames, per-session keys, listener nonce. */
export const CONTROL_VERSION = 2;
/** A hello is padded to this size so that no reply to it is larger (anti-amplification). */
export const HELLO_BYTES = 600;
/** Largest body per chunk: keeps a frame under 1280 bytes (the IPv6 minimum MTU), never fragmented. */
export const CHUNK_BODY_BYTES = 1100;
/** Most chunks a results blob may have (~1 MB compressed): a bound on what a peer can make us hold. */
export const MAX_CHUNKS = 1000;
/** Retransmission: first timeout, backoff factor, cap. */
export const RTO_INITIAL_MS = 200;
export const RTO_FACTOR = 1.5;
export const RTO_MAX_MS = 1000;

/** A control-protocol failure the CLI reports as one line. */
export class ControlError extends BenchError {
  constructor(message: string, code: OwnErrorCode) {
    super(message, code);
  }
}

/** Where a frame came from / goes to. */
export interface PeerAddress {
  address: string;
  port: number;
}

/** The test parameters a client proposes and a listener accepts. */
export interface NegotiatedParams {
  sizeBytes: number;
  /** Client → listener (A→B) and listener → client (B→A) rates; `null` = max. */
  rateAbPps: number | null;
  rateBaPps: number | null;
  durationSeconds: number;
  omitSeconds: number;
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
  peerTimeoutSeconds: number;
}

/** Encodes a JSON body. */
export function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Decodes a JSON body (trailing zero padding ignored); `null` if it is not JSON. */
export function parseBody(body: Buffer): unknown {
  let end = body.length;
  while (end > 0 && body[end - 1] === 0) end--;
  try {
    return JSON.parse(body.subarray(0, end).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

/** HMAC-SHA256 over the parts, hex. */
export function hmac(key: string | Buffer, ...parts: string[]): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex');
}

/** Constant-time comparison of two hex strings. */
export function sameHex(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** A random nonce, hex. */
export function nonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The per-session key both sides derive after the hello ⇄ cookie exchange:
 * HMAC(secret, "udx-session", client nonce, listener nonce). Fresh nonces on
 * both sides make every session's key different, so a frame recorded in one
 * session is worthless in another.
 */
export function sessionKey(secret: string, clientNonce: string, listenerNonce: string): Buffer {
  return createHmac('sha256', secret).update('udx-session\u0000').update(clientNonce).update('\u0000').update(listenerNonce).digest();
}

/** The tag of a frame: HMAC-SHA256 over the bytes before the tag, truncated to {@link TAG_BYTES}. */
export function frameTag(key: Buffer, signed: Uint8Array): Buffer {
  return createHmac('sha256', key).update(signed).digest().subarray(0, TAG_BYTES);
}

/**
 * Nonces that started a session, each remembered until its expiry (at least
 * the cookie lifetime), so that a replayed hello or parameters message is
 * recognised. Only a nonce whose parameters passed the cookie (a validated
 * address) and, with a secret, the tag check is ever stored: a hello stores
 * nothing, so a flood of hellos cannot fill this memory. Bounded: when full of
 * unexpired nonces, {@link spend} refuses (the listener answers busy).
 */
export class NonceMemory {
  /** Nonce → expiry (ns). In insertion order, which is expiry order (one lifetime for all). */
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly clock: Clock,
    private readonly lifetimeNs: number,
    /** Most nonces held at once. */
    readonly maxEntries = 65_536,
  ) {}

  /** Forgets the expired nonces (the oldest first: the map is in expiry order). */
  private evict(now: number): void {
    for (const [k, expiresNs] of this.seen) {
      if (expiresNs > now) break;
      this.seen.delete(k);
    }
  }

  /**
   * Marks `nonce` as spent (it starts a session): any later use is a replay.
   * Returns `false`, storing nothing, when the memory is full of unexpired
   * nonces (the session must not start: its replay could not be recognised).
   */
  spend(nonce: string): boolean {
    const now = this.clock.nowNs();
    this.evict(now);
    if (!this.seen.has(nonce) && this.seen.size >= this.maxEntries) return false;
    this.seen.delete(nonce); // re-inserted at the end: the map stays in expiry order
    this.seen.set(nonce, now + this.lifetimeNs);
    return true;
  }

  /** Whether `nonce` was spent and is still remembered. Stores nothing. */
  spent(nonce: string): boolean {
    const expiresNs = this.seen.get(nonce);
    return expiresNs !== undefined && expiresNs > this.clock.nowNs();
  }

  /** Nonces held now (expired ones included until the next {@link spend}). */
  get size(): number {
    return this.seen.size;
  }
}

/**
 * Stateless cookies: an HMAC of the client's address and port and a coarse
 * time bucket, under a key that lives only in this listener process. Valid for
 * the current and the previous bucket (30–60 s), like a QUIC Retry token.
 */
export class CookieJar {
  private readonly key = randomBytes(32);
  constructor(
    private readonly clock: Clock,
    private readonly bucketSeconds = 30,
  ) {}

  private bucket(offset: number): string {
    return String(Math.floor(this.clock.nowNs() / 1e9 / this.bucketSeconds) - offset);
  }

  /** A cookie for `peer`. */
  issue(peer: PeerAddress): string {
    return hmac(this.key, peer.address, String(peer.port), this.bucket(0)).slice(0, 32);
  }

  /** Whether `cookie` was issued to `peer` recently. */
  valid(peer: PeerAddress, cookie: unknown): boolean {
    if (typeof cookie !== 'string') return false;
    return [0, 1].some((o) => sameHex(cookie, hmac(this.key, peer.address, String(peer.port), this.bucket(o)).slice(0, 32)));
  }

  /**
   * The listener's nonce for a client nonce: derived, not stored, so the
   * listener stays stateless until the parameters arrive, and a retransmitted
   * hello gets the same answer.
   */
  listenerNonce(peer: PeerAddress, clientNonce: string): string {
    return hmac(this.key, 'listener-nonce', peer.address, String(peer.port), clientNonce).slice(0, 32);
  }

  /** How long a cookie stays valid at most, ns. */
  get lifetimeNs(): number {
    return 2 * this.bucketSeconds * 1e9;
  }
}

/**
 * How a frame's authentication looked on arrival: `ok` (tag valid under the
 * key set for its source), `untagged` (no tag, no key for its source, or a
 * refusal, which is never tagged), `no-key` (tagged, but no key is set for
 * its source yet: the listener's parameters step checks it itself).
 * Frames with a bad tag, and untagged frames from a source that has a key,
 * never reach the listeners (see {@link ControlChannel.onRejected}).
 */
export type FrameAuth = 'ok' | 'untagged' | 'no-key';

/** A received frame with its parsed body and source. */
export interface Incoming {
  frame: ControlFrame;
  body: unknown;
  from: PeerAddress;
  /** Size of the datagram, for the anti-amplification budget. */
  bytes: number;
  auth: FrameAuth;
  /** When the datagram was read, on the channel's clock (by the worker that relayed it, if one did). */
  arrivalNs: number;
}

/** Why the channel dropped a frame before its listeners saw it. */
export type RejectReason = 'bad-tag' | 'untagged';


/**
 * Sends and receives control frames on the endpoint's port. Frames arrive
 * from the control socket itself, or relayed by a data worker whose socket
 * they landed on ({@link ControlChannel.deliver}).
 */
export class ControlChannel {
  private readonly listeners = new Set<(m: Incoming) => void>();
  private readonly keys = new Map<string, Buffer>();
  private msgId = 1;
  closed = false;
  /** Called for every frame dropped for its authentication (the caller rate-limits any log). */
  onRejected: ((reason: RejectReason, from: PeerAddress, kind: number) => void) | null = null;

  constructor(
    readonly socket: dgram.Socket,
    readonly clock: Clock,
  ) {
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => this.deliver(msg, rinfo.address, rinfo.port, this.clock.nowNs()));
  }

  /** Sets (or with `null` removes) the session key for frames to and from `peer`. */
  setKey(peer: PeerAddress, key: Buffer | null): void {
    if (key === null) this.keys.delete(formatPeer(peer));
    else this.keys.set(formatPeer(peer), key);
  }

  /**
   * Removes the key for `peer` if it is still `key`: when a session's linger
   * ends, a newer session from the same address and port keeps its own key.
   */
  dropKey(peer: PeerAddress, key: Buffer): void {
    if (this.keys.get(formatPeer(peer)) === key) this.keys.delete(formatPeer(peer));
  }

  /** Feeds a datagram (from the socket or relayed by a worker). Non-control datagrams are ignored. */
  deliver(bytes: Uint8Array, address: string, port: number, arrivalNs: number = this.clock.nowNs()): void {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const frame = decodeControl(buf);
    if (frame === null) return;
    const from = { address, port };
    const key = this.keys.get(formatPeer(from));
    let auth: FrameAuth;
    if (frame.tag !== null) {
      if (key === undefined) auth = 'no-key';
      else if (timingSafeEqual(frame.tag, frameTag(key, frame.signed))) auth = 'ok';
      else return this.onRejected?.('bad-tag', from, frame.kind);
    } else {
      if (key !== undefined && !UNTAGGED_KINDS.has(frame.kind)) return this.onRejected?.('untagged', from, frame.kind);
      auth = 'untagged';
    }
    const m: Incoming = { frame, body: frame.chunkCount === 1 ? parseBody(frame.body) : null, from, bytes: buf.length, auth, arrivalNs };
    for (const l of [...this.listeners]) l(m);
  }

  /** Subscribes to incoming frames; returns an unsubscribe function. */
  on(fn: (m: Incoming) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A fresh message id. */
  nextId(): number {
    return this.msgId++;
  }

  /**
   * Sends one frame (best effort: UDP), tagged when a key is set for `to`
   * (the kinds the registry marks untagged never are). The header timestamp
   * is now, unless the frame gives one (a clock probe's t1 or t3, taken by
   * the caller).
   */
  send(f: OutFrame): number {
    const { to, kind, session, msgId, body } = f;
    const sendTimeNs = f.sendTimeNs ?? this.clock.nowNs();
    const key = UNTAGGED_KINDS.has(kind) ? undefined : this.keys.get(formatPeer(to));
    const buf = encodeControl({ kind, session, msgId, sendTimeNs, chunkIndex: f.chunkIndex ?? 0, chunkCount: f.chunkCount ?? 1, body, padTo: f.padTo ?? 0, tagged: key !== undefined });
    if (key !== undefined) frameTag(key, buf.subarray(0, buf.length - TAG_BYTES)).copy(buf, buf.length - TAG_BYTES);
    if (!this.closed) this.socket.send(buf, to.port, to.address, () => undefined);
    return buf.length;
  }

  /**
   * Sends a request and retransmits it with backoff until `accept` returns a
   * value for a reply from `to`, or `timeoutMs` passes (then rejects with a
   * {@link ControlError}). Aborting rejects at once.
   */
  request<T>(r: Request<T>): Promise<T> {
    const { to, kind, session, body, accept } = r;
    const id = this.nextId();
    return new Promise<T>((resolve, reject) => {
      let rto = RTO_INITIAL_MS;
      let timer: NodeJS.Timeout | null = null;
      const finish = (): void => {
        off();
        if (timer) clearTimeout(timer);
        clearTimeout(deadline);
        r.signal?.removeEventListener('abort', onAbort);
      };
      const off = this.on((m) => {
        if (m.from.address !== to.address || m.from.port !== to.port) return;
        let v: T | undefined;
        try {
          v = accept(m);
        } catch (err) {
          // The reply was a refusal: the accept function says why.
          finish();
          reject(err);
          return;
        }
        if (v !== undefined) {
          finish();
          resolve(v);
        }
      });
      const deadline = setTimeout(() => {
        finish();
        reject(new ControlError(`no answer to ${r.what} from ${formatPeer(to)} within ${(r.timeoutMs / 1000).toFixed(1)} s`, 'ETIMEDOUT'));
      }, r.timeoutMs);
      const onAbort = (): void => {
        finish();
        reject(new ControlError(`${r.what} interrupted`, 'EINTERRUPTED'));
      };
      r.signal?.addEventListener('abort', onAbort, { once: true });
      const transmit = (): void => {
        this.send({ to, kind, session, msgId: id, body, ...(r.padTo === undefined ? {} : { padTo: r.padTo }) });
        timer = setTimeout(transmit, rto);
        rto = Math.min(rto * RTO_FACTOR, RTO_MAX_MS);
      };
      transmit();
    });
  }
}

/** One frame to send: where, which kind, in which session, its message id and body; chunk fields for chunked kinds. */
export interface OutFrame {
  to: PeerAddress;
  kind: ControlKind;
  session: number;
  msgId: number;
  body: Buffer;
  /** The header timestamp; default now. */
  sendTimeNs?: number;
  chunkIndex?: number;
  chunkCount?: number;
  /** Pad the frame to this many bytes (before any tag). */
  padTo?: number;
}

/** A request: sent and retransmitted with backoff until `accept` returns a value for a reply from `to`. */
export interface Request<T> {
  to: PeerAddress;
  kind: ControlKind;
  session: number;
  body: Buffer;
  /** A value ends the request; `undefined` waits on; a throw (a refusal) rejects it. */
  accept: (m: Incoming) => T | undefined;
  timeoutMs: number;
  /** What is asked, for the timeout's message ("hello", "the start signal"). */
  what: string;
  padTo?: number;
  signal?: AbortSignal;
}

/** `host:port`, IPv6 in brackets. */
export function formatPeer(p: PeerAddress): string {
  return p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

/**
 * Exchanges one blob each way, reliably, over a lossy path: our blob is
 * compressed, cut into chunks of {@link CHUNK_BODY_BYTES}, and each chunk is
 * retransmitted with backoff until acknowledged; the peer's chunks are
 * acknowledged (again, if repeated) and reassembled. Resolves with the peer's
 * blob, still compressed, once ours is fully acknowledged and theirs is
 * complete, or with `null` for theirs on timeout (ours may then be
 * incomplete at the peer). The peer's blob is held to `maxBytes` compressed
 * (chunks beyond it are ignored, never stored): inflating, parsing and
 * checking it is the caller's, off this thread (report-decode.ts).
 */
export function exchangeBlob(
  ch: ControlChannel,
  to: PeerAddress,
  session: number,
  ours: unknown,
  opts: { timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<{ theirs: Buffer | null; oursDelivered: boolean }> {
  const data = deflateRawSync(jsonBody(ours));
  const count = Math.max(1, Math.ceil(data.length / CHUNK_BODY_BYTES));
  const msgId = 1_000_000 + session; // both sides use the session-derived id for the results
  const acked = new Array<boolean>(count).fill(false);
  const rto = new Array<number>(count).fill(RTO_INITIAL_MS);
  const due = new Array<number>(count).fill(0);
  /** The peer's chunk count, once a chunk said it. */
  let theirCount: number | null = null;
  const theirChunks = new Map<number, Buffer>();
  const maxChunks = Math.min(MAX_CHUNKS, Math.ceil(opts.maxBytes / CHUNK_BODY_BYTES) + 1);
  return new Promise((resolve) => {
    const chunk = (i: number): Buffer => data.subarray(i * CHUNK_BODY_BYTES, (i + 1) * CHUNK_BODY_BYTES);
    const done = (): boolean => acked.every(Boolean) && theirCount !== null && theirChunks.size === theirCount;
    const finish = (delivered: boolean): void => {
      off();
      clearInterval(ticker);
      clearTimeout(deadline);
      const theirs = theirCount !== null && theirChunks.size === theirCount ? Buffer.concat([...Array(theirCount).keys()].map((i) => theirChunks.get(i) as Buffer)) : null;
      resolve({ theirs, oursDelivered: delivered });
    };
    const off = ch.on((m) => {
      if (m.from.address !== to.address || m.from.port !== to.port || m.frame.session !== session) return;
      if (m.frame.kind === Kind.Results) {
        // Chunk bodies are raw deflate bytes: the length is carried in the first two bytes.
        // Malformed or inconsistent chunks are ignored, never thrown on.
        if (m.frame.body.length < 2 || m.frame.chunkCount > maxChunks) return;
        if (theirCount !== null && m.frame.chunkCount !== theirCount) return;
        theirCount = m.frame.chunkCount;
        const end = Math.min(m.frame.body.length, 2 + m.frame.body.readUInt16BE(0));
        theirChunks.set(m.frame.chunkIndex, Buffer.from(m.frame.body.subarray(2, end)));
        ch.send({ to, kind: Kind.Ack, session, msgId, body: jsonBody({ i: m.frame.chunkIndex }) });
      } else if (m.frame.kind === Kind.Ack) {
        const b = bodyOf(m, Kind.Ack);
        if (b !== null && b.i < count) acked[b.i] = true;
      }
      if (done()) finish(true);
    });
    const start = ch.clock.nowNs() / 1e6;
    const ticker = setInterval(() => {
      const now = ch.clock.nowNs() / 1e6 - start;
      for (let i = 0; i < count; i++) {
        if (acked[i] || now < (due[i] as number)) continue;
        const c = chunk(i);
        const body = Buffer.alloc(2 + c.length);
        body.writeUInt16BE(c.length, 0);
        c.copy(body, 2);
        ch.send({ to, kind: Kind.Results, session, msgId, body, chunkIndex: i, chunkCount: count });
        due[i] = now + (rto[i] as number);
        rto[i] = Math.min((rto[i] as number) * RTO_FACTOR, RTO_MAX_MS);
      }
    }, 20);
    const deadline = setTimeout(() => finish(acked.every(Boolean)), opts.timeoutMs);
    opts.signal?.addEventListener('abort', () => finish(acked.every(Boolean)), { once: true });
  });
}
