/**
 * One endpoint run by this process: its worker threads (one in single mode,
 * a sender and a receiver in split mode) and its one UDP port. Local mode
 * runs two of these; remote mode runs one and talks to the peer's.
 */
import { readPeerDrops, readPortDrops } from '../udp/kernel.js';
import { reusePortSupport } from '../udp/socket.js';
import { DIR_AB, DIR_BA } from '../udp/wire.js';
import { ECHO_SLOT_BYTES } from '../udp/echo.js';
import type { CpuTime, EndpointResult, RunConfig, RxQueuePeak, ThreadMode } from '../result/types.js';
import { RxQueueSampler, datagramsFromBytes } from '../udp/rxqueue.js';
import { largestDatagram, isScheduled } from '../udp/pattern.js';
import { patternSpecOf } from './patterns.js';
import { playoutOf, wireOf } from './media-quality.js';
import { maxPpsOf } from './report-bounds.js';
import { WINDOW_SLACK_DATAGRAMS } from '../udp/accounting.js';
import { truesizeFor } from './truesize.js';
import { WorkerHandle } from './threads.js';
import { mergeShardReceivers } from './shards.js';
import type { FromWorker, PeerPartial, ReceiverPartial, SenderPartial, WorkerInit, WorkerPartial } from './messages.js';
import type { DirectionKey } from '../result/types.js';

const SETUP_TIMEOUT_MS = 10_000;

/** Per-endpoint settings beyond the run config. */
/**
 * Who an endpoint is; what its socket shares, trusts and relays follows from it:
 *  - `local`: both endpoints in this process: one monotonic clock (one-way
 *    delay is exact), a port of its own, no control frames, no peer timeout.
 *    `strangerSocket`: a single-mode endpoint with one peer connects its
 *    socket to the peer and counts other sources on a second, unconnected
 *    socket on the same port (see `WorkerInit.strangerSocket`).
 *  - `remote-client` (`bench duplex --peer`): the control socket shares the
 *    port, control frames that land on a data socket are relayed to it, the
 *    peer's clock is another machine's, and the peer may fall silent.
 *  - `listener` (`bench listen`): as a remote client, and other sessions share
 *    the port: every receiving socket is connected to its one peer, and the
 *    drop counters are read from the sockets connected to that peer only.
 */
export type EndpointRole = { kind: 'local'; strangerSocket?: boolean } | { kind: 'remote-client'; peerTimeoutNs: number } | { kind: 'listener'; peerTimeoutNs: number };

export interface EndpointOptions {
  id: 'A' | 'B';
  threads: ThreadMode;
  /** Port to bind; 0 for a free one. */
  bindPort: number;
  session: number;
  role: EndpointRole;
  /** How many peers this endpoint serves from its one port (a `--clients N` server: N); default 1. */
  peers?: number;
  /**
   * `--clients N`, single threads: this many client endpoints in one worker
   * thread, each its own socket on its own free port (default 1). Read their
   * reports with {@link Endpoint.groupReports}.
   */
  group?: number;
  /**
   * `--server-receivers K`: a split-mode endpoint serving many peers binds K
   * receiver threads to its port as one SO_REUSEPORT group (default 1). The
   * caller has checked that this Node can (udp/socket.ts `reusePortSupport`).
   */
  receivers?: number;
  /** `--clients N`: this endpoint's first stream among the N of its pattern (see `WorkerInit.streams`). */
  streams?: { first: number; count: number };
  /**
   * Remote mode: receives every control frame a worker relays, from the
   * moment the worker exists. A frame relayed before a later subscription
   * (while the next worker still starts) would otherwise be lost: a client's
   * one-shot abort was.
   */
  onControl?: (bytes: Uint8Array, address: string, port: number, arrivalNs: number) => void;
}

/** One socket of a client group as bound. */
interface GroupMember {
  address: string;
  port: number;
  rcvbufEffective: number;
  sndbufEffective: number;
  dropBase: number | null;
  dropsAtEnd: number | null;
  rxQueue: RxQueuePeak | null;
}

