/**
 * `bench micro`: tinybench micro-benchmarks of the per-datagram hot paths
 * (header encode/decode, receive accounting, the whole receive handler, the
 * pacer tick, the delay histogram, the clock read).
 *
 * How the figures are made:
 * - Everything (buffers, headers, rinfo, histograms, sequence patterns) is
 *   allocated once, before any task runs; the measured loops allocate nothing.
 * - A single operation (tens of ns) is far below the cost and resolution of a
 *   timer read, so each tinybench iteration times a batch of {@link BATCH}
 *   operations with `bench.now()` and reports the batch mean through
 *   `overriddenDuration`. Untimed preparation (re-stamping the datagram ring
 *   with fresh sequence numbers, as the kernel would hand us fresh datagrams)
 *   happens in the same iteration, outside the timed window.
 * - Results are consumed into a module-level sink so that V8 cannot drop the
 *   work as dead code.
 */
import { PeerDemux } from '../udp/demux.js';
import v8 from 'node:v8';
import type dgram from 'node:dgram';
import * as hdr from 'hdr-histogram-js';
import { Bench, type Task } from 'tinybench';
import { DirectionAccounting } from '../udp/accounting.js';
import { createMonotonicClock, type Clock } from '../udp/clock.js';
import { TokenBucket, burstFor } from '../udp/pacer.js';
import { Receiver } from '../udp/receiver.js';
import { DIR_AB, Decode, Kind, createHeader, decodeHeader, encodeHeader, stampData, type Header } from '../udp/wire.js';
import { SCHEMA_VERSION } from '../result/types.js';
import type { MicroResult, MicroRow, MicroTarget } from '../result/micro.js';
import { collectEnvironment } from './environment.js';
import { TOOL } from '../version.js';
import { DELAY_HISTOGRAM, MAX_TRACKED_US } from '../udp/defaults.js';

export type { MicroResult, MicroRow, MicroTarget } from '../result/micro.js';

/** Operations per timed batch. 256 datagram slots of 200 bytes stay in L1/L2 like a freshly received datagram. */
export const BATCH = 256;
/** Datagram size used for the receive-side benchmarks (the `--size` default). */
const DATAGRAM_BYTES = 200;
const SESSION = 0x1234abcd;
/** One-way delay baked into the synthetic datagrams, ns. */
const BASE_DELAY_NS = 20_000;
/** Spacing of the synthetic send times, ns (1 M datagrams/s). */
const SPACING_NS = 1_000;
/**
 * Origin of the synthetic timestamps, ns. Real ones (hrtime since boot) are
 * far beyond the small-integer (Smi) range, so V8 handles them as doubles
 * (boxed when they cross a call that is not inlined); so must ours.
 */
const TIME_BASE_NS = 5e12;
/** Datagrams pre-stamped for the heap measurement (no re-stamping inside its window). */
const HEAP_OPS = 200 * 256;
/** Collection-free windows the heap figure is the least of. */
const HEAP_WINDOWS = 5;
/** As in receiver.ts: the delay histograms' range and precision. */
const HISTOGRAM_SPEC = DELAY_HISTOGRAM;

/** The budget for header decode + accounting per datagram, ns. */
export const TARGET_LIMIT_NS = 150;

/** Row names, in the order they are run and printed. */
export const MICRO_NAMES = {
  encode: 'header encode (stampData)',
  decode: 'header decode + validate (decodeHeader)',
  accounting: 'receive accounting (DirectionAccounting.record)',
  decodeAccounting: 'decode + accounting',
  receivePath: 'receive path (Receiver.onMessage)',
  pacer: 'pacer tick (TokenBucket.take)',
  histogram: 'delay histogram record (recordValue)',
  clock: 'clock read (nowNs)',
  demux: 'demultiplex by source, 16 peers (PeerDemux.onMessage)',
} as const;

export const MICRO_ROW_NAMES: readonly string[] = Object.values(MICRO_NAMES);

