/**
 * One endpoint run by this process: its worker threads (one in single mode,
 * a sender and a receiver in split mode) and its one UDP port. Local mode
 * runs two of these; remote mode runs one and talks to the peer's.
 */
import { readPortDrops } from '../udp/kernel.js';
import { DIR_AB, DIR_BA } from '../udp/wire.js';
import type { CpuTime, EndpointResult, RunConfig, ThreadMode } from '../report/schema.js';
import { WorkerHandle } from './threads.js';
import type { FromWorker, ReceiverPartial, SenderPartial, WorkerInit, WorkerPartial } from './messages.js';

const SETUP_TIMEOUT_MS = 10_000;

/** Per-endpoint settings beyond the run config. */
export interface EndpointOptions {
  id: 'A' | 'B';
  threads: ThreadMode;
  /** Port to bind; 0 for a free one. */
  bindPort: number;
  /** Whether another socket (remote mode's control socket) shares the port. */
  sharedPort: boolean;
  session: number;
  /** Both endpoints on one monotonic clock (local mode). */
  sharedClock: boolean;
  relayControl: boolean;
  peerTimeoutNs: number;
}

/** The endpoint's half of the figures, ready to merge or to send to the peer. */
export interface EndpointReport {
  endpoint: EndpointResult;
  sender: SenderPartial | null;
  receiver: ReceiverPartial | null;
  /** Drops of this endpoint's sockets during the measured phase; `null` without /proc. */
  kernelDrops: number | null;
  /** Foreign datagrams that reached the sender-only socket (split mode). */
  extraForeign: number;
  /** The drop counter of this endpoint's sockets after the drain; `null` without /proc. */
  dropsAtEnd: number | null;
  /** Every worker reported. */
  complete: boolean;
}

/** A running endpoint. Create with {@link startEndpoint}. */
export class Endpoint {
  address = '';
  port = 0;
  rcvbufEffective = 0;
  sndbufEffective = 0;
  readonly workers: WorkerHandle[] = [];
  private dropBase: number | null = null;
  private dropsAtEnd: number | null = null;
  private readonly partials: WorkerPartial[] = [];
  private collecting: Promise<unknown>[] = [];

  constructor(
    readonly cfg: RunConfig,
    readonly opts: EndpointOptions,
  ) {}

  get id(): 'A' | 'B' {
    return this.opts.id;
  }

  /** The worker that sends (the endpoint worker in single mode). */
  get sender(): WorkerHandle {
    return this.workers[this.workers.length - 1] as WorkerHandle;
  }

  /** The worker that receives (the endpoint worker in single mode). */
  get receiver(): WorkerHandle {
    return this.workers[0] as WorkerHandle;
  }

  private init(role: WorkerInit['role'], bindPort: number, echo: SharedArrayBuffer): WorkerInit {
    const ab = this.opts.id === 'A';
    return {
      role,
      endpointId: this.opts.id,
      family: this.cfg.family,
      bindAddress: this.cfg.host,
      bindPort,
      reuseAddr: this.opts.threads === 'split' || this.opts.sharedPort,
      rcvbufBytes: this.cfg.rcvbufBytes,
      sndbufBytes: this.cfg.sndbufBytes,
      session: this.opts.session,
      sendDirection: ab ? DIR_AB : DIR_BA,
      receiveDirection: ab ? DIR_BA : DIR_AB,
      sizeBytes: this.cfg.sizeBytes,
      ratePps: ab ? this.cfg.rateAbPps : this.cfg.rateBaPps,
      batch: this.cfg.sendBatch,
      echoBuffer: echo,
      sharedClock: this.opts.sharedClock,
      relayControl: this.opts.relayControl,
      peerTimeoutNs: this.opts.peerTimeoutNs,
    };
  }

  /** Spawns the workers and binds the port (the receiver first in split mode). */
  async bind(): Promise<void> {
    const echo = new SharedArrayBuffer(24);
    const first = new WorkerHandle(this.init(this.opts.threads === 'single' ? 'endpoint' : 'receiver', this.opts.bindPort, echo));
    this.workers.push(first);
    const b = await first.next('bound', SETUP_TIMEOUT_MS);
    this.address = b.address;
    this.port = b.port;
    this.rcvbufEffective = b.rcvbufEffective;
    this.sndbufEffective = b.sndbufEffective;
    if (this.opts.threads === 'split') {
      const tx = new WorkerHandle(this.init('sender', b.port, echo));
      this.workers.push(tx);
      const tb = await tx.next('bound', SETUP_TIMEOUT_MS);
      this.sndbufEffective = tb.sndbufEffective;
    }
  }