/**
 * How often the receive queue is sampled, ms. Framed patterns and stalls
 * build and drain a queue within tens of ms, so they get the finer period;
 * a `cbr` run samples less often, to keep the controller's share of a core
 * small (one read of /proc/net/udp costs ~40 µs here).
 */
const RX_QUEUE_SAMPLE_MS = { fine: 2, coarse: 10 } as const;

/** One peer's halves at an endpoint that serves many (the `--clients N` server). */
export interface PeerReport {
  address: string;
  port: number;
  sender: SenderPartial | null;
  receiver: ReceiverPartial | null;
}

/** The endpoint's half of the figures, ready to merge or to send to the peer. */
export interface EndpointReport {
  endpoint: EndpointResult;
  sender: SenderPartial | null;
  receiver: ReceiverPartial | null;
  /** Drops of this endpoint's sockets during the measured phase; `null` without /proc. */
  kernelDrops: number | null;
  /** Foreign datagrams that reached the sender-only socket (split mode), and with many peers those from none of them. */
  extraForeign: number;
  /** With many peers, each peer's halves in the order they were given; absent for a one-peer endpoint. */
  peers?: PeerReport[];
  /** The drop counter of this endpoint's sockets after the drain; `null` without /proc. */
  dropsAtEnd: number | null;
  /** Every worker reported. */
  complete: boolean;
  /** The receiving socket's peak queue over the measured phase; `null` when not sampled (no /proc). */
  rxQueue: RxQueuePeak | null;
}

/** A running endpoint. Create with {@link startEndpoint}. */
export class Endpoint {
  address = '';
  port = 0;
  rcvbufEffective = 0;
  sndbufEffective = 0;
  readonly workers: WorkerHandle[] = [];
  private dropBase: number | null = null;
  private sampler: RxQueueSampler | null = null;
  private rxQueue: RxQueuePeak | null = null;
  /** Bytes of kernel memory one incoming datagram takes (measured at bind), or `null`. */
  private truesizeBytes: number | null = null;
  /** A client group's sockets, in order (the first is this endpoint's own address and port). */
  readonly members: GroupMember[] = [];
  private dropsAtEnd: number | null = null;
  private bindDrops: number | null = null;
  private readonly partials: WorkerPartial[] = [];
  /** The one peer of a `connectPeer` endpoint, whose sockets' drops are this endpoint's. */
  private dropPeer: { address: string; port: number } | null = null;
  private collecting: Promise<unknown>[] = [];
  /** SO_REUSEPORT receivers: the peers whose end marker some receiver has seen, and a wake-up for {@link endSeen}. */
  private readonly peersEnded = new Set<number>();
  private onPeerEnded: (() => void) | null = null;

  constructor(
    readonly cfg: RunConfig,
    readonly opts: EndpointOptions,
  ) {}

  get id(): 'A' | 'B' {
    return this.opts.id;
  }

  /** The worker that sends (the endpoint worker in single mode). */
  get sender(): WorkerHandle {
    return this.workers.find((w) => w.init.role !== 'receiver') as WorkerHandle;
  }

  /** The worker that receives (the endpoint worker in single mode). */
  get receiver(): WorkerHandle {
    return this.workers.find((w) => w.init.role !== 'sender') as WorkerHandle;
  }

  /** Whether this endpoint's socket connects to its one peer, with a stranger socket beside it. */
  private get strangerMode(): boolean {
    const role = this.opts.role;
    return role.kind === 'local' && role.strangerSocket === true && this.opts.threads !== 'split' && this.peerCount === 1 && (this.opts.group ?? 1) === 1;
  }

  /** Threads that receive on the port: K of an SO_REUSEPORT group, else 1 (the receiver, or single mode's one endpoint thread). */
  get receiverCount(): number {
    return this.opts.threads === 'split' && this.peerCount > 1 ? Math.max(1, this.opts.receivers ?? 1) : 1;
  }

  /** The drop counter of this endpoint's sockets once all were bound, before any traffic; `null` without /proc. */
  get dropsAtBind(): number | null {
    return this.bindDrops;
  }

