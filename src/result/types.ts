/**
 * The result schema: plain, schema-versioned JSON data. Producers (`src/bench`)
 * build these objects; printers (`src/report`) consume them. Nothing here has
 * behaviour beyond type guards, so the printers depend on this file only.
 *
 * Units are in the field names (`Pps`, `Ms`, `Us`, `Bytes`, `bitsPerSecond`).
 */
import type { IncompleteReason } from './incomplete.js';
export type { IncompleteReason } from './incomplete.js';

/**
 * Bumped on any incompatible change; readers refuse newer versions.
 * 2: directions carry `offeredPps`, `undersent` and `check`; unobserved figures are `null`.
 */
export const SCHEMA_VERSION = 2;

/** Which thread layout an endpoint ran with. */
export type ThreadMode = 'single' | 'split';

/** A requested and an effective (kernel-reported) socket buffer size, bytes. */
export interface BufferSize {
  /** What the user asked for; `null` when the OS default was kept. */
  requested: number | null;
  /** What `getsockopt` reported after setting (Linux doubles and clamps). */
  effective: number;
}

/** User and system CPU time spent by one thread or process, microseconds. */
export interface CpuTime {
  /** Which thread: `main`, `sender`, `receiver`, or `endpoint` (single mode). */
  thread: string;
  userUs: number;
  systemUs: number;
  /** Share of wall time the thread's event loop was busy (0..1), from `eventLoopUtilization`. */
  eventLoopUtilization: number | null;
  /**
   * Data datagrams this thread sent (kernel-accepted) and received while its
   * CPU time was measured (from the start message to the end: warm-up
   * included), and the CPU µs (user + system) per datagram it handled. Absent
   * in results before them; `usPerDatagram` `null` when it handled none.
   */
  sentDatagrams?: number;
  receivedDatagrams?: number;
  usPerDatagram?: number | null;
}

/**
 * CPU cost of the run (issue 24): every endpoint thread's user + system CPU
 * over the datagrams carried (each sent once and received once, or lost), so
 * a figure that is steadier than a maximum rate on a shared machine.
 */
export interface CpuCost {
  /** CPU µs per datagram carried, all threads of both endpoints; `null` when not every endpoint's threads reported. */
  usPerDatagramCarried: number | null;
  /** Datagrams sent by all endpoints in the CPU window (warm-up included). */
  datagrams: number;
  /** CPU µs of all endpoint threads. */
  cpuUs: number;
  /** Projection, not a measurement: cores a host would need to carry 100,000 datagrams/s each way at this cost (send and receive both on it). */
  coresFor100kEachWay: number | null;
}

/** One endpoint: exactly one UDP port, used for sending and receiving. */
export interface EndpointResult {
  id: 'A' | 'B';
  address: string;
  port: number;
  threads: ThreadMode;
  rcvbuf: BufferSize;
  sndbuf: BufferSize;
  /** Datagrams of this session that arrived at the (unconnected) sender socket in split mode. Must stay 0. */
  leaked: number;
  /** Distinct source `address:port` pairs of valid datagrams received (bounded list). */
  peerSources: string[];
  /**
   * Remote mode, client side: the address and port the listener saw this
   * endpoint's datagrams come from, when it differs from `address:port`
   * (NAT), as STUN would report it. Absent otherwise.
   */
  observedAs?: string;
  /** CPU time per thread of this endpoint (`process.cpuUsage` deltas, see README). */
  cpu: CpuTime[];
  /** Datagrams sent during the `--omit` warm-up (not part of the figures). */
  warmupSent: number;
  /** Datagrams received during the `--omit` warm-up (not part of the figures). */
  warmupReceived: number;
}

/** Delay percentiles in microseconds; `null` with a reason when not measured. */
export interface LatencyUs {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Why these are null or what they mean (e.g. "one-way, shared clock"). */
  note: string;
  /**
   * One-way delay only: `shared-clock` (both endpoints on one machine) or
   * `estimated-offset` (two machines: the peer's clock estimated by probes,
   * NTP-style; see `offsetUs`, `driftPpm`, `boundUs`). Absent for round trips
   * and in results before it was recorded.
   */
  method?: 'shared-clock' | 'estimated-offset';
  /** `estimated-offset`: listener clock − client clock at the start, µs. */
  offsetUs?: number;
  /** `estimated-offset`: drift of the listener's clock against the client's, ppm (0 when the second probe burst was lost). */
  driftPpm?: number;
  /** `estimated-offset`: error bound of every figure here, µs: half the best probe round trip, plus the drift's spread over the run. */
  boundUs?: number;
}