export interface MicroOptions {
  /** Time budget per benchmark, ms. */
  timeMs: number;
  /** Minimum timed batches per benchmark (tinybench's `iterations`). */
  iterations?: number;
}

// ---------------------------------------------------------------------------
// Dead-code-elimination guard.

let sink = 0;

/** The accumulated results of every measured loop (only so that they are observable). */
export function microSink(): number {
  return sink;
}

// ---------------------------------------------------------------------------
// Preallocated inputs.

/**
 * Offsets of the sequence numbers within a batch: in order except that every
 * 32nd pair is swapped (≈ 3 % of datagrams arrive reordered, RFC 4737).
 */
const SEQ_PATTERN = new Float64Array(BATCH);
/** Small per-datagram delay variation, ns (so that jitter and the histogram see varying values). */
const JITTER_NS = new Float64Array(BATCH);
for (let i = 0; i < BATCH; i++) {
  SEQ_PATTERN[i] = i % 32 === 30 ? i + 1 : i % 32 === 31 ? i - 1 : i;
  JITTER_NS[i] = ((i * 2654435761) >>> 0) % 5_000;
}

/** A ring of datagrams (one batch by default) carved out of one buffer, with their arrival times. */
class DatagramRing {
  readonly slots: Buffer[] = [];
  readonly arrivalNs: Float64Array;
  /** Sequence number of the first slot of the next refill. */
  private base = 0;

  /** Makes the next refill start at sequence number `seq`. */
  skipTo(seq: number): void {
    this.base = seq;
  }

  constructor(readonly size: number = BATCH) {
    this.arrivalNs = new Float64Array(size);
    const block = Buffer.alloc(size * DATAGRAM_BYTES);
    const h = createHeader();
    h.kind = Kind.Data;
    h.direction = DIR_AB;
    h.session = SESSION;
    for (let i = 0; i < size; i++) {
      const slot = block.subarray(i * DATAGRAM_BYTES, (i + 1) * DATAGRAM_BYTES);
      encodeHeader(slot, h);
      this.slots.push(slot);
    }
    this.refill();
  }

  /** Re-stamps every slot with the next sequence numbers (untimed preparation). */
  refill(): void {
    const base = this.base;
    for (let i = 0; i < this.size; i++) {
      const seq = base + (i & ~(BATCH - 1)) + (SEQ_PATTERN[i & (BATCH - 1)] as number);
      const sendNs = TIME_BASE_NS + seq * SPACING_NS;
      stampData(this.slots[i] as Buffer, seq, 0, sendNs, 0, 0);
      this.arrivalNs[i] = sendNs + BASE_DELAY_NS + (JITTER_NS[i & (BATCH - 1)] as number);
    }
    this.base = base + this.size;
  }
}

/** A fake clock that plays back the ring's arrival times (the receive path reads it once per datagram). */
class PlaybackClock implements Clock {
  i = 0;
  constructor(private readonly times: Float64Array) {}
  nowNs(): number {
    const t = this.times[this.i] as number;
    this.i = (this.i + 1) & (BATCH - 1);
    return t;
  }
}

/** A fake clock that advances by a fixed step at each read. */
class SteppingClock implements Clock {
  t = TIME_BASE_NS;
  constructor(private readonly stepNs: number) {}
  nowNs(): number {
    return (this.t += this.stepNs);
  }
}

// ---------------------------------------------------------------------------
// The benchmarks. Each returns the time per operation of one batch, ms.

type BatchFn = (now: () => number) => number;

interface Benchmark {
  name: string;
  batch: BatchFn;
}

