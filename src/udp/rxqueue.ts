/**
 * Receive-queue occupancy of the receiving sockets during a run: the figure a
 * user sizes `SO_RCVBUF` from.
 *
 * Why `rx_queue` of `/proc/net/udp` (`udp6` for IPv6): it is the socket's
 * `sk_rmem_alloc` (less the reader's not-yet-released `forward_deficit`), i.e.
 * kernel memory charged per queued datagram at its skb *truesize* (buffer,
 * `struct sk_buff` and shared info), not payload bytes. That is the very
 * figure the kernel compares with the effective receive buffer (`sk_rcvbuf`,
 * what `getRecvBufferSize()` returns: twice the requested `SO_RCVBUF`, capped
 * by `net.core.rmem_max`) in `__udp_enqueue_schedule_skb` before it queues a
 * datagram. So a peak near the effective buffer means the next burst drops
 * (counted as `RcvbufErrors` and in the socket's `drops` column).
 *
 * Limits:
 * - Sampling every N ms misses a peak that builds and drains between two
 *   samples; the peak reported is a lower bound of the true peak.
 * - The sampler runs on the thread that owns it: if that thread's event loop
 *   is busy (single mode: it is also the receiver), ticks are late.
 * - Converting bytes to datagrams uses the truesize of one datagram measured
 *   on loopback ({@link measureTruesizeBytes}); across a real NIC the truesize
 *   depends on the driver (page fragments, buffer recycling, GRO), so the
 *   datagram figure is an estimate. The byte figure is exact for what was seen.
 *   Once a queue is over half its buffer the kernel may also condense paged
 *   skbs (`skb_condense`), lowering their truesize: near the limit a byte
 *   holds slightly more datagrams than the probe's figure says.
 */
import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { parseUdpTable, tryRead as readTable, udpTablePath } from './kernel.js';

const SPACE = 32;
const COLON = 58;

/** The value of one hex digit character code, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

/** Index of the first non-space at or after `i` (bounded by `end`). */
function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) === SPACE) i++;
  return i;
}

/** Index of the first space at or after `i`, or `end`. */
function tokenEnd(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) !== SPACE) i++;
  return i;
}

/**
 * Sums the `rx_queue` column of `/proc/net/udp` or `/proc/net/udp6` text for
 * each of `ports`: `out[i]` is the sum for `ports[i]` (0 when no row has that
 * local port). A dedicated scan without splitting lines or fields, so that a
 * sampler can afford it every couple of milliseconds; it gives the same sums
 * as {@link parseUdpTable} for both formats. Pure (writes only `out`).
 */