/**
 * Delay under load: one-way delay above its base, µs. The base is the idle
 * one-way delay — half the best clock-probe round trip before the run — or,
 * when smaller, the run's smallest one-way delay (RFC 6817 §2.4.2's base
 * delay: the datagram that met no queue). Probes on idle threads include
 * wake-up latency a busy data path has not; a queue that never drains during
 * the run lifts the run's smallest: the smaller of the two is the better
 * floor. Either is within `latencyUs.boundUs`.
 */
export interface QueueingDelayUs {
  p50: number | null;
  p99: number | null;
  /** The base subtracted, µs: the smaller of `idleProbeUs` and the run's smallest one-way delay. */
  baseUs: number;
  /** Half the best clock-probe round trip before the run (the idle one-way delay, symmetric paths assumed), µs. */
  idleProbeUs: number;
}

/** Per-second sample of one direction (measured phase only). */
export interface IntervalSample {
  /** Seconds since the measured phase began, at the end of this interval. */
  t: number;
  /** Datagrams accepted by the sender's kernel in this interval; `null` when the sender's figures are missing. */
  sent: number | null;
  /** Unique datagrams received in this interval; `null` when the receiver's figures are missing. */
  received: number | null;
  /**
   * Sequence gaps seen by the receiver in this interval (RFC 3550 §6.4.1:
   * expected − received, floored at 0). The last interval uses the end
   * marker's sequence count, so the sum is the receiver's own estimate and
   * need not equal `lost` (datagrams still queued at a boundary count later).
   */
  lost: number | null;
  /** Framed patterns: the largest delay of a frame completed in this interval, µs (`null`: none completed, or no shared clock). */
  frameDelayMaxUs?: number | null;
  /** One-way delay in this interval, mean and largest, µs (shared clock, or the estimated offset across machines); `null`: not measured. */
  delayMeanUs?: number | null;
  delayMaxUs?: number | null;
}

/** Where a direction's loss happened. `kernel + network = lost`. */
export interface LossAttribution {
  /** Datagrams the sender tried to send but its kernel refused (not in `sent`, not in `lost`). */
  sender: number;
  /** Lost datagrams accounted for by the receiving socket's drop counter. */
  kernel: number;
  /** The rest of `lost`: dropped between the sockets (qdisc, wire, firewall). */
  network: number;
}

/**
 * Two independent derivations of a direction's loss (schema 2).
 *
 * `lost` is the sender's kernel-accepted count minus the receiver's unique
 * count. `lostBySequence` uses the wire alone: the end marker carries the
 * number of sequence numbers the measured phase used and how many of them
 * were burned on send errors, so the receiver knows how many it should have
 * seen. `kernelDrops` is the receiving socket's own drop counter. They agree
 * only if the sender's callbacks, the sequence numbers on the wire and the
 * kernel's counters all tell the same story.
 */
export interface LossCheck {
  /** End marker's sequence count − its send-error count − unique received; `null` (with a note) without an end marker. */
  lostBySequence: number | null;
  /** The receiving socket's drops during the measured phase (as `kernelDrops` of the direction); `null` when unknown. */
  kernelDrops: number | null;
  /** True when every available derivation equals `lost` (kernel drops compared only where they are exact for this path). */
  agree: boolean;
  /** Why a derivation is missing, not compared, or disagrees; `null` when all agree. */
  note: string | null;
}

/** Why a figure is `null`: which side observed the direction. */
export type ObservedBy = 'both' | 'sender' | 'receiver';

