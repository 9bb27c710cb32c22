/**
 * A client crafted from the project's own wire module, for tests that play
 * a hostile or unusual peer of a real `bench listen` process: it says hello,
 * echoes the cookie with whatever parameters and config the test gives, and
 * can send a go, raw datagrams and its own results blob. It counts every
 * byte the listener sends it: a witness independent of the listener's own
 * figures.
 */
import dgram from 'node:dgram';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CHUNK_BODY_BYTES, CONTROL_VERSION, HELLO_BYTES, jsonBody, nonce, parseBody } from '../src/bench/control.js';
import { DIR_AB, Decode, END_MARKER_COPIES, HEADER_BYTES, Kind, createHeader, decodeControl, decodeHeader, encodeControl, encodeHeader } from '../src/udp/wire.js';
import { localConfig } from './helpers.js';
import type { RunConfig } from '../src/result/types.js';

export const goodParams = { sizeBytes: 200, rateAbPps: 100, rateBaPps: 100, durationSeconds: 1, omitSeconds: 0, rcvbufBytes: null, sndbufBytes: null, peerTimeoutSeconds: 3 };

export interface Reply {
  kind: number;
  session: number;
  chunkIndex: number;
  body: unknown;
  /** Arrival, ms on the test's clock. */
  atMs: number;
}

export interface CraftedClient {
  socket: dgram.Socket;
  port: number;
  /** The clock `Reply.atMs` is on. */
  nowMs: () => number;
  replies: Reply[];
  /** Bytes (UDP payload) of data datagrams (not end markers) received from the listener. */
  dataBytes: () => number;
  dataDatagrams: () => number;
  /** Milliseconds from the first data datagram's arrival to the last's (0 before two arrived). */
  dataSpanMs: () => number;
  send: (buf: Buffer) => Promise<void>;
  control: (kind: number, body: unknown, opts?: { session?: number; pad?: number; msgId?: number }) => Promise<void>;
  /** Waits for a reply of one of `kinds` arriving after reply index `from`. */
  waitReply: (kinds: number[], from?: number, timeoutMs?: number) => Promise<Reply | null>;
  /** Hello → cookie → params; resolves with the listener's answer (accept, refuse or busy), or `null`. */
  open: (params?: Record<string, unknown>, config?: RunConfig) => Promise<Reply | null>;
  /** Sends the go for an accepted session and waits for its ack. */
  go: (session: number) => Promise<Reply | null>;
  /** Sends an end marker of A→B saying nothing was sent (the listener then does not wait for one). */
  sendEnd: (session: number) => Promise<void>;
  /** The listener's report, once all its chunks arrived (inflated and parsed), else `null`. */
  listenerReport: () => unknown;
  /** Sends a results blob (any bytes, deflated here unless `raw`) in chunks under the session id. */
  sendResults: (session: number, blob: Buffer, opts?: { raw?: boolean }) => Promise<number>;
  close: () => void;
}