export function scanPortQueues(text: string, ports: readonly number[], out: number[] = new Array<number>(ports.length)): number[] {
  out.length = ports.length;
  out.fill(0);
  const len = text.length;
  // The first line is the header.
  let lineStart = text.indexOf('\n') + 1;
  if (lineStart === 0) return out;
  while (lineStart < len) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = len;
    // "%5d: LOCAL:PORT REMOTE:PORT ST TX:RX ..." (LOCAL is 8 hex digits for udp, 32 for udp6).
    let i = skipSpaces(text, lineStart, lineEnd);
    i = tokenEnd(text, i, lineEnd); // "sl:"
    const localStart = skipSpaces(text, i, lineEnd);
    const localEnd = tokenEnd(text, localStart, lineEnd);
    // The local port: the hex digits after the token's colon.
    let p = localEnd - 1;
    let port = 0;
    let scale = 1;
    let ok = p > localStart;
    while (ok && p > localStart && text.charCodeAt(p) !== COLON) {
      const d = hexDigit(text.charCodeAt(p));
      if (d < 0) ok = false;
      port += d * scale;
      scale *= 16;
      p--;
    }
    if (ok && p > localStart && scale > 1) {
      let slot = -1;
      for (let k = 0; k < ports.length; k++) {
        if (ports[k] === port) {
          slot = k;
          break;
        }
      }
      if (slot >= 0) {
        // Skip the remote address and the state; then "TX:RX".
        let j = tokenEnd(text, skipSpaces(text, localEnd, lineEnd), lineEnd); // remote
        j = tokenEnd(text, skipSpaces(text, j, lineEnd), lineEnd); // st
        j = skipSpaces(text, j, lineEnd);
        const queuesEnd = tokenEnd(text, j, lineEnd);
        while (j < queuesEnd && text.charCodeAt(j) !== COLON) j++;
        let rx = 0;
        for (j++; j < queuesEnd; j++) {
          const d = hexDigit(text.charCodeAt(j));
          if (d < 0) break;
          rx = rx * 16 + d;
        }
        out[slot] = (out[slot] ?? 0) + rx;
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
}

/**
 * Bytes queued for reading on the sockets bound to local `port` (the sum of
 * their `rx_queue`: both sockets of a split endpoint share one port), or `null`
 * when `/proc/net/udp` (`udp6`) cannot be read. 0 when no socket has the port.
 */
export function readPortQueue(port: number, family: 4 | 6, procRoot = '/proc'): number | null {
  const text = readTable(udpTablePath(family, procRoot));
  if (text === null) return null;
  return scanPortQueues(text, [port])[0] ?? 0;
}

/** Options of a {@link RxQueueSampler}. */
export interface RxQueueSamplerOptions {
  /** Local ports of the receiving sockets (one table read per tick covers all). */
  ports: number[];
  family: 4 | 6;
  /** Sampling interval; the timer's real resolution is about 1 ms. */
  intervalMs: number;
  /** For tests; default `/proc`. */
  procRoot?: string;
}

/** What a {@link RxQueueSampler} saw. */
export interface RxQueueSample {
  /**
   * The largest receive queue one port held at any sample, in bytes of kernel
   * memory (truesize), to compare with that socket's effective receive buffer.
   * `null` when `/proc` was unreadable or no sample was taken, never 0 then.
   */
  peakBytes: number | null;
  /** Samples taken (successful table reads). */
  samples: number;
  intervalMs: number;
  /** The largest queue seen per port, in bytes (only ports sampled at least once). */
  peakByPort: Record<number, number>;
}

/**
 * Samples the receive queues of some local ports on a timer and keeps the
 * peak per port. A lower bound of the true peak: a queue that fills and
 * drains between two samples is not seen.
 */
export class RxQueueSampler {
  private readonly ports: number[];
  private readonly path: string;
  private readonly peaks: number[];
  private readonly scratch: number[];
  private timer: NodeJS.Timeout | null = null;
  private samples = 0;
  readonly intervalMs: number;

  constructor(options: RxQueueSamplerOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) throw new RangeError(`intervalMs must be a positive number, got ${options.intervalMs}`);
    this.ports = [...new Set(options.ports)];
    this.path = udpTablePath(options.family, options.procRoot ?? '/proc');
    this.intervalMs = options.intervalMs;
    this.peaks = new Array<number>(this.ports.length).fill(0);
    this.scratch = new Array<number>(this.ports.length).fill(0);
  }

  /** Takes a first sample and starts the timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Reads the table once and updates the peaks. Returns this sample's bytes
   * per port, or `null` when the table is unreadable (not counted as a sample).
   */
  sampleNow(): Record<number, number> | null {
    if (!this.tick()) return null;
    const now: Record<number, number> = {};
    for (let k = 0; k < this.ports.length; k++) now[this.ports[k] as number] = this.scratch[k] ?? 0;
    return now;
  }

  /** One sample without allocating a result: what the timer runs. */
  private tick(): boolean {
    const text = readTable(this.path);
    if (text === null) return false;
    scanPortQueues(text, this.ports, this.scratch);
    this.samples++;
    for (let k = 0; k < this.ports.length; k++) {
      const v = this.scratch[k] ?? 0;
      if (v > (this.peaks[k] ?? 0)) this.peaks[k] = v;
    }
    return true;
  }

  /** Stops the timer (after a last sample if it was running) and returns what was seen. */
  stop(): RxQueueSample {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.tick();
    }
    const peakByPort: Record<number, number> = {};
    let peak: number | null = null;
    if (this.samples > 0) {
      peak = 0;
      for (let k = 0; k < this.ports.length; k++) {
        const v = this.peaks[k] ?? 0;
        peakByPort[this.ports[k] as number] = v;
        if (v > peak) peak = v;
      }
    }
    return { peakBytes: peak, samples: this.samples, intervalMs: this.intervalMs, peakByPort };
  }
}

/**
 * Datagrams that `bytes` of receive queue stand for, given the truesize of
 * one datagram: `Math.round(bytes / truesizeBytes)`; `null` if either is
 * unknown or the truesize is 0. An estimate (see the module's limits).
 */
export function datagramsFromBytes(bytes: number | null, truesizeBytes: number | null): number | null {
  if (bytes === null || truesizeBytes === null || truesizeBytes === 0) return null;
  return Math.round(bytes / truesizeBytes);
}

/**
 * The stalled receiver of {@link measureTruesizeBytes}, run as an eval'd
 * CommonJS worker (no file to resolve from sources or `dist/`). node:dgram
 * starts reading a socket as soon as it is bound, with or without a 'message'
 * listener, and Node 20 has no public way to stop that; but libuv only reads
 * when the thread's event loop polls. So the worker binds, reports its port
 * and blocks in `Atomics.wait` inside the bind callback: until woken, nothing
 * reads the socket and datagrams stay queued in the kernel. (The tool's own
 * receiver, when stalled, is in the same state.)
 */