/** One direction of traffic, e.g. A→B, seen from its sender and its receiver. */
export interface DirectionResult {
  from: 'A' | 'B';
  to: 'A' | 'B';
  /** Datagrams the sender's kernel accepted during the measured phase; `null` when nobody observed it. */
  sent: number | null;
  /** Unique datagrams received; `null` when the receiver's figures are missing. */
  received: number | null;
  /** `sent − received` (so that identity holds by construction: see `check` for the independent derivations). */
  lost: number | null;
  duplicates: number | null;
  /** RFC 4737 reordered: arrived with a sequence number lower than the highest already seen. */
  reordered: number | null;
  /** Datagrams that arrived too late to be told from duplicates (outside the window); counted in `lost`. */
  late: number | null;
  /** Datagrams at the receiving endpoint that were not this direction's valid traffic. */
  foreign: number | null;
  /**
   * Of `foreign`: datagrams of this session and direction whose sequence
   * number the sender could not have reached (beyond its rate since the
   * measured phase could have started, at or above the end marker's count, or
   * not below 2^53), and end markers whose counts it could not have sent;
   * none of them touched the other figures (docs/protocol.md, "Sequence
   * numbers the receiver trusts"). Absent when there were none, and in
   * results before it.
   */
  foreignOutOfWindow?: number;
  lossPercent: number | null;
  /** Send errors by code (EAGAIN, ENOBUFS, ECONNREFUSED, …); measured and warm-up phases together. */
  sendErrors: Record<string, number>;
  /** Receiving socket's `drops` (from /proc/net/udp) during the run; `null` when unavailable. */
  kernelDrops: number | null;
  /** `null` when `lost` is unknown. */
  lossAttribution: LossAttribution | null;
  /** Measured-phase duration used for the rates, seconds (the sender's); `null` when the sender's figures did not arrive. */
  durationSeconds: number | null;
  /** The rate asked for, datagrams/s; `null` for `max` (unpaced). */
  offeredPps: number | null;
  /** True when the sender emitted less than 95 % of `offeredPps` over the measured time: the sender, not the path, was the limit; `null` when nobody observed the sender. */
  undersent: boolean | null;
  sentPps: number | null;
  receivedPps: number | null;
  /** UDP payload bits per second delivered to the receiver (received × size × 8 / duration). */
  bitsPerSecond: number | null;
  /** RFC 3550 §6.4.1 interarrival jitter, milliseconds. */
  jitterMs: number | null;
  latencyUs: LatencyUs;
  /** Round-trip time from echoed timestamps (remote mode); `null` when not measured. */
  rttUs?: LatencyUs;
  intervals: IntervalSample[];
  /** Whether the receiver saw the sender's end marker (drain signal); `null` when the receiver's figures did not arrive. */
  endMarkerSeen: boolean | null;
  /** Independent derivations of `lost`. */
  check: LossCheck;
  /**
   * Which side's figures this direction has. Absent or `both` normally; in a
   * partial remote result whose peer vanished, `sender` (receive figures are
   * `null`) or `receiver` (`sent` is the end marker's count, or `null`).
   */
  observedBy?: ObservedBy;
  /** Framed patterns (voice, video, trace): frame-level figures; `null` for `cbr`. Absent in results before patterns. */
  frames?: FrameResult | null;
  /** `--wire rtp`: the measured RTP stream as a standard RTP receiver (and Wireshark) computes it; absent otherwise. */
  rtp?: RtpResult | null;
  /** RFC 3611 burst/gap loss shape and the G.113 burst ratio; absent in results before it or when the receiver's figures are missing. */
  lossShape?: LossShapeResult | null;
  /** What fixed-delay jitter buffers would discard as too late; absent without one-way delay. */
  playout?: PlayoutResult | null;
  /** Voice directions: the ITU-T G.107 E-model's planning estimate of call quality; absent otherwise. */
  voice?: VoiceQualityResult | null;
  /** Lateness of the sender's sends against their schedule; `null` when unpaced or unobserved. */
  pacingErrorUs?: PacingErrorUs | null;
  /** The receiving socket's largest queue seen during the run (sampled /proc/net/udp rx_queue); `null` when not sampled. */
  rxQueuePeak?: RxQueuePeak | null;
  /** The receiver's deliberate stalls (`--stall`) as they happened; `null` without `--stall`. */
  stalls?: StallResult | null;
  /** Across machines with an estimated clock: delay under load (`latencyUs` − the idle delay); `null` when not estimated. */
  queueingDelayUs?: QueueingDelayUs | null;
  /**
   * Tests only, with `BENCH_TEST_SHARED_CLOCK=1` on both sides of a remote run
   * whose processes share one machine's clock (network namespaces): the
   * one-way delay as that shared clock measures it, to check the estimate against.
   */
  sharedClockCheckUs?: { p50: number; p99: number };
}

/** How a direction's data datagrams are framed on the wire: our own header, or RTP (RFC 3550) around it. */
export type WireFormat = 'udx' | 'rtp';

/** Voice codecs the E-model knows from ITU-T G.113 Appendix I: G.711 with and without packet-loss concealment, G.729A. */
export type VoiceCodec = 'g711' | 'g711-noplc' | 'g729a';

/**
 * One direction's RTP stream (measured phase) as a standard RTP receiver
 * computes it (RFC 3550 A.1, A.3, A.8): figures that tshark's RTP stream
 * analysis reproduces from a capture.
 */