export async function craftedClient(listenerPort: number, host = '127.0.0.1'): Promise<CraftedClient> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => socket.bind(0, host, r));
  const replies: Reply[] = [];
  let bytes = 0;
  let datagrams = 0;
  const theirChunks = new Map<number, Buffer>();
  let theirCount = -1;
  let firstDataMs: number | null = null;
  let lastDataMs = 0;
  let msgId = 1;
  const h = createHeader();
  const t0 = performance.now();
  socket.on('message', (msg: Buffer) => {
    const f = decodeControl(msg);
    if (f !== null && f.kind === Kind.Results) {
      // Acknowledged as a real client does, and kept: the listener's own report, for tests that send it back altered.
      void control(Kind.Ack, { i: f.chunkIndex }, { session: f.session, msgId: f.msgId });
      const end = Math.min(f.body.length, 2 + f.body.readUInt16BE(0));
      theirChunks.set(f.chunkIndex, Buffer.from(f.body.subarray(2, end)));
      theirCount = f.chunkCount;
    }
    if (f !== null) {
      replies.push({ kind: f.kind, session: f.session, chunkIndex: f.chunkIndex, body: f.chunkCount === 1 ? parseBody(f.body) : null, atMs: performance.now() - t0 });
      return;
    }
    if (decodeHeader(msg, msg.length, null, h) === Decode.Ok && h.kind === Kind.Data) {
      bytes += msg.length;
      datagrams++;
      const at = performance.now();
      firstDataMs ??= at;
      lastDataMs = at;
    }
  });
  const send = (buf: Buffer): Promise<void> => new Promise((r) => socket.send(buf, listenerPort, host, () => r()));
  const control = (kind: number, body: unknown, opts: { session?: number; pad?: number; msgId?: number } = {}): Promise<void> =>
    send(encodeControl({ kind, session: opts.session ?? 0, msgId: opts.msgId ?? msgId++, sendTimeNs: Math.round(performance.now() * 1e6), body: jsonBody(body), padTo: opts.pad ?? 0 }));
  const waitReply = async (kinds: number[], from = 0, timeoutMs = 3000): Promise<Reply | null> => {
    const until = performance.now() + timeoutMs; // a test deadline, not a measurement
    while (performance.now() < until) {
      const r = replies.slice(from).find((x) => kinds.includes(x.kind));
      if (r !== undefined) return r;
      await new Promise((res) => setTimeout(res, 10));
    }
    return null;
  };
  const open = async (params: Record<string, unknown> = goodParams, config: RunConfig = localConfig()): Promise<Reply | null> => {
    const n = nonce();
    let k = replies.length;
    await control(Kind.Hello, { v: CONTROL_VERSION, nonce: n, auth: null }, { pad: HELLO_BYTES });
    const cookie = await waitReply([Kind.Cookie, Kind.Refuse, Kind.Busy], k);
    if (cookie === null || cookie.kind !== Kind.Cookie) return cookie;
    k = replies.length;
    await control(Kind.Params, { nonce: n, cookie: (cookie.body as { cookie: string }).cookie, params, config, startedAt: 'crafted' });
    return waitReply([Kind.Accept, Kind.Refuse, Kind.Busy], k);
  };
  const go = async (session: number): Promise<Reply | null> => {
    // Retransmitted as a real client does: the listener answers once its endpoint is bound.
    const k = replies.length;
    for (let i = 0; i < 15; i++) {
      await control(Kind.Go, { session }, { session });
      const ack = await waitReply([Kind.GoAck], k, 200);
      if (ack !== null) return ack;
    }
    return null;
  };
  const sendEnd = async (session: number): Promise<void> => {
    const h2 = createHeader();
    h2.kind = Kind.End;
    h2.direction = DIR_AB;
    h2.session = session;
    const buf = Buffer.alloc(HEADER_BYTES);
    encodeHeader(buf, h2);
    for (let i = 0; i < END_MARKER_COPIES; i++) await send(buf);
  };
  const listenerReport = (): unknown => {
    if (theirCount < 0 || theirChunks.size !== theirCount) return null;
    const whole = Buffer.concat([...Array(theirCount).keys()].map((i) => theirChunks.get(i) as Buffer));
    return parseBody(inflateRawSync(whole));
  };
  const sendResults = async (session: number, blob: Buffer, opts: { raw?: boolean } = {}): Promise<number> => {
    const data = opts.raw === true ? blob : deflateRawSync(blob);
    const count = Math.max(1, Math.ceil(data.length / CHUNK_BODY_BYTES));
    const id = 1_000_000 + session;
    for (let i = 0; i < count; i++) {
      const c = data.subarray(i * CHUNK_BODY_BYTES, (i + 1) * CHUNK_BODY_BYTES);
      const body = Buffer.alloc(2 + c.length);
      body.writeUInt16BE(c.length, 0);
      c.copy(body, 2);
      await send(encodeControl({ kind: Kind.Results, session, msgId: id, sendTimeNs: 0, chunkIndex: i, chunkCount: count, body }));
    }
    return count;
  };
  return {
    socket,
    port: (socket.address() as { port: number }).port,
    nowMs: () => performance.now() - t0,
    replies,
    dataBytes: () => bytes,
    dataDatagrams: () => datagrams,
    dataSpanMs: () => (firstDataMs === null ? 0 : lastDataMs - firstDataMs),
    send,
    control,
    waitReply,
    open,
    go,
    sendResults,
    sendEnd,
    listenerReport,
    close: () => socket.close(),
  };
}

/** A JSON body as the listener would compress it. */
export { jsonBody };
