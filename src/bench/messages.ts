/**
 * Every message between the controller (main thread) and the data-plane
 * worker threads: one discriminated union each way, in this one file.
 */
import type { Percentiles, ForeignCounts } from '../udp/receiver.js';
import type { SenderCounters } from '../udp/sender.js';
import type { ThreadCpu } from '../udp/cpu.js';
import type { EndCounts } from '../udp/wire.js';
import type { PatternSpec } from '../udp/pattern.js';
import type { RtpReceive, WireFormat } from '../udp/rtp.js';
import type { LateCounts } from '../udp/late.js';
import type { RtcpIn } from '../udp/rtcp-agent.js';
import type { LossShape } from '../udp/loss-shape.js';

/** What a worker does: `endpoint` = one socket sending and receiving (single mode). */
export type WorkerRole = 'endpoint' | 'sender' | 'receiver';

/** Passed as `workerData`. Everything is already validated. */
export interface WorkerInit {
  role: WorkerRole;
  endpointId: 'A' | 'B';
  family: 4 | 6;
  bindAddress: string;
  /** 0 for a free port (the first socket of an endpoint), else the endpoint's port. */
  bindPort: number;
  reuseAddr: boolean;
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
  session: number;
  /** Wire direction id this worker sends (sender/endpoint) and receives (receiver/endpoint). */
  sendDirection: number;
  receiveDirection: number;
  /**
   * What the peer's sender could reach in the direction this worker
   * receives: most datagrams per second and the datagram slack (udp/receiver.ts
   * `ReceiverOptions.window`); sequence numbers beyond are foreign.
   */
  receiveWindow: { maxPps: number; slackDatagrams: number };
  sizeBytes: number;
  ratePps: number | null;
  /** What this worker's sending side sends (default `cbr` at `ratePps`, `sizeBytes` each). */
  pattern?: PatternSpec;
  /** How this worker's sending side frames its data datagrams (default `udx`; receivers read both). */
  wire?: WireFormat;
  /** The jitter-buffer figures the receiving side reports (late.ts): playout delays and the late share to size for. */
  playout: { playoutMs: number[]; maxLatePercent: number };
  /**
   * `--clients N`: the position of this worker's first peer among all the
   * streams of its pattern, and their number, so that each stream is shifted
   * (udp/pattern.ts `nthStream`); absent: one stream.
   */
  streams?: { first: number; count: number };
  /** `--stall`: the receiving side stops reading for `ms` every `everySeconds` of the measured phase; `null` never. */
  stall?: { ms: number; everySeconds: number } | null;
  batch: number;
  /** Shared echo slots (RTT), one per peer, written by the receiving side, read by the sending side. */
  echoBuffer: SharedArrayBuffer;
  sharedClock: boolean;
  /** Remote mode: relay control frames to the controller, and watch for a silent peer. */
  relayControl: boolean;
  /** Remote mode: report `peer-silent` after this long without a datagram from the peer (0 = never). */
  peerTimeoutNs: number;
  /**
   * `--clients N`: this one thread runs this many client endpoints, each its
   * own socket on its own free port, all talking to the one server (default 1).
   */
  group?: number;
  /**
   * The listener, whose port other sessions share: the single-mode socket is
   * connected to its one peer too (as a split receiver always is), so that
   * Linux delivers to it that peer's datagrams and no one else's; a split
   * sender socket, which stays unconnected, ignores other sources (they are
   * other sessions' late datagrams, not this one's).
   */
  connectPeer: boolean;
  /**
   * A local one-peer endpoint in single mode: its socket is connected to the
   * peer (a connected send skips the per-send address handling: about 10 %
   * more datagrams per second measured on a 2-core VM) and a second,
   * unconnected socket bound to the same port with SO_REUSEADDR receives
   * whatever other sources send — Linux delivers the peer's datagrams to the
   * connected socket and everyone else's to the unconnected one — so foreign
   * datagrams are still counted.
   */
  strangerSocket?: boolean;
  /**
   * `--server-receivers K` (K > 1): this receiver is one of K bound to the
   * server's port as an SO_REUSEPORT group. It accounts for every peer it
   * is given, hears only those the kernel hashes to it, and reports each
   * peer's end marker on its own (`end-seen` with `peer`): which peers are
   * its own is known only once they have sent.
   */
  reusePort?: boolean;
}

/** Controller → worker. */
export type ToWorker =
  /**
   * The peers' addresses (one for a two-endpoint run; many for a server with
   * `--clients N`): a split receiver of one peer connects to it; senders send
   * to each; with many, a demultiplexer routes datagrams by source.
   */
  | { type: 'peers'; peers: { address: string; port: number }[] }
  /** Start at a monotonic time (ns), warm up, then measure. */
  | {
      type: 'start';
      startAtNs: number;
      warmupNs: number;
      durationNs: number;
      /** Remote mode: the peer's clock − ours (ns) as estimated before the start; receivers then record one-way delay. */
      peerClockOffsetNs?: number;
    }
  /** Stop sending now (interrupt or peer lost), then flush and send end markers. */
  | { type: 'stop' }
  /** Stop receiving, report the partial result and close. */
  | { type: 'finish' };

/** Cumulative counters at the end of one second of the measured phase. */
export interface IntervalTick {
  type: 'interval';
  role: WorkerRole;
  endpointId: 'A' | 'B';
  /** 1-based second index since the measured phase began (negative or 0 during warm-up). */
  index: number;
  warmup: boolean;
  /** Cumulative sent (sending roles); `null` for a worker without a sender. */
  sent: number | null;
  /** Cumulative unique received and highest-sequence+1 (receiving roles); `null` for a worker without a receiver. */
  received: number | null;
  expected: number | null;
}

