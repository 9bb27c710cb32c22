/**
 * A realistic `DuplexResult` for the printer tests: a 5 s local split-mode run,
 * A→B paced at 10k pps with a little kernel loss, B→A at "max" with heavy
 * loss, send errors, no delay measured (null latency), and two warnings (one
 * with a hint, one without). Every field is filled so printers are exercised
 * on everything they might show.
 */

import { SCHEMA_VERSION, type DirectionResult, type DuplexResult, type IntervalSample } from '../src/report/schema.js';

const DURATION_SECONDS = 5;
const SIZE_BYTES = 64;

/** Per-second samples from parallel sent/received arrays; lost = sent − received. */
function intervals(sent: number[], received: number[]): IntervalSample[] {
  return sent.map((s, i) => {
    const r = received[i] ?? 0;
    return { t: i + 1, sent: s, received: r, lost: s - r };
  });
}

/** A direction whose totals and rates are derived from its intervals, as the producer does. */
function direction(
  from: 'A' | 'B',
  samples: IntervalSample[],
  rest: Pick<
    DirectionResult,
    'duplicates' | 'reordered' | 'foreign' | 'sendErrors' | 'kernelDrops' | 'lossAttribution' | 'jitterMs' | 'latencyUs'
  >,
): DirectionResult {
  const sent = samples.reduce((n, s) => n + s.sent, 0);
  const received = samples.reduce((n, s) => n + s.received, 0);
  const lost = sent - received;
  return {
    from,
    to: from === 'A' ? 'B' : 'A',
    sent,
    received,
    lost,
    late: 0,
    lossPercent: (lost / sent) * 100,
    durationSeconds: DURATION_SECONDS,
    sentPps: sent / DURATION_SECONDS,
    receivedPps: received / DURATION_SECONDS,
    bitsPerSecond: (received * SIZE_BYTES * 8) / DURATION_SECONDS,
    intervals: samples,
    endMarkerSeen: true,
    ...rest,
  };
}

/** Builds a fresh fixture; `overrides` replace top-level fields. */
export function buildDuplexResult(overrides: Partial<DuplexResult> = {}): DuplexResult {
  const ab = direction(
    'A',
    intervals([10000, 10000, 10000, 10000, 10000], [10000, 9990, 9998, 10000, 10000]),
    {
      duplicates: 0,
      reordered: 3,
      foreign: 0,
      sendErrors: {},
      kernelDrops: 10,
      lossAttribution: { sender: 0, kernel: 10, network: 2 },
      jitterMs: 0.0123,
      latencyUs: { p50: 48, p90: 61, p99: 112, max: 2051, note: 'one-way, shared clock' },
    },
  );
  const ba = direction(
    'B',
    intervals([120000, 123000, 122345, 124000, 123000], [117000, 120500, 119765, 121000, 120500]),
    {
      duplicates: 2,
      reordered: 41,
      foreign: 1,
      sendErrors: { ENOBUFS: 1234 },
      kernelDrops: 13000,
      lossAttribution: { sender: 1234, kernel: 13000, network: 580 },
      jitterMs: 0.0871,
      latencyUs: { p50: null, p90: null, p99: null, max: null, note: 'not measured: --no-timestamps' },
    },
  );

  return {
    kind: 'duplex',
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'udp-duplex-lab', version: '0.1.0' },
    startedAt: '2025-11-24T10:00:00.000Z',
    complete: true,
    incompleteReason: null,
    mode: 'local',
    config: {
      host: '127.0.0.1',
      family: 4,
      port: null,
      peer: null,
      sizeBytes: SIZE_BYTES,
      rateAbPps: 10000,
      rateBaPps: null,
      rateAbText: '10k',
      rateBaText: 'max',
      durationSeconds: DURATION_SECONDS,
      omitSeconds: 1,
      threadsRequested: 'split',
      threads: 'split',
      rcvbufBytes: 4194304,
      sndbufBytes: null,
      sendBatch: 16,
      peerTimeoutSeconds: 5,
    },
    environment: {
      hostname: 'lab1',
      nodeVersion: 'v20.20.2',
      platform: 'linux',
      osRelease: '6.8.0-49-generic',
      kernel: 'Linux 6.8.0-49-generic',
      arch: 'x64',
      cpuModel: 'AMD EPYC 7B13',
      cpuCount: 8,
      availableParallelism: 8,
      totalMemoryBytes: 33554432000,
      sysctls: { 'net.core.rmem_max': '212992', 'net.core.rmem_default': '212992', 'net.core.wmem_max': '212992' },
      mtu: 65536,
      interfaceName: 'lo',
    },
    endpoints: [
      {
        id: 'A',
        address: '127.0.0.1',
        port: 40001,
        threads: 'split',
        rcvbuf: { requested: 4194304, effective: 425984 },
        sndbuf: { requested: null, effective: 212992 },
        leaked: 0,
        peerSources: ['127.0.0.1:40002'],
        cpu: [
          { thread: 'sender', userUs: 812000, systemUs: 2950000, eventLoopUtilization: 0.71 },
          { thread: 'receiver', userUs: 1430000, systemUs: 2210000, eventLoopUtilization: 0.93 },
        ],
        warmupSent: 10000,
        warmupReceived: 10000,
      },
      {
        id: 'B',
        address: '127.0.0.1',
        port: 40002,
        threads: 'split',
        rcvbuf: { requested: 4194304, effective: 425984 },
        sndbuf: { requested: null, effective: 212992 },
        leaked: 0,
        peerSources: ['127.0.0.1:40001'],
        cpu: [
          { thread: 'sender', userUs: 1920000, systemUs: 3010000, eventLoopUtilization: 0.99 },
          { thread: 'receiver', userUs: 210000, systemUs: 480000, eventLoopUtilization: 0.12 },
        ],
        warmupSent: 118000,
        warmupReceived: 9990,
      },
    ],
    directions: [ab, ba],
    kernel: {
      available: true,
      source: '/proc/net/snmp',
      delta: { InDatagrams: 648753, NoPorts: 0, InErrors: 13010, OutDatagrams: 662345, RcvbufErrors: 13010, SndbufErrors: 0 },
      note: 'namespace-wide: includes other UDP traffic',
    },
    warnings: [
      {
        code: 'rcvbuf-clamped',
        message: 'rcvbuf: requested 4 MiB, kernel gave 416 KiB (net.core.rmem_max = 212992)',
        hint: 'sudo sysctl -w net.core.rmem_max=4194304',
      },
      { code: 'send-errors', message: 'B→A: 1,234 datagrams refused by the sending kernel (ENOBUFS)' },
    ],
    elapsedSeconds: 6.42,
    ...overrides,
  };
}