/** Header encode: stampData on one preallocated buffer. */
function encodeBench(): BatchFn {
  const encBuf = Buffer.alloc(DATAGRAM_BYTES);
  const encHeader = createHeader();
  encHeader.session = SESSION;
  encodeHeader(encBuf, encHeader);
  let encSeq = 0;
  const encode: BatchFn = (now) => {
    let seq = encSeq;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) {
      stampData(encBuf, seq, 0, TIME_BASE_NS + seq * SPACING_NS, TIME_BASE_NS - 5e5 + seq * SPACING_NS, 250);
      seq++;
    }
    const t1 = now();
    encSeq = seq;
    sink += encBuf[19] as number;
    return (t1 - t0) / BATCH;
  };
  return encode;
}

/** Header decode + validation into a reused header. */
function decodeBench(): BatchFn {
  const decRing = new DatagramRing();
  const decHeader = createHeader();
  const decode: BatchFn = (now) => {
    const slots = decRing.slots;
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) {
      const msg = slots[i] as Buffer;
      acc += decodeHeader(msg, msg.length, SESSION, decHeader) + decHeader.seq;
    }
    const t1 = now();
    sink += acc;
    return (t1 - t0) / BATCH;
  };
  return decode;
}

/** Accounting alone: increasing sequence numbers with some reordering. */
function accountingBench(): BatchFn {
  const acct = new DirectionAccounting();
  let acctBase = 0;
  const accounting: BatchFn = (now) => {
    const base = acctBase;
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) {
      const seq = base + (SEQ_PATTERN[i] as number);
      const sendNs = TIME_BASE_NS + seq * SPACING_NS;
      if (acct.record(seq, sendNs, sendNs + BASE_DELAY_NS + (JITTER_NS[i] as number))) acc++;
    }
    const t1 = now();
    acctBase = base + BATCH;
    sink += acc;
    return (t1 - t0) / BATCH;
  };
  return accounting;
}

/** Decode + accounting: the target. */
function decodeAccountingBench(): { batch: BatchFn; heap: () => number | undefined } {
  const daRing = new DatagramRing();
  const daHeader = createHeader();
  const daAcct = new DirectionAccounting();
  const decodeAccounting: BatchFn = (now) => {
    daRing.refill();
    const t0 = now();
    const acc = decodeAndAccount(daRing, daHeader, daAcct);
    const t1 = now();
    sink += acc;
    return (t1 - t0) / BATCH;
  };
  /** For the heap measurement: the same loop over many pre-stamped datagrams, continuing the same sequence. */
  const heapRing = new DatagramRing(HEAP_OPS);
  const decodeAccountingHeap = (): number | undefined => {
    // Continue where the timed batches left off, so that the accounting sees new sequence numbers.
    heapRing.skipTo(daAcct.expected);
    return measureHeapBytesPerOp(() => {
      heapRing.refill();
    }, () => decodeAndAccount(heapRing, daHeader, daAcct), HEAP_OPS);
  };
  return { batch: decodeAccounting, heap: decodeAccountingHeap };
}

/** The whole receive handler, with a fake clock and a constant rinfo. */
function receivePathBench(): { batch: BatchFn; ring: DatagramRing } {
  const rxRing = new DatagramRing();
  const rxClock = new PlaybackClock(rxRing.arrivalNs);
  const peer = { address: '127.0.0.1', port: 40_001 };
  const rinfo: dgram.RemoteInfo = { address: peer.address, family: 'IPv4', port: peer.port, size: DATAGRAM_BYTES };
  const receiver = new Receiver({ clock: rxClock, session: SESSION, direction: DIR_AB, peer, sharedClock: true, echo: null });
  const onMessage = receiver.onMessage;
  const receivePath: BatchFn = (now) => {
    rxRing.refill();
    rxClock.i = 0;
    const slots = rxRing.slots;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) onMessage(slots[i] as Buffer, rinfo);
    const t1 = now();
    sink += receiver.acct.received;
    return (t1 - t0) / BATCH;
  };
  return { batch: receivePath, ring: rxRing };
}

