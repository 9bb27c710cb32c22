/**
 * The result schema: plain, schema-versioned JSON data. Producers (`src/bench`)
 * build these objects; printers (`src/report`) consume them. Nothing here has
 * behaviour beyond type guards, so the printers depend on this file only.
 *
 * Units are in the field names (`Pps`, `Ms`, `Us`, `Bytes`, `bitsPerSecond`).
 */

/** Bumped on any incompatible change; readers refuse newer versions. */
export const SCHEMA_VERSION = 1;

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
}

/** Per-second sample of one direction (measured phase only). */
export interface IntervalSample {
  /** Seconds since the measured phase began, at the end of this interval. */
  t: number;
  /** Datagrams accepted by the sender's kernel in this interval. */
  sent: number;
  /** Unique datagrams received in this interval. */
  received: number;
  /** Sequence gaps seen by the receiver in this interval (expected − received, floored at 0). */
  lost: number;
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

/** One direction of traffic, e.g. A→B, seen from its sender and its receiver. */
export interface DirectionResult {
  from: 'A' | 'B';
  to: 'A' | 'B';
  /** Datagrams the sender's kernel accepted during the measured phase. */
  sent: number;
  /** Unique datagrams received. Invariant: `sent = received + lost`. */
  received: number;
  lost: number;
  duplicates: number;
  /** RFC 4737 reordered: arrived with a sequence number lower than the highest already seen. */
  reordered: number;
  /** Datagrams that arrived too late to be told from duplicates (outside the window); counted in `lost`. */
  late: number;
  /** Datagrams at the receiving endpoint that were not this direction's valid traffic. */
  foreign: number;
  lossPercent: number;
  /** Send errors by code (EAGAIN, ENOBUFS, ECONNREFUSED, …). */
  sendErrors: Record<string, number>;
  /** Receiving socket's `drops` (from /proc/net/udp) during the run; `null` when unavailable. */
  kernelDrops: number | null;
  lossAttribution: LossAttribution;
  /** Measured-phase duration used for the rates, seconds. */
  durationSeconds: number;
  sentPps: number;
  receivedPps: number;
  /** UDP payload bits per second delivered to the receiver (received × size × 8 / duration). */
  bitsPerSecond: number;
  /** RFC 3550 §6.4.1 interarrival jitter, milliseconds. */
  jitterMs: number | null;
  latencyUs: LatencyUs;
  /** Round-trip time from echoed timestamps (remote mode); `null` when not measured. */
  rttUs?: LatencyUs;
  intervals: IntervalSample[];
  /** Whether the receiver saw the sender's end marker (drain signal). */
  endMarkerSeen: boolean;
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
}

/** A note the run wants the reader to see (clamped buffers, missing /proc, …). */
export interface RunWarning {
  code: string;
  message: string;
  /** A command the user could run to change it (the tool never changes settings itself). */
  hint?: string;
}

/** The result of one `bench duplex` run. */
export interface DuplexResult {
  kind: 'duplex';
  schemaVersion: number;
  tool: { name: string; version: string };
  /** Wall-clock ISO time the run started (for humans; never used to measure). */
  startedAt: string;
  complete: boolean;
  /** Why the run is incomplete (`interrupted`, `peer-timeout`, …), else `null`. */
  incompleteReason: string | null;
  mode: 'local' | 'remote';
  config: RunConfig;
  environment: Environment;
  endpoints: EndpointResult[];
  directions: DirectionResult[];
  kernel: KernelCounters;
  /** Remote mode: the peer's kernel counters as it reported them. */
  peerKernel?: KernelCounters;
  peerEnvironment?: Environment;
  warnings: RunWarning[];
  /** Monotonic wall time of the whole run including setup and drain, seconds. */
  elapsedSeconds: number;
}

/** Any result file this tool writes. Later kinds (sweep, search) join this union. */
export type AnyResult = DuplexResult;

/** True when `value` looks like a result of this tool (any kind, any version). */
export function isResultLike(value: unknown): value is { kind: string; schemaVersion: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { schemaVersion?: unknown }).schemaVersion === 'number'
  );
}