  /** Tells the workers the peer's address; resolves when all are ready. */
  async connect(address: string, port: number): Promise<void> {
    const ready = this.workers.map((w) => w.next('ready', SETUP_TIMEOUT_MS));
    for (const w of this.workers) w.send({ type: 'peer', address, port });
    await Promise.all(ready);
    this.dropBase = this.readDrops();
    this.collecting = this.workers.map((w) =>
      w.next('partial', 24 * 3600_000).then(
        (m) => this.partials.push(m.partial),
        () => undefined,
      ),
    );
  }

  /** Subscribes to every worker's messages. */
  onMessage(fn: (m: FromWorker, from: WorkerHandle) => void): () => void {
    const offs = this.workers.map((w) => w.on((m) => fn(m, w)));
    return () => offs.forEach((off) => off());
  }

  /** Starts sending and sampling at a monotonic time. */
  start(startAtNs: number, warmupNs: number, durationNs: number): void {
    for (const w of this.workers) w.send({ type: 'start', startAtNs, warmupNs, durationNs });
  }

  /** Stops sending now (interrupt, peer lost). */
  stop(): void {
    this.sender.send({ type: 'stop' });
  }

  /** Resolves when the sender has flushed and sent its end markers. */
  sendDone(timeoutMs: number): Promise<unknown> {
    return this.sender.next('send-done', timeoutMs);
  }

  /** Resolves when the receiver has seen the peer's end marker. */
  endSeen(timeoutMs: number): Promise<unknown> {
    return this.receiver.next('end-seen', timeoutMs);
  }

  private readDrops(): number | null {
    return readPortDrops(this.port, this.cfg.family)?.drops ?? null;
  }

  /** Re-reads the drop baseline (at the end of the warm-up). */
  markMeasureStart(): void {
    this.dropBase = this.readDrops();
  }

  /** Reads the drop counters; call before {@link finish}, while the sockets are open. */
  markMeasureEnd(): void {
    this.dropsAtEnd = this.readDrops();
  }

  /** Asks the workers for their partial results, closes their sockets, and reports. */
  async finish(timeoutMs: number): Promise<EndpointReport> {
    if (this.dropsAtEnd === null) this.markMeasureEnd();
    for (const w of this.workers) w.send({ type: 'finish' });
    await Promise.race([Promise.all(this.collecting), new Promise((r) => setTimeout(r, timeoutMs))]);
    return this.report();
  }

  /** Terminates the workers (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private report(): EndpointReport {
    const senderPart = this.partials.find((p) => p.sender !== null);
    const receiverPart = this.partials.find((p) => p.receiver !== null);
    const senderOnly = this.partials.find((p) => p.role === 'sender');
    const cpu: CpuTime[] = this.partials.map((p) => ({
      thread: p.role,
      userUs: p.cpu.userUs,
      systemUs: p.cpu.systemUs,
      eventLoopUtilization: p.cpu.eventLoopUtilization,
    }));
    const endpoint: EndpointResult = {
      id: this.opts.id,
      address: this.address,
      port: this.port,
      threads: this.opts.threads,
      rcvbuf: { requested: this.cfg.rcvbufBytes, effective: this.rcvbufEffective },
      sndbuf: { requested: this.cfg.sndbufBytes, effective: this.sndbufEffective },
      leaked: this.partials.reduce((n, p) => n + p.leaked, 0),
      peerSources: receiverPart?.receiver?.sources ?? [],
      cpu,
      warmupSent: senderPart?.sender?.warmupSent ?? 0,
      warmupReceived: receiverPart?.receiver?.warmupReceived ?? 0,
    };
    const kernelDrops = this.dropBase === null || this.dropsAtEnd === null ? null : this.dropsAtEnd - this.dropBase;
    return {
      endpoint,
      sender: senderPart?.sender ?? null,
      receiver: receiverPart?.receiver ?? null,
      kernelDrops,
      extraForeign: senderOnly?.foreignAtSender ?? 0,
      dropsAtEnd: this.dropsAtEnd,
      complete: this.partials.length === this.workers.length,
    };
  }
}

/** Creates an endpoint and binds its port. On failure, its workers are terminated. */
export async function startEndpoint(cfg: RunConfig, opts: EndpointOptions): Promise<Endpoint> {
  const e = new Endpoint(cfg, opts);
  try {
    await e.bind();
    return e;
  } catch (err) {
    await e.close();
    throw err;
  }
}