/** --clients 16: the server's demultiplexer in front of its receivers, one rinfo per peer as dgram hands it over; the targets only count (the receive path itself is measured above), so this is the lookup's cost. */
function demuxBench(ring: DatagramRing): BatchFn {
  const demuxPeers = 16;
  const demux = new PeerDemux();
  let routed = 0;
  const countTarget = { onMessage: (): void => void routed++ };
  const peerInfos: dgram.RemoteInfo[] = [];
  for (let i = 0; i < demuxPeers; i++) {
    demux.add('127.0.0.1', 40_001 + i, countTarget);
    peerInfos.push({ address: '127.0.0.1', family: 'IPv4', port: 40_001 + i, size: DATAGRAM_BYTES });
  }
  const demuxBatch: BatchFn = (now) => {
    const slots = ring.slots;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) demux.onMessage(slots[i] as Buffer, peerInfos[i & (demuxPeers - 1)] as dgram.RemoteInfo);
    const t1 = now();
    sink += routed;
    return (t1 - t0) / BATCH;
  };
  return demuxBatch;
}

/** Pacer tick: 1 M datagrams/s, a fake clock 50 µs later at each tick. */
function pacerBench(): BatchFn {
  const bucket = new TokenBucket(new SteppingClock(50_000), 1e6, burstFor(1e6, 64));
  const pacer: BatchFn = (now) => {
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) acc += bucket.take(64);
    const t1 = now();
    sink += acc;
    return (t1 - t0) / BATCH;
  };
  return pacer;
}

/** Delay histogram: recordValue exactly as receiver.ts feeds it. */
function histogramBench(): BatchFn {
  const histogram = hdr.build(HISTOGRAM_SPEC);
  const delayUs = new Float64Array(BATCH);
  for (let i = 0; i < BATCH; i++) delayUs[i] = (BASE_DELAY_NS + (JITTER_NS[i] as number) * (1 + (i % 7) * 40)) / 1000;
  const histo: BatchFn = (now) => {
    const t0 = now();
    for (let i = 0; i < BATCH; i++) {
      const us = delayUs[i] as number;
      histogram.recordValue(us <= 0 ? 0 : us < MAX_TRACKED_US ? Math.round(us) : MAX_TRACKED_US);
    }
    const t1 = now();
    sink += histogram.totalCount;
    return (t1 - t0) / BATCH;
  };
  return histo;
}

/** The monotonic clock read. */
function clockBench(): BatchFn {
  const clock = createMonotonicClock();
  const clockRead: BatchFn = (now) => {
    let acc = 0;
    const t0 = now();
    for (let i = 0; i < BATCH; i++) acc += clock.nowNs();
    const t1 = now();
    sink += acc;
    return (t1 - t0) / BATCH;
  };
  return clockRead;
}

function makeBenchmarks(): { list: Benchmark[]; decodeAccountingHeap: () => number | undefined } {
  const decodeAccounting = decodeAccountingBench();
  const receivePath = receivePathBench();
  const list: Benchmark[] = [
    { name: MICRO_NAMES.encode, batch: encodeBench() },
    { name: MICRO_NAMES.decode, batch: decodeBench() },
    { name: MICRO_NAMES.accounting, batch: accountingBench() },
    { name: MICRO_NAMES.decodeAccounting, batch: decodeAccounting.batch },
    { name: MICRO_NAMES.receivePath, batch: receivePath.batch },
    { name: MICRO_NAMES.pacer, batch: pacerBench() },
    { name: MICRO_NAMES.histogram, batch: histogramBench() },
    { name: MICRO_NAMES.clock, batch: clockBench() },
    // The demultiplexer reads the receive path's datagrams.
    { name: MICRO_NAMES.demux, batch: demuxBench(receivePath.ring) },
  ];
  return { list, decodeAccountingHeap: decodeAccounting.heap };
}