const STALLED_RECEIVER = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { family, address, rcvbufBytes, stallMs, flag } = workerData;
const s = dgram.createSocket(family === 6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
s.on('error', (e) => {
  parentPort.postMessage({ type: 'error', message: String(e && e.message) });
  try { s.close(); } catch {}
});
s.bind({ port: 0, address, exclusive: true }, () => {
  let rcvbuf = 0;
  try { s.setRecvBufferSize(rcvbufBytes); rcvbuf = s.getRecvBufferSize(); } catch {}
  parentPort.postMessage({ type: 'bound', port: s.address().port, rcvbuf });
  Atomics.wait(new Int32Array(flag), 0, 0, stallMs);
  s.close();
});
`;

interface StalledMessage {
  type: 'bound' | 'error';
  port?: number;
  rcvbuf?: number;
  message?: string;
}

/** Resolves with `value` after `ms`, or earlier with the promise's value. */
function within<T>(promise: Promise<T>, ms: number, value: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(value), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Datagrams sent by the probe. */
const PROBE_DATAGRAMS = 16;

/** Options of {@link measureTruesizeBytes}. */
export interface TruesizeProbeOptions {
  /** Bound on the whole probe, worker start-up included (default 1000 ms). */
  timeoutMs?: number;
  /** For tests; default `/proc`. */
  procRoot?: string;
}

/**
 * Measures how many bytes of `rx_queue` one datagram of `sizeBytes` payload
 * costs on this kernel: a worker binds a throwaway socket on loopback with a
 * 1 MiB `SO_RCVBUF` and stalls (see `STALLED_RECEIVER`), 16 datagrams are sent
 * to it from another loopback socket, and once `rx_queue` stops growing the
 * figure is `rx_queue / delivered` (delivered = 16 − the socket's drops).
 * `null` when `/proc` is unreadable, loopback for the family is missing, or
 * the queue stays empty within the time bound. Loopback truesize; across a
 * real NIC the driver decides truesize, so use it as an estimate there.
 */
export async function measureTruesizeBytes(sizeBytes: number, family: 4 | 6, options: TruesizeProbeOptions = {}): Promise<number | null> {
  if (!Number.isInteger(sizeBytes) || sizeBytes < 0 || sizeBytes > 65507) throw new RangeError(`sizeBytes must be an integer from 0 to 65507, got ${sizeBytes}`);
  const procRoot = options.procRoot ?? '/proc';
  const path = udpTablePath(family, procRoot);
  if (readTable(path) === null) return null;
  const timeoutMs = options.timeoutMs ?? 1000;
  const deadline = performance.now() + timeoutMs;
  const left = (): number => deadline - performance.now();
  const address = family === 6 ? '::1' : '127.0.0.1';
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(STALLED_RECEIVER, {
    eval: true,
    workerData: { family, address, rcvbufBytes: 1 << 20, stallMs: timeoutMs, flag: flag.buffer },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined);
  const bound = new Promise<StalledMessage | null>((resolve) => {
    worker.once('message', (m: StalledMessage) => resolve(m));
    void exited.then(() => resolve(null));
  });
  const sender = dgram.createSocket(family === 6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
  sender.on('error', () => undefined);
  try {
    const m = await within(bound, left(), null);
    if (m === null || m.type !== 'bound' || m.port === undefined) return null;
    const port = m.port;
    const payload = Buffer.alloc(sizeBytes);
    let sendErrors = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < PROBE_DATAGRAMS; i++) {
      sends.push(
        new Promise<void>((resolve) => {
          try {
            sender.send(payload, port, address, (err) => {
              if (err) sendErrors++;
              resolve();
            });
          } catch {
            sendErrors++;
            resolve();
          }
        }),
      );
    }
    await within(Promise.all(sends).then(() => undefined), left(), undefined);
    if (sendErrors === PROBE_DATAGRAMS) return null;
    // Loopback delivers within sendmsg, but poll until two readings agree.
    let last = -1;
    let rxBytes = 0;
    let drops = 0;
    while (left() > 0) {
      const text = readTable(path);
      if (text === null) return null;
      const rows = parseUdpTable(text).filter((r) => r.localPort === port);
      rxBytes = rows.reduce((s, r) => s + r.rxQueueBytes, 0);
      drops = rows.reduce((s, r) => s + r.drops, 0);
      if (rxBytes > 0 && rxBytes === last) break;
      last = rxBytes;
      await sleep(2);
    }
    const delivered = PROBE_DATAGRAMS - sendErrors - drops;
    if (rxBytes <= 0 || delivered <= 0) return null;
    return Math.round(rxBytes / delivered);
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    sender.close();
    // The woken worker closes its socket and ends; do not wait for ever.
    await within(exited, Math.max(left(), 100), undefined);
    await worker.terminate();
  }
}