  /** How many peers this endpoint serves. */
  get peerCount(): number {
    return this.opts.peers ?? 1;
  }

  private init(role: WorkerInit['role'], bindPort: number, echo: SharedArrayBuffer): WorkerInit {
    const reusePort = role === 'receiver' && this.receiverCount > 1;
    const ab = this.opts.id === 'A';
    return {
      role,
      endpointId: this.opts.id,
      family: this.cfg.family,
      bindAddress: this.cfg.host,
      bindPort,
      reuseAddr: this.opts.threads === 'split' || this.opts.role.kind !== 'local' || this.strangerMode,
      rcvbufBytes: this.cfg.rcvbufBytes,
      sndbufBytes: this.cfg.sndbufBytes,
      session: this.opts.session,
      sendDirection: ab ? DIR_AB : DIR_BA,
      receiveDirection: ab ? DIR_BA : DIR_AB,
      receiveWindow: receiveWindowOf(this.cfg, ab ? 'ba' : 'ab'),
      sizeBytes: this.cfg.sizeBytes,
      ratePps: ab ? this.cfg.rateAbPps : this.cfg.rateBaPps,
      pattern: patternSpecOf(ab ? this.cfg.patternAb : this.cfg.patternBa),
      ...wireOf(ab ? this.cfg.wireAb : this.cfg.wireBa),
      playout: playoutOf(this.cfg),
      stall: this.cfg.stall ?? null,
      ...(this.opts.streams === undefined ? {} : { streams: this.opts.streams }),
      batch: this.cfg.sendBatch,
      echoBuffer: echo,
      sharedClock: this.opts.role.kind === 'local',
      relayControl: this.opts.role.kind !== 'local',
      peerTimeoutNs: this.opts.role.kind === 'local' ? 0 : this.opts.role.peerTimeoutNs,
      ...(role === 'endpoint' && (this.opts.group ?? 1) > 1 ? { group: this.opts.group } : {}),
      connectPeer: this.opts.role.kind === 'listener',
      ...(this.strangerMode ? { strangerSocket: true } : {}),
      ...(reusePort ? { reusePort: true } : {}),
    };
  }

  /**
   * Spawns the workers and binds the port. Split mode with one peer binds the
   * receiver first (it is connected to the peer later, which makes it the
   * socket Linux delivers to); with many peers the receiver cannot connect,
   * so it binds last: of unconnected sockets sharing a port, the last bound
   * receives (../shared notes, node-dgram-facts). K receivers of an
   * SO_REUSEPORT group bind after the sender too: measured on Linux 6.18,
   * IPv4, the group then gets every datagram and the sender socket none;
   * bound before the sender, the sender got them all.
   */
  async bind(): Promise<void> {
    const echo = new SharedArrayBuffer(ECHO_SLOT_BYTES * Math.max(this.peerCount, this.opts.group ?? 1));
    if ((this.opts.group ?? 1) > 1 && this.opts.threads !== 'single') throw new RangeError('client groups run in single-thread mode only');
    const split = this.opts.threads === 'split';
    // Node 20 ignores dgram's reusePort: the K sockets would bind (SO_REUSEADDR) and only the last would receive.
    const support = this.receiverCount > 1 ? reusePortSupport() : null;
    if (support !== null && !support.ok) throw new RangeError(`${this.receiverCount} receivers on one port: ${support.reason}`);
    const receivers: WorkerInit['role'][] = Array.from({ length: this.receiverCount }, () => 'receiver');
    const order: WorkerInit['role'][] = !split ? ['endpoint'] : this.peerCount > 1 ? ['sender', ...receivers] : ['receiver', 'sender'];
    let port = this.opts.bindPort;
    for (const role of order) {
      const w = new WorkerHandle(this.init(role, port, echo));
      this.workers.push(w);
      if (this.receiverCount > 1 && role === 'receiver') {
        w.on((m) => {
          if (m.type === 'end-seen' && m.peer !== undefined) {
            this.peersEnded.add(m.peer);
            this.onPeerEnded?.();
          }
        });
      }
      const onControl = this.opts.onControl;
      if (onControl !== undefined) {
        w.on((m) => {
          if (m.type === 'control') onControl(m.bytes, m.address, m.port, m.arrivalNs);
        });
      }
      const b = await w.next('bound', SETUP_TIMEOUT_MS);
      if (port === this.opts.bindPort) {
        this.address = b.address;
        port = this.port = b.port;
      }
      if (role !== 'sender') this.rcvbufEffective = b.rcvbufEffective;
      if (role !== 'receiver') this.sndbufEffective = b.sndbufEffective;
      if (b.more !== undefined && b.more.length > 0) {
        for (const m of [{ address: b.address, port: b.port, rcvbufEffective: b.rcvbufEffective, sndbufEffective: b.sndbufEffective }, ...b.more]) {
          this.members.push({ ...m, dropBase: null, dropsAtEnd: null, rxQueue: null });
        }
      }
    }
    this.truesizeBytes = await truesizeFor(this.incomingDatagramBytes(), this.cfg.family);
    this.bindDrops = readPortDrops(this.port, this.cfg.family)?.drops ?? null;
  }