/** The "decode + accounting" loop over every datagram of a ring: what the 150 ns budget covers. */
function decodeAndAccount(ring: DatagramRing, h: Header, acct: DirectionAccounting): number {
  const slots = ring.slots;
  const arrival = ring.arrivalNs;
  let acc = 0;
  for (let i = 0; i < slots.length; i++) {
    const msg = slots[i] as Buffer;
    if (decodeHeader(msg, msg.length, SESSION, h) === Decode.Ok && acct.record(h.seq, h.sendTimeNs, arrival[i] as number)) acc++;
  }
  return acc;
}

// ---------------------------------------------------------------------------
// Heap allocation per operation.

/**
 * Heap bytes allocated per operation by `run` (`ops` operations, prepared by
 * the untimed `prepare`): `heapUsed` after − before over a window that holds
 * only `run` and in which no garbage collection ran (checked with a GC
 * profiler: a collection would hide allocations). The first long calls may
 * still run code that V8 is about to re-optimise, so this takes the least of
 * up to {@link HEAP_WINDOWS} collection-free windows (the steady state).
 * Returns `undefined` when every attempt saw a collection.
 */
function measureHeapBytesPerOp(prepare: () => void, run: () => number, ops: number): number | undefined {
  let best: number | undefined;
  let windows = 0;
  for (let attempt = 0; attempt < 2 * HEAP_WINDOWS && windows < HEAP_WINDOWS; attempt++) {
    prepare();
    const profiler = new v8.GCProfiler();
    profiler.start();
    const before = process.memoryUsage().heapUsed;
    const acc = run();
    const after = process.memoryUsage().heapUsed;
    const gcs = profiler.stop().statistics.length;
    sink += acc;
    if (gcs === 0 && after >= before) {
      windows++;
      const perOp = (after - before) / ops;
      if (best === undefined || perOp < best) best = perOp;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------

function rowOf(task: Task): MicroRow {
  const r = task.result;
  if (r.state === 'errored') throw r.error;
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') throw new Error(`micro benchmark "${task.name}" did not complete (${r.state})`);
  const nsPerOp = r.latency.mean * 1e6;
  return {
    name: task.name,
    nsPerOp,
    opsPerSecond: nsPerOp > 0 ? 1e9 / nsPerOp : 0,
    samples: r.latency.samplesCount,
    rme: r.latency.rme,
    p99Ns: r.latency.p99 * 1e6,
  };
}

/** Runs every micro-benchmark and returns plain data. */
export async function runMicro(options: MicroOptions): Promise<MicroResult> {
  const startedAt = new Date().toISOString();
  const { list, decodeAccountingHeap } = makeBenchmarks();
  const bench = new Bench({
    time: options.timeMs,
    iterations: options.iterations ?? 64,
    warmup: true,
    warmupTime: Math.min(250, Math.max(options.timeMs / 2, 10)),
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  const now = bench.now;
  for (const b of list) {
    const batch = b.batch;
    bench.add(b.name, () => {
      const start = now();
      const perOpMs = batch(now);
      // Samples are per-operation means; the time budget is charged the whole call.
      return { overriddenDuration: perOpMs, overriddenIterationCost: now() - start };
    });
  }
  await bench.run();
  const rows = bench.tasks.map(rowOf);

  const targetRow = rows.find((r) => r.name === MICRO_NAMES.decodeAccounting);
  if (targetRow === undefined) throw new Error('micro: the decode + accounting row is missing');
  const heap = decodeAccountingHeap();
  const target: MicroTarget = {
    name: targetRow.name,
    limitNs: TARGET_LIMIT_NS,
    measuredNs: targetRow.nsPerOp,
    pass: targetRow.nsPerOp <= TARGET_LIMIT_NS,
    ...(heap !== undefined ? { heapBytesPerOp: heap } : {}),
  };

  return {
    kind: 'micro',
    schemaVersion: SCHEMA_VERSION,
    tool: { ...TOOL },
    startedAt,
    complete: true,
    environment: collectEnvironment('127.0.0.1'),
    timeMs: options.timeMs,
    batchSize: BATCH,
    rows,
    target,
  };
}