export interface RtpResult {
  /** SSRC of the measured stream (the warm-up is another stream). */
  ssrc: number;
  payloadType: number;
  /** RFC 3551 encoding name of the payload type (the payload itself is our measurement header and padding). */
  encoding: string;
  /** RTP timestamp units per second. */
  clockRate: number;
  /** RTP packets of the stream received, duplicates included. */
  packets: number;
  /** RFC 3550 A.3: highest extended sequence number − the first one received + 1. */
  expected: number;
  /** RFC 3550 A.3 cumulative lost: `expected − packets` (loss before the first or after the last packet received is not in it, unlike `lost`). */
  cumulativeLost: number;
  /** Packets whose RTP sequence number was not the previous one + 1 (modulo 2^16). */
  seqErrors: number;
  /** RFC 3550 A.8 interarrival jitter over media timestamps, ms: its last value, its mean and its largest over the packets. */
  jitterMs: number;
  jitterMeanMs: number;
  jitterMaxMs: number;
  /** RTCP packets that reached the receiving port (RFC 5761 multiplexing). */
  rtcpPackets: number;
  /**
   * What the receiver's last RTCP receiver report (RFC 3550 §6.4.2), sent
   * about once a second, said of this stream, as the sender received it: a
   * third view of its loss and jitter. `null` when none arrived.
   */
  receiverReport: RtcpReportView | null;
}

/** One RTCP report block as its sender read it. */
export interface RtcpReportView {
  /** Receiver reports that arrived at the sender. */
  reports: number;
  /** Fraction lost in the last report interval, %. */
  fractionLostPercent: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  jitterMs: number;
}

/**
 * RFC 3611 §4.7.2 burst/gap figures (a burst: a run between losses with
 * fewer than `gmin` datagrams received in a row) and the ITU-T G.113 burst
 * ratio (1 for random loss, above 1 for bursty loss).
 */
export interface LossShapeResult {
  gmin: number;
  /** Share of the datagrams within bursts that were lost, 0–1; `null` when none was seen. */
  burstDensity: number | null;
  /** Share of the datagrams within gaps that were lost, 0–1. */
  gapDensity: number | null;
  /** Mean length of a burst and of a gap, ms (datagrams × the mean interval); `null` with none. */
  meanBurstMs: number | null;
  meanGapMs: number | null;
  bursts: number;
  /** `null` when it cannot be told (no transition between received and lost). */
  burstR: number | null;
  /** Datagrams reordered: each was counted as lost when it was passed over, so the shape holds them as losses. */
  reordered: number;
}

/** One playout delay of a fixed-delay jitter buffer. */
export interface PlayoutRow {
  /** Playout delay above the smallest one-way delay, ms. */
  playoutMs: number;
  /** Datagrams that arrived later than that (of those with a one-way delay). */
  lateDatagrams: number;
  /** `lateDatagrams` as a share of the datagrams received, %. */
  latePercent: number;
  /** Frames completed later than that, % of complete frames; `null` for unframed traffic. */
  lateFramesPercent: number | null;
  /** Lost and late together, % of the datagrams sent: what the listener misses; `null` when the loss is unknown. */
  lossAndLatePercent: number | null;
  /** Voice directions: the E-model at this playout delay; otherwise `null`. */
  r: number | null;
  mos: number | null;
}

/** Late discard against playout delay, and the delay a buffer needs. */
export interface PlayoutResult {
  /** The smallest one-way delay, ms: every playout delay counts from it. */
  baseDelayMs: number;
  /** The late share the answer is sized for, %. */
  maxLatePercent: number;
  /** Datagrams with a one-way delay (the shares' denominator). */
  datagrams: number;
  /** The smallest playout delay that keeps late datagrams at or below `maxLatePercent`, ms. */
  neededMs: number;
  /** Datagrams later than that. */
  neededLateDatagrams: number;
  rows: PlayoutRow[];
}

/** ITU-T G.107 E-model for a voice direction: a planning estimate, not a listening test. */
export interface VoiceQualityResult {
  codec: VoiceCodec;
  /** G.113 Appendix I equipment impairment and packet-loss robustness of the codec. */
  ie: number;
  bpl: number;
  /** The playout delay the estimate assumes, ms: of those reported and the needed one, the one with the highest R. */
  playoutMs: number;
  /** The one-way network delay the estimate uses, ms, and where it came from. */
  networkDelayMs: number;
  delaySource: 'one-way' | 'half-rtt';
  /** Network delay + playout delay + packetisation and codec look-ahead, ms. */
  mouthToEarMs: number;
  /** Loss and late discard at that playout delay, %. */
  effectiveLossPercent: number;
  /** The burst ratio used (1 when it could not be told). */
  burstR: number;
  r: number;
  mos: number;
}