  /** The largest datagram this endpoint receives: the peer's pattern's, or `--size`. */
  private incomingDatagramBytes(): number {
    const p = this.opts.id === 'A' ? this.cfg.patternBa : this.cfg.patternAb;
    if (p === undefined || p.kind === 'cbr') return this.cfg.sizeBytes;
    if (p.kind === 'voice') return p.sizeBytes;
    if (p.kind === 'video') return p.maxDatagramBytes;
    // A trace's rows are only on the side that read the file (a listener receiving one has its config, not its rows).
    try {
      const spec = patternSpecOf(p);
      return isScheduled(spec) ? largestDatagram(spec) : this.cfg.sizeBytes;
    } catch {
      return this.cfg.sizeBytes;
    }
  }

  /** True when the run has bursts or stalls worth the fine sampling period. */
  private get bursty(): boolean {
    const framed = (p: RunConfig['patternAb']): boolean => p !== undefined && p.kind !== 'cbr';
    return framed(this.cfg.patternAb) || framed(this.cfg.patternBa) || (this.cfg.stall != null && this.cfg.stall.ms > 0);
  }

  /** Tells the workers the peer's address; resolves when all are ready. */
  async connect(address: string, port: number): Promise<void> {
    await this.connectPeers([{ address, port }]);
  }