/** The receiving side's partial result of one direction. */
export interface ReceiverPartial {
  received: number;
  duplicates: number;
  reordered: number;
  late: number;
  expected: number;
  foreign: number;
  foreignBy: ForeignCounts;
  warmupReceived: number;
  jitterNs: number;
  delay: Percentiles | null;
  rtt: Percentiles | null;
  endMarkerSeen: boolean;
  /** The first end marker's counts (sequence numbers used, sent, burned), or `null` without one. */
  end: EndCounts | null;
  /** End-marker copies received (the sender sends END_MARKER_COPIES). */
  endMarkers: number;
  sources: string[];
  /** Cumulative received and expected at the end of each measured second. */
  intervalReceived: number[];
  intervalExpected: number[];
  /** Payload bytes of the unique measured datagrams. */
  receivedBytes: number;
  /** Tests only (`BENCH_TEST_SHARED_CLOCK=1`): one-way delay as if both clocks were one. */
  delaySharedClock?: Percentiles | null;
  /** One-way delay per measured second (recorded against the clock offset given, or a shared clock): mean and largest, µs; `null` for a second without a sample. */
  intervalDelayMeanUs: (number | null)[];
  intervalDelayMaxUs: (number | null)[];
  /** Framed patterns: what the receiver saw of frames; `null` when no framed datagram arrived. */
  frames: ReceiverFrames | null;
  /** `--stall`: the stalls this receiving thread took; `null` without. */
  stalls: { count: number; maxMs: number; totalMs: number } | null;
  /** `--wire rtp`: the measured RTP stream as a standard RTP receiver sees it; absent without RTP packets. */
  rtp?: RtpReceive;
  /** RTCP packets that arrived (RFC 5761); absent when none. */
  rtcpPackets?: number;
  /** What the peer's RTCP reports said about the stream this endpoint sends (rtcp-agent.ts); absent without RTCP. */
  rtcpIn?: RtcpIn;
  /** Late arrivals for a fixed-delay jitter buffer; absent without one-way delay. */
  lateCounts?: LateCounts;
  /** RFC 3611 burst/gap loss shape and the G.113 burst ratio over the measured sequence; absent in reports of older peers. */
  lossShape?: LossShape;
}

/** The receiving side's frame figures (frames.ts). */
export interface ReceiverFrames {
  complete: number;
  partial: number;
  /** Highest frame number seen + 1. */
  highest: number;
  /** Datagrams of frames already counted or forgotten. */
  lateDatagrams: number;
  /** Framed datagrams with an inconsistent frame extension. */
  badFrames: number;
  /** The end marker's frame count, or `null` without a (framed) end marker. */
  endFrames: number | null;
  /** Frame delay (one clock only), else `null`. */
  delay: Percentiles | null;
  /** Largest frame delay completed in each measured second, µs (0: none). */
  intervalFrameDelayMaxUs: number[];
}

/** The sending side's partial result of one direction. */
export interface SenderPartial extends SenderCounters {
  /** Cumulative sent at the end of each measured second. */
  intervalSent: number[];
  /**
   * Local mode: the receiving socket's drop counter read by this sender at
   * the instant its measured phase began, before its first measured send.
   * On loopback a datagram is delivered or dropped inside `sendmsg`, so every
   * earlier (warm-up) drop is in it and no measured one: an exact baseline.
   * `null` in remote mode (the peer's counters are on another machine).
   */
  peerDropsAtStart: number | null;
}

/** One peer's halves in a worker that serves many peers. */
export interface PeerPartial {
  address: string;
  port: number;
  sender: SenderPartial | null;
  receiver: ReceiverPartial | null;
}

/** A worker's partial result: whichever halves its role has. */
export interface WorkerPartial {
  role: WorkerRole;
  endpointId: 'A' | 'B';
  /** The one peer's halves (a two-endpoint run); `null` with many peers. */
  sender: SenderPartial | null;
  receiver: ReceiverPartial | null;
  /** With many peers, each peer's halves (in the order given); else `null`. */
  peers: PeerPartial[] | null;
  /** Many peers: datagrams from a source that is none of them (the demultiplexer's count). */
  strangers: number;
  /** Datagrams of this session that reached a sender-only socket (must be 0). */
  leaked: number;
  /** Anything else that reached a sender-only socket. */
  foreignAtSender: number;
  cpu: ThreadCpu;
  /** Data datagrams this worker sent (kernel-accepted) and received while `cpu` was measured, warm-up included: what the CPU time paid for. */
  datagrams: { sent: number; received: number };
}

/** Worker → controller. */
export type FromWorker =
  /** The (first) socket is bound; `more`: a client group's other sockets. */
  | { type: 'bound'; address: string; port: number; rcvbufEffective: number; sndbufEffective: number; more?: { address: string; port: number; rcvbufEffective: number; sndbufEffective: number }[] }
  | { type: 'ready' }
  | IntervalTick
  | { type: 'send-done'; sent: number }
  /** The end marker(s) of every peer; a receiver of an SO_REUSEPORT group reports each peer's (`peer`: its index) instead. */
  | { type: 'end-seen'; end: EndCounts; peer?: number }
  | { type: 'partial'; partial: WorkerPartial }
  /** A control frame that landed on a data socket (remote mode). */
  /** `arrivalNs`: when the worker read it (the process-wide monotonic clock), before the relay's own delay. */
  | { type: 'control'; bytes: Uint8Array; address: string; port: number; arrivalNs: number }
  /** Nothing heard from the peer for the peer timeout. */
  | { type: 'peer-silent'; silentMs: number }
  | { type: 'error'; code: string; message: string; option: string | null };