/**
 * Frames of a framed pattern, one direction. A frame is lost when any of its
 * datagrams is; its delay runs from its first datagram's send to its last
 * datagram's arrival (what a decoder waits for).
 */
export interface FrameResult {
  /** Frames the sender began in the measured phase (each goes out whole); `null` when the sender's figures are missing. */
  sent: number | null;
  /** Frames of which every datagram arrived; `null` when the receiver's figures are missing. */
  complete: number | null;
  /** `sent − complete`: frames with at least one datagram missing. */
  incomplete: number | null;
  /** Frames of which some datagrams arrived but not all (the receiver's own count; the rest of `incomplete` vanished whole). */
  partial: number | null;
  /** Frames the end marker says the measured phase used: an independent count of `sent`; `null` without an end marker. */
  sentByEndMarker: number | null;
  /** `incomplete / sent × 100`. */
  lossPercent: number | null;
  /** Frame delay percentiles, µs (one clock needed: `null` with a note across machines). */
  delayUs: LatencyUs;
  /** Datagrams per frame (median, largest) and the largest frame in bytes, to set beside the receive buffer. */
  burst: { datagramsP50: number; datagramsMax: number; bytesMax: number } | null;
}

/** How late the sender's sends were against their schedule, µs. */
export interface PacingErrorUs {
  p50: number;
  p99: number;
  max: number;
  /** `datagram`: every send of a framed pattern against its due time; `turn`: `cbr`, the first send of each pacing turn against its ideal time. */
  per: 'datagram' | 'turn';
}

/**
 * The receiving socket's peak queue. Linux charges a queued datagram's
 * kernel memory (skb truesize) against SO_RCVBUF, and `bytes` is that charge
 * — the figure the effective buffer is compared with — not payload bytes.
 */
export interface RxQueuePeak {
  /** Largest `rx_queue` seen, bytes of kernel memory (summed over the port's sockets). */
  bytes: number;
  /** `bytes` ÷ the truesize of one datagram measured on loopback at the run's size: an estimate; `null` when not measured. */
  datagrams: number | null;
  /** The truesize used for `datagrams`, bytes per datagram; `null` when not measured. */
  truesizeBytes: number | null;
  /** The effective receive buffer of that socket, bytes (the limit `bytes` runs into). */
  rcvbufEffectiveBytes: number;
  /** Sampling period, ms: a peak that builds and drains between samples is missed. */
  sampleIntervalMs: number;
  samples: number;
}

/** Deliberate receiver stalls (`--stall`), as measured on the monotonic clock. */
export interface StallResult {
  count: number;
  maxMs: number;
  totalMs: number;
}

/** What a pattern offers, counted over simulated time of its schedule. */
export interface PatternOffer {
  datagramsPerSecond: number;
  bitsPerSecond: number;
  framesPerSecond: number;
  maxFrameDatagrams: number;
  maxFrameBytes: number;
}

/** What one direction sends: `cbr` at the run's rate and `--size`, or a real-time pattern. */
export type PatternConfig =
  | { kind: 'cbr' }
  | { kind: 'voice'; sizeBytes: number; intervalMs: number; offered: PatternOffer }
  | {
      kind: 'video';
      maxDatagramBytes: number;
      fps: number;
      bitsPerSecond: number;
      keyframeIntervalSeconds: number;
      keyframeRatio: number;
      seed: number;
      offered: PatternOffer;
    }
  | { kind: 'trace'; file: string; rows: number; periodMs: number; offered: PatternOffer };

/** `--stall MS[@EVERY_S]`: every receiver stops reading for `ms` every `everySeconds`. */
export interface StallConfig {
  ms: number;
  everySeconds: number;
}

/** UDP counters from `/proc/net/snmp` (or `snmp6`) before and after the run. */
export interface KernelCounters {
  available: boolean;
  /** Why not available, or which file was read. */
  source: string;
  /** After − before for each counter (InDatagrams, NoPorts, InErrors, OutDatagrams, RcvbufErrors, SndbufErrors, …). */
  delta: Record<string, number>;
  /** A reminder that these are namespace-wide and include other traffic. */
  note: string;
}

/** Machine and OS settings that shape the figures. */
export interface Environment {
  hostname: string;
  nodeVersion: string;
  platform: string;
  osRelease: string;
  kernel: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  availableParallelism: number;
  totalMemoryBytes: number;
  /** sysctl name → value as a string (`null` when it could not be read). */
  sysctls: Record<string, string | null>;
  /** MTU of the interface carrying the traffic, if known. */
  mtu: number | null;
  interfaceName: string | null;
  /**
   * Ring sizes and offloads of that interface from `ethtool`, when the command
   * exists and says something about it; `null` when it does not (always on
   * machines without ethtool). Absent in results written before it was recorded.
   */
  ethtool?: EthtoolInfo | null;
}