  /** Tells the workers every peer's address (as many as `opts.peers`); resolves when all are ready. */
  async connectPeers(peers: { address: string; port: number }[]): Promise<void> {
    if (peers.length !== this.peerCount) throw new RangeError(`endpoint ${this.id} serves ${this.peerCount} peers, given ${peers.length}`);
    // Drops are the connected socket's only: a stranger socket's (or another session's) are not this direction's.
    if ((this.opts.role.kind === 'listener' || this.strangerMode) && peers.length === 1) this.dropPeer = peers[0] ?? null;
    const ready = this.workers.map((w) => w.next('ready', SETUP_TIMEOUT_MS));
    for (const w of this.workers) w.send({ type: 'peers', peers });
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
  start(startAtNs: number, warmupNs: number, durationNs: number, peerClockOffsetNs: number | null = null): void {
    for (const w of this.workers) w.send({ type: 'start', startAtNs, warmupNs, durationNs, ...(peerClockOffsetNs === null ? {} : { peerClockOffsetNs }) });
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
    if (this.receiverCount === 1) return this.receiver.next('end-seen', timeoutMs);
    // K receivers: each reports its own peers' ends; the endpoint has seen the end once every peer's is in.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.onPeerEnded = null;
        reject(new Error(`endpoint ${this.id}: ${this.peerCount - this.peersEnded.size} of ${this.peerCount} peers' end markers missing after ${timeoutMs} ms`));
      }, timeoutMs);
      this.onPeerEnded = () => {
        if (this.peersEnded.size < this.peerCount) return;
        clearTimeout(timer);
        this.onPeerEnded = null;
        resolve(this.peersEnded.size);
      };
      this.onPeerEnded();
    });
  }

  private readDrops(): number | null {
    // A listener's port is shared with other sessions: only the sockets connected to this session's peer are its own.
    if (this.dropPeer !== null) return readPeerDrops(this.port, this.dropPeer, this.cfg.family)?.drops ?? null;
    return readPortDrops(this.port, this.cfg.family)?.drops ?? null;
  }

  /** Re-reads the drop baseline (at the end of the warm-up). */
  markMeasureStart(): void {
    this.dropBase = this.readDrops();
    for (const m of this.members) m.dropBase = readPortDrops(m.port, this.cfg.family)?.drops ?? null;
    if (this.sampler === null) {
      const ports = this.members.length > 0 ? this.members.map((m) => m.port) : [this.port];
      this.sampler = new RxQueueSampler({ ports, family: this.cfg.family, intervalMs: this.bursty ? RX_QUEUE_SAMPLE_MS.fine : RX_QUEUE_SAMPLE_MS.coarse });
      this.sampler.start();
    }
  }

  /** Reads the drop counters and stops the queue sampling; call before {@link finish}, while the sockets are open. */
  markMeasureEnd(): void {
    this.dropsAtEnd = this.readDrops();
    for (const m of this.members) m.dropsAtEnd = readPortDrops(m.port, this.cfg.family)?.drops ?? null;
    if (this.sampler !== null) {
      const s = this.sampler.stop();
      this.sampler = null;
      const peak = (bytes: number | undefined, rcvbuf: number): RxQueuePeak | null =>
        bytes === undefined || s.peakBytes === null
          ? null
          : { bytes, datagrams: datagramsFromBytes(bytes, this.truesizeBytes), truesizeBytes: this.truesizeBytes, rcvbufEffectiveBytes: rcvbuf, sampleIntervalMs: s.intervalMs, samples: s.samples };
      this.rxQueue = peak(s.peakByPort[this.port], this.rcvbufEffective);
      for (const m of this.members) m.rxQueue = peak(s.peakByPort[m.port], m.rcvbufEffective);
    }
  }

  /**
   * A client group's reports, one per socket, as if each client were an
   * endpoint of its own (they share the thread: each carries the thread's
   * CPU time, marked as shared). Call after {@link finish}.
   */
  groupReports(): EndpointReport[] {
    const whole = this.report();
    const part = this.partials.find((p) => p.role === 'endpoint');
    return this.members.map((m, i) => {
      const peer = part?.peers?.[i] ?? null;
      const endpoint: EndpointResult = {
        ...whole.endpoint,
        address: m.address,
        port: m.port,
        rcvbuf: { requested: this.cfg.rcvbufBytes, effective: m.rcvbufEffective },
        sndbuf: { requested: this.cfg.sndbufBytes, effective: m.sndbufEffective },
        // Leaks are a split-mode matter (a sender-only socket); a group runs single sockets.
        leaked: 0,
        peerSources: peer?.receiver?.sources ?? [],
        cpu: whole.endpoint.cpu.map((c) => ({ ...c, thread: `endpoint (${this.members.length} clients)` })),
        warmupSent: peer?.sender?.warmupSent ?? 0,
        warmupReceived: peer?.receiver?.warmupReceived ?? 0,
      };
      return {
        endpoint,
        sender: peer?.sender ?? null,
        receiver: peer?.receiver ?? null,
        kernelDrops: m.dropBase === null || m.dropsAtEnd === null ? null : m.dropsAtEnd - m.dropBase,
        extraForeign: 0,
        dropsAtEnd: m.dropsAtEnd,
        complete: whole.complete && peer !== null,
        rxQueue: m.rxQueue,
      };
    });
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
    this.sampler?.stop();
    this.sampler = null;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** K receivers of an SO_REUSEPORT group: each peer's receiving half merged over them (shards.ts); `null` when none reported. */
  private shardPeers(): PeerPartial[] | null {
    const parts = this.partials.filter((p) => p.role === 'receiver' && p.peers !== null);
    const first = parts[0]?.peers;
    if (first == null) return null;
    return first.map((peer, i) => ({ ...peer, sender: null, receiver: mergeShardReceivers(parts.map((p) => p.peers?.[i]?.receiver ?? null)).receiver }));
  }

  private report(): EndpointReport {
    const senderPart = this.partials.find((p) => p.sender !== null);
    const receiverPart = this.partials.find((p) => p.receiver !== null);
    const senderOnly = this.partials.find((p) => p.role === 'sender');
    let receiverNo = 0;
    const cpu: CpuTime[] = this.partials.map((p) => {
      const handled = p.datagrams.sent + p.datagrams.received;
      // K receivers of one port are told apart by number (in the order they reported: they are alike).
      const thread = p.role === 'receiver' && this.receiverCount > 1 ? `receiver ${++receiverNo}/${this.receiverCount}` : p.role;
      return {
        thread,
        userUs: p.cpu.userUs,
        systemUs: p.cpu.systemUs,
        eventLoopUtilization: p.cpu.eventLoopUtilization,
        sentDatagrams: p.datagrams.sent,
        receivedDatagrams: p.datagrams.received,
        usPerDatagram: handled > 0 ? (p.cpu.userUs + p.cpu.systemUs) / handled : null,
      };
    });
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
      // With many peers the halves are per peer: the endpoint's warm-up is their sum.
      warmupSent: senderPart?.sender?.warmupSent ?? sumOver(this.partials, (p) => p.sender?.warmupSent ?? 0),
      warmupReceived: receiverPart?.receiver?.warmupReceived ?? sumOver(this.partials, (p) => p.receiver?.warmupReceived ?? 0),
    };
    const kernelDrops = this.dropBase === null || this.dropsAtEnd === null ? null : this.dropsAtEnd - this.dropBase;
    const txPeers = this.partials.find((p) => p.role !== 'receiver')?.peers ?? null;
    const rxPeers = this.receiverCount > 1 ? this.shardPeers() : (this.partials.find((p) => p.role !== 'sender')?.peers ?? null);
    const peers: PeerReport[] | null =
      this.peerCount > 1 && (txPeers !== null || rxPeers !== null)
        ? ((txPeers ?? rxPeers) as NonNullable<typeof txPeers>).map((p, i) => ({
            address: p.address,
            port: p.port,
            sender: txPeers?.[i]?.sender ?? null,
            receiver: rxPeers?.[i]?.receiver ?? null,
          }))
        : null;
    const strangers = this.partials.reduce((n, p) => n + p.strangers, 0);
    return {
      endpoint,
      sender: senderPart?.sender ?? null,
      receiver: receiverPart?.receiver ?? null,
      kernelDrops,
      extraForeign: (senderOnly?.foreignAtSender ?? 0) + strangers,
      ...(peers === null ? {} : { peers }),
      dropsAtEnd: this.dropsAtEnd,
      complete: this.partials.length === this.workers.length,
      rxQueue: this.rxQueue,
    };
  }
}

/**
 * What the peer's sender could reach in direction `dir` (the receiver's
 * sequence window, udp/accounting.ts `SequenceWindow`): twice its rate and a
 * margin, or the physical bound for "max"; a trace may front-load a whole
 * loop, so its rows join the slack.
 */
export function receiveWindowOf(cfg: RunConfig, dir: DirectionKey): { maxPps: number; slackDatagrams: number } {
  const pattern = dir === 'ab' ? cfg.patternAb : cfg.patternBa;
  const rows = pattern?.kind === 'trace' && pattern.rows > 0 ? Math.min(pattern.rows, 2 ** 24) : 0;
  return { maxPps: maxPpsOf(cfg, dir), slackDatagrams: WINDOW_SLACK_DATAGRAMS + rows };
}

/** Sums a figure over every peer's halves of every worker (many-peer endpoints; 0 for one-peer ones). */
function sumOver(partials: readonly WorkerPartial[], f: (p: { sender: SenderPartial | null; receiver: ReceiverPartial | null }) => number): number {
  return partials.reduce((n, w) => n + (w.peers ?? []).reduce((m, p) => m + f(p), 0), 0);
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