/** The fully resolved options a run used. */
export interface RunConfig {
  host: string;
  family: 4 | 6;
  port: number | null;
  peer: string | null;
  sizeBytes: number;
  /** Datagrams per second per direction, or `null` for "max" (as fast as possible). */
  rateAbPps: number | null;
  rateBaPps: number | null;
  /** The rates as the user wrote them. */
  rateAbText: string;
  rateBaText: string;
  durationSeconds: number;
  omitSeconds: number;
  threadsRequested: 'single' | 'split' | 'auto';
  threads: ThreadMode;
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
  sendBatch: number;
  /** Remote mode: a side that hears nothing from its peer this long stops. */
  peerTimeoutSeconds: number;
  /**
   * Client endpoints served by the one server port (`--clients N`); absent
   * in results of versions before it, which is the same as 1. With N > 1,
   * endpoint B is the server and every client is an endpoint A; `--rate-ab`
   * is each client's rate to the server, `--rate-ba` the server's to each.
   */
  clients?: number;
  /**
   * `--server-receivers K`: the `--clients N` server's receiver threads, K
   * sockets on its one port in an SO_REUSEPORT group; absent when 1.
   */
  serverReceivers?: number;
  /** What each direction sends; absent in results before patterns (= `cbr`). */
  patternAb?: PatternConfig;
  patternBa?: PatternConfig;
  /** `--stall`, or `null`/absent without it. */
  stall?: StallConfig | null;
  /** How each direction frames its data datagrams; absent (= `udx`) in results before `--wire`. */
  wireAb?: WireFormat;
  wireBa?: WireFormat;
  /** The jitter-buffer playout delays reported, ms, and the late share the needed delay is sized for, %; absent in results before them. */
  playoutMs?: number[];
  maxLatePercent?: number;
  /** The codec voice directions are judged as (E-model); absent in results before it. */
  codec?: VoiceCodec;
}

/** Most clients one local run may start (each is a worker thread with its own socket). */
export const MAX_CLIENTS = 64;

/** Most receiver threads (`--server-receivers`) on the server's one port. */
export const MAX_SERVER_RECEIVERS = 16;

/** One client of a server port with many (`--clients N`): its address and its two directions. */
export interface PeerResult {
  /** 1-based client number, in the order the clients were started. */
  index: number;
  address: string;
  port: number;
  /** Client → server (A→B) and server → client (B→A), each with everything a direction has, `check` included. */
  directions: DirectionResult[];
  /**
   * Warm-up datagrams sent before the measured start, per direction of this
   * client: `ab` by the client, `ba` by the server to it (`null` when that
   * side's figures did not arrive). With the measured counts and the end
   * markers they account for every datagram of this client on the wire.
   * Absent in results written before it existed.
   */
  warmupSent?: { ab: number | null; ba: number | null };
}

/** Jain's fairness index over the clients' received rates per direction (1 = equal shares, 1/N = one client got all); `null` when a rate is missing. */
export interface Fairness {
  abJain: number | null;
  baJain: number | null;
}

/**
 * A direction, as each layer spells it: `DirectionKey` in configs and
 * searches (`rateAbPps`, `{ ab, ba }`), `DirectionLabel` where people read it
 * (results, warnings, progress); the wire uses its own numbers (udp/wire.ts
 * `DIR_AB`, `DIR_BA`).
 */
export type DirectionKey = 'ab' | 'ba';
export type DirectionLabel = 'A→B' | 'B→A';

/** Kinds of warnings a run can carry: a closed list (a file or a peer's report with another code is refused by the schema). */
export const WARNING_CODES = [
  'undersent',
  'check-disagrees',
  'loss-not-checked',
  'no-end-marker',
  'no-proc',
  'peer-timeout',
  'no-peer-results',
  'peer-report-refused',
  'rcvbuf-clamped',
  'sndbuf-clamped',
  'search-stopped',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

/** A note the run wants the reader to see (clamped buffers, missing /proc, …). */
export interface RunWarning {
  code: WarningCode;
  /** The direction it is about (`A→B`, `B→A`), when it is about one. */
  direction?: DirectionLabel;
  message: string;
  /** A command the user could run to change it (the tool never changes settings itself). */
  hint?: string;
}

/** What every result kind carries: identity, completeness, settings, machine. */
export interface ResultBase {
  schemaVersion: number;
  tool: { name: string; version: string };
  /** Wall-clock ISO time the run started (for humans; never used to measure). */
  startedAt: string;
  /** False for partial results (interrupted, peer lost, …). */
  complete: boolean;
  /** Why the result is incomplete (one of `INCOMPLETE_REASONS`, result/incomplete.ts), else `null`. */
  incompleteReason: IncompleteReason | null;
  mode: 'local' | 'remote';
  config: RunConfig;
  environment: Environment;
  /** Notes the reader should see (clamped buffers, missing /proc, …). */
  warnings: RunWarning[];
  /** Monotonic wall time of the whole run including setup and drain, seconds. */
  elapsedSeconds: number;
}

/** The result of one `bench duplex` run. */
export interface DuplexResult extends ResultBase {
  kind: 'duplex';
  endpoints: EndpointResult[];
  directions: DirectionResult[];
  kernel: KernelCounters;
  /** Remote mode: the peer's kernel counters as it reported them. */
  peerKernel?: KernelCounters;
  peerEnvironment?: Environment;
  /**
   * `--clients N` with N > 1: one entry per client. `directions` then holds
   * the aggregate over all clients (sums; loss over all; delay maxima only).
   */
  peers?: PeerResult[];
  /** CPU per datagram carried (both endpoints' threads); absent in results before it. */
  cpuCost?: CpuCost;
  /** With `peers`: fairness of the clients' received rates per direction. */
  fairness?: Fairness;
}

/** Any result file this tool writes. */
export type AnyResult = DuplexResult | SweepResult | SearchResult;

/** True when `value` looks like a result of this tool (any kind, any version). */
export function isResultLike(value: unknown): value is { kind: string; schemaVersion: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { schemaVersion?: unknown }).schemaVersion === 'number'
  );
}

// ---------------------------------------------------------------------------
// `ethtool`, `bench duplex --find-max` (kind 'search') and `bench sweep` (kind 'sweep')

/** What `ethtool` reports about the interface carrying the traffic. */
export interface EthtoolInfo {
  /** `ethtool -g`: ring sizes (entries) by ring name (`RX`, `TX`, …); `null` when not reported (e.g. `lo`). */
  rings: { current: Record<string, number>; max: Record<string, number> } | null;
  /** `ethtool -k`: top-level offload features → `on`/`off` (`[fixed]` dropped); `null` when not reported. */
  offloads: Record<string, string> | null;
}

/**
 * The knobs of a `--find-max` search as it ran, defaults included, so a result
 * file says exactly what "the highest lossless rate" meant.
 */
export interface SearchSettings {
  /** Highest loss (0..100 %) at which a trial passes: 0 = RFC 2544 throughput, > 0 = a partial-drop rate (RFC 9971). */
  lossThresholdPercent: number;
  /** Lowest rate searched, per direction, datagrams/s. */
  floorPps: number;
  /** The ceiling given with `--ceiling`, datagrams/s; `null` when an unpaced flood measured it. */
  ceilingPps: number | null;
  /** Measured seconds of each trial (and of the flood). */
  trialSeconds: number;
  /** Hard cap on trials (the flood not counted). */
  maxTrials: number;
  /** Extra passing trials required at the final rate. */
  confirmTrials: number;
  /** The search stops when the bracket is this percentage of its upper end. */
  resolutionPercent: number;
  /** A trial whose sender emitted less than this share of the offered rate does not pass. */
  minSentFraction: number;
  /** The measured flood rate is multiplied by this to get the ceiling. */
  ceilingHeadroom: number;
}

/** Datagrams per second, one per direction. */
export interface SearchRates {
  abPps: number;
  baPps: number;
}

/** One direction of one trial as the search judged it. */
export interface SearchTrialDirection {
  /** Why the direction sat at this rate: the first trial, a bisection step, a re-check, or held at its answer. */
  role: 'ceiling' | 'search' | 'confirm' | 'hold';
  offeredPps: number;
  /** `sentPps` / `lossPercent` are `null` when the trial's run did not observe them (verdict `unobserved`). */
  outcome: { offeredPps: number; sentPps: number | null; lossPercent: number | null };
  pass: boolean;
  /**
   * `undersent`: the sender could not emit the offered rate, so it is not sustained whatever the loss.
   * `unobserved`: the sent rate or the loss was not observed, so nothing vouches for the rate (never read as 0 % loss).
   */
  verdict: 'pass' | 'loss' | 'undersent' | 'unobserved';
  /** Why a failing direction failed, in words; `null` when it passed. Absent in results written before it was recorded. */
  reason?: string | null;
}

/** One trial of a search. Its full run is `trialRuns[index]` of the search result. */
export interface SearchTrial {
  index: number;
  phase: 'ceiling' | 'search' | 'confirm';
  rates: SearchRates;
  ab: SearchTrialDirection;
  ba: SearchTrialDirection;
}

/** The answer for one direction. */
export interface SearchDirectionResult {
  /** The highest rate that passed (re-checked when `confirmed`); `null` when none did. */
  ratePps: number | null;
  /** Worst loss seen in the passing trials at `ratePps` (with `limitedBy: 'floor'`: the floor's loss). */
  lossPercentAtRate: number | null;
  lowestFailingPps: number | null;
  /**
   * `loss`: a trial above failed on loss; `undersent`: every failure above was
   * the sender falling short of the offered rate (the tool, not the path, was
   * the limit); `unobserved`: no failure above was on loss and some could not be
   * judged (a figure was not observed); `ceiling`: passed at the ceiling;
   * `floor`: failed at the floor; `max-trials`: budget ran out.
   */
  limitedBy: 'loss' | 'undersent' | 'unobserved' | 'ceiling' | 'floor' | 'max-trials';
  confirmed: boolean;
  trials: number;
  /** Re-checks that failed at a rate that then passed its re-checks by majority; absent when none did (and in older results). */
  recheckFailures?: number;
}

/** Where the search's ceiling came from. */
export interface SearchCeiling {
  source: 'option' | 'measured';
  rates: SearchRates;
  /** The flood's sent rates when measured, else `null`. */
  measured: SearchRates | null;
}

/** The result of `bench duplex --find-max`. */
export interface SearchResult extends ResultBase {
  kind: 'search';
  /** `complete` is false when interrupted or when a trial could not finish; the trials so far are kept. `config` holds the options every trial shares; each trial's rates and duration are in its run's config. */
  search: SearchSettings;
  /** `null` when the search stopped before its ceiling was known. */
  ceiling: SearchCeiling | null;
  /** The answer per direction; `null` when the search did not finish. */
  directions: { ab: SearchDirectionResult; ba: SearchDirectionResult } | null;
  trials: SearchTrial[];
  /** The full run of each trial: `trialRuns[i]` belongs to `trials[i]`. */
  trialRuns: DuplexResult[];
  /** The unpaced flood that measured the ceiling, or `null` (ceiling given). `warnings` are the distinct warnings of all runs (each run also keeps its own). */
  ceilingRun: DuplexResult | null;
}

/** The lists a sweep crossed, as requested (`null` in a buffer list: the OS default). */
export interface SweepAxes {
  rcvbufBytes: (number | null)[];
  sndbufBytes: (number | null)[];
  sizeBytes: number[];
  /** Rates as written (`50k`, `20Mbit`, `max`); empty with `--find-max`. */
  rates: string[];
  threads: ('single' | 'split' | 'auto')[];
  /** `--clients 1,4,16`: clients on the one server port; absent or empty when not swept (1). */
  clients?: number[];
  /** `--stall 0,20,100`: receiver stalls (`null` = none); absent when not swept. */
  stalls?: (StallConfig | null)[];
}

/** One cell of a sweep: one combination of the axes, and its run or search. */
export interface SweepCell {
  index: number;
  rcvbufBytes: number | null;
  sndbufBytes: number | null;
  sizeBytes: number;
  /** The rate as written; `null` with `--find-max`. */
  rateText: string | null;
  threads: 'single' | 'split' | 'auto';
  /** Clients on the one server port (`--clients`); absent in results of versions before it (1). */
  clients?: number;
  /** The receiver stall of this cell (`--stall` swept); absent when not swept. */
  stall?: StallConfig | null;
  /** The duplex run (plain sweeps); `null` with `--find-max` or when the cell failed to start. */
  run: DuplexResult | null;
  /** The search (sweeps with `--find-max`), else `null`. */
  search: SearchResult | null;
  /** Why the cell produced nothing (a run that could not start), else `null`. */
  error: string | null;
}

/** The result of `bench sweep`. */
export interface SweepResult extends ResultBase {
  kind: 'sweep';
  /** `complete` when every planned cell ran to completion; `config` is the first cell's options (the swept fields differ per cell: see `axes` and each cell). */
  axes: SweepAxes;
  /** The search settings when every cell is a `--find-max` search, else `null`. */
  findMax: SearchSettings | null;
  plannedCells: number;
  /** The cells that ran, in plan order (fewer than `plannedCells` when interrupted). `warnings` are the distinct warnings of all cells. */
  cells: SweepCell[];
}
