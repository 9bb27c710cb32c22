/**
 * A realistic `DuplexResult` for the printer tests: a 5 s local split-mode run,
 * A→B paced at 10k pps with a little kernel loss, B→A at "max" with heavy
 * loss, send errors, no delay measured (null latency), and two warnings (one
 * with a hint, one without). Every field is filled so printers are exercised
 * on everything they might show. Schema 2: both directions observed by both
 * sides, A→B reached its offered rate (not undersent), B→A is unpaced, and
 * both loss checks agree; tests derive the null, undersent and disagreeing
 * variants from it (`unobservedReceiver`, `undersentAb`, `disagreeingCheck`).
 */

import { SCHEMA_VERSION, type DirectionResult, type DuplexResult, type IntervalSample, type SearchResult, type SearchTrial, type SearchTrialDirection } from '../src/result/types.js';

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
    'duplicates' | 'reordered' | 'foreign' | 'sendErrors' | 'kernelDrops' | 'lossAttribution' | 'jitterMs' | 'latencyUs' | 'offeredPps'
  >,
): DirectionResult {
  const sent = samples.reduce((n, s) => n + (s.sent ?? 0), 0);
  const received = samples.reduce((n, s) => n + (s.received ?? 0), 0);
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
    undersent: false,
    check: { lostBySequence: lost, kernelDrops: rest.kernelDrops, agree: true, note: null },
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
      offeredPps: 10000,
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
      offeredPps: null,
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
      { code: 'sndbuf-clamped', message: 'sndbuf: requested 4 MiB, kernel gave 416 KiB (net.core.wmem_max = 212992)' },
    ],
    elapsedSeconds: 6.42,
    ...overrides,
  };
}

/**
 * The fixture as a partial remote result whose receiver's figures for A→B
 * never arrived (`observedBy: 'sender'`): every receive figure and everything
 * derived from it is `null`, as schema 2 writes it.
 */
export function unobservedReceiver(): DuplexResult {
  const result = buildDuplexResult({ complete: false, incompleteReason: 'peer-timeout', mode: 'remote' });
  const ab = result.directions[0]!;
  Object.assign(ab, {
    observedBy: 'sender',
    received: null,
    lost: null,
    duplicates: null,
    reordered: null,
    late: null,
    foreign: null,
    lossPercent: null,
    receivedPps: null,
    bitsPerSecond: null,
    kernelDrops: null,
    lossAttribution: null,
    jitterMs: null,
    latencyUs: { p50: null, p90: null, p99: null, max: null, note: 'n/a: the receiver\'s figures did not arrive' },
    endMarkerSeen: false,
    check: { lostBySequence: null, kernelDrops: null, agree: true, note: 'the receiver\'s figures did not arrive' },
  } satisfies Partial<DirectionResult>);
  ab.intervals = ab.intervals.map((s) => ({ ...s, received: null, lost: null }));
  return result;
}

/** The fixture with A→B offered 300k/s but sent only 82.7k/s (undersent); `withWarning` adds the producer's warning for it. */
export function undersentAb(withWarning: boolean): DuplexResult {
  const result = buildDuplexResult();
  const ab = result.directions[0]!;
  ab.offeredPps = 300000;
  ab.sent = 413500;
  ab.received = 413488;
  ab.sentPps = 82700;
  ab.receivedPps = 82697.6;
  ab.undersent = true;
  ab.check = { lostBySequence: 12, kernelDrops: 10, agree: true, note: null };
  result.config.rateAbPps = 300000;
  result.config.rateAbText = '300k';
  if (withWarning) {
    result.warnings.push({ code: 'undersent', direction: 'A→B', message: 'A→B: the sender emitted 82,700/s of 300,000/s offered (28 %)' });
  }
  return result;
}

/** The fixture with B→A's loss check disagreeing: by sequence 13,600 against lost 13,580. */
export function disagreeingCheck(): DuplexResult {
  const result = buildDuplexResult();
  result.directions[1]!.check = {
    lostBySequence: 13600,
    kernelDrops: 13000,
    agree: false,
    note: 'by sequence 20 more than sent − received: sender callbacks and the wire disagree',
  };
  return result;
}

/** One direction of a search trial: sent at `sentPps` (`null`: unobserved) with `lossPercent`, judged `verdict`. */
function trialDirection(offeredPps: number, sentPps: number | null, lossPercent: number | null, verdict: SearchTrialDirection['verdict']): SearchTrialDirection {
  return { role: 'search', offeredPps, outcome: { offeredPps, sentPps, lossPercent }, pass: verdict === 'pass', verdict, reason: verdict === 'pass' ? null : verdict };
}

/**
 * A `--find-max` search of five trials covering every verdict: A→B found
 * 50k (confirmed), B→A 40k (not confirmed). Trial runs are the duplex fixture.
 */
export function buildSearchResult(): SearchResult {
  const base = buildDuplexResult();
  const trials: SearchTrial[] = [
    { index: 0, phase: 'ceiling', rates: { abPps: 80000, baPps: 80000 }, ab: trialDirection(80000, 61000, 0, 'undersent'), ba: trialDirection(80000, 79800, 12.5, 'loss') },
    { index: 1, phase: 'search', rates: { abPps: 40000, baPps: 40000 }, ab: trialDirection(40000, 40010, 0, 'pass'), ba: trialDirection(40000, 39990, 0, 'pass') },
    { index: 2, phase: 'search', rates: { abPps: 60000, baPps: 50000 }, ab: trialDirection(60000, 59950, 1.5, 'loss'), ba: trialDirection(50000, null, null, 'unobserved') },
    { index: 3, phase: 'search', rates: { abPps: 50000, baPps: 45000 }, ab: trialDirection(50000, 50005, 0, 'pass'), ba: trialDirection(45000, 44990, 0.4, 'loss') },
    { index: 4, phase: 'confirm', rates: { abPps: 50000, baPps: 40000 }, ab: trialDirection(50000, 49990, 0, 'pass'), ba: trialDirection(40000, 40001, 0, 'pass') },
  ];
  const answer = { lossPercentAtRate: 0, confirmed: true, trials: trials.length };
  return {
    ...base,
    kind: 'search',
    search: { lossThresholdPercent: 0, floorPps: 1000, ceilingPps: 80000, trialSeconds: 2, maxTrials: 20, confirmTrials: 1, resolutionPercent: 1, minSentFraction: 0.95, ceilingHeadroom: 1.05 },
    ceiling: { source: 'option', rates: { abPps: 80000, baPps: 80000 }, measured: null },
    directions: {
      ab: { ...answer, ratePps: 50000, lowestFailingPps: 60000, limitedBy: 'loss' },
      ba: { ...answer, ratePps: 40000, lowestFailingPps: 45000, limitedBy: 'loss', confirmed: false },
    },
    trials,
    trialRuns: trials.map(() => buildDuplexResult()),
    ceilingRun: null,
    elapsedSeconds: 14.2,
  } as SearchResult;
}

/**
 * The fixture as a run of real-time patterns: A→B voice (20 ms, 160 B, one
 * datagram a frame), B→A video (30 fps, 2.5 Mbit/s, key frames ×5 every 2 s,
 * up to 38 datagrams a frame), a 200 ms receiver stall every 2 s. Both
 * directions carry frames, pacing error, the receive queue peak and stalls;
 * each has one interval without a frame delay (`null`: no frame completed),
 * A→B the 3rd, B→A the 4th, so a chart must break its line there.
 */
export function buildMediaResult(): DuplexResult {
  const result = buildDuplexResult({ warnings: [] });
  const offeredVoice = { datagramsPerSecond: 50, bitsPerSecond: 64000, framesPerSecond: 50, maxFrameDatagrams: 1, maxFrameBytes: 160 };
  const offeredVideo = { datagramsPerSecond: 270.6, bitsPerSecond: 2500000, framesPerSecond: 30, maxFrameDatagrams: 38, maxFrameBytes: 44800 };
  result.config.patternAb = { kind: 'voice', sizeBytes: 160, intervalMs: 20, offered: offeredVoice };
  result.config.patternBa = {
    kind: 'video', maxDatagramBytes: 1200, fps: 30, bitsPerSecond: 2500000, keyframeIntervalSeconds: 2, keyframeRatio: 5, seed: 1, offered: offeredVideo,
  };
  result.config.stall = { ms: 200, everySeconds: 2 };
  result.config.rateAbPps = null;
  result.config.rateBaPps = null;
  result.config.rateAbText = 'voice';
  result.config.rateBaText = 'video';

  const [ab, ba] = result.directions as [DirectionResult, DirectionResult];
  const abDelays = [310, 201500, null, 220, 250];
  Object.assign(ab, {
    sent: 250, received: 248, lost: 2, lossPercent: 0.8, offeredPps: 50, sentPps: 50, receivedPps: 49.6, bitsPerSecond: (248 * 160 * 8) / 5,
    kernelDrops: 0, lossAttribution: { sender: 0, kernel: 0, network: 2 }, sendErrors: {},
    check: { lostBySequence: 2, kernelDrops: 0, agree: true, note: null },
    intervals: [50, 49, 50, 49, 50].map((r, i) => ({ t: i + 1, sent: 50, received: r, lost: 50 - r, frameDelayMaxUs: abDelays[i] ?? null })),
    frames: {
      sent: 250, complete: 248, incomplete: 2, partial: 0, sentByEndMarker: 250, lossPercent: 0.8,
      delayUs: { p50: 52, p90: 70, p99: 212, max: 201500, note: 'one-way, shared clock' },
      burst: { datagramsP50: 1, datagramsMax: 1, bytesMax: 160 },
    },
    pacingErrorUs: { p50: 12, p99: 85, max: 430, per: 'datagram' },
    rxQueuePeak: { bytes: 24576, datagrams: 32, truesizeBytes: 768, rcvbufEffectiveBytes: 425984, sampleIntervalMs: 10, samples: 500 },
    stalls: { count: 2, maxMs: 201.3, totalMs: 400.9 },
  } satisfies Partial<DirectionResult>);
  const baDelays = [4100, 203400, 3900, null, 4500];
  const baReceived = [271, 250, 271, 257, 271];
  Object.assign(ba, {
    sent: 1353, received: 1320, lost: 33, lossPercent: (33 / 1353) * 100, offeredPps: 270.6, sentPps: 270.6, receivedPps: 264, bitsPerSecond: 2450000,
    kernelDrops: 33, lossAttribution: { sender: 0, kernel: 33, network: 0 }, sendErrors: {},
    check: { lostBySequence: 33, kernelDrops: 33, agree: true, note: null },
    intervals: baReceived.map((r, i) => ({ t: i + 1, sent: 271 - (i === 0 ? 1 : 0), received: r - (i === 0 ? 1 : 0), lost: 271 - r, frameDelayMaxUs: baDelays[i] ?? null })),
    latencyUs: { p50: 1210, p90: 2800, p99: 9100, max: 203000, note: 'one-way, shared clock' },
    frames: {
      sent: 150, complete: 141, incomplete: 9, partial: 7, sentByEndMarker: 150, lossPercent: 6,
      delayUs: { p50: 1830, p90: 4120, p99: 9870, max: 203400, note: 'one-way, shared clock' },
      burst: { datagramsP50: 2, datagramsMax: 38, bytesMax: 44800 },
    },
    pacingErrorUs: { p50: 25, p99: 310, max: 2900, per: 'datagram' },
    rxQueuePeak: { bytes: 421888, datagrams: 183, truesizeBytes: 2304, rcvbufEffectiveBytes: 425984, sampleIntervalMs: 10, samples: 500 },
    stalls: { count: 2, maxMs: 200.8, totalMs: 401.2 },
  } satisfies Partial<DirectionResult>);
  return result;
}

/**
 * The fixture as a remote run (two machines) whose one-way delay was
 * estimated with the listener's clock (`method: 'estimated-offset'`: offset
 * −158 µs, drift 41.4 ppm, ±665 µs in both directions, one estimate serving
 * both), with the queueing delay above each direction's base (the smaller
 * of the idle probe delay, 62 µs, and its smallest one-way delay), the round trip, and one-way delay per second (mean and largest);
 * each direction has one interval without a figure (`null`): A→B the 3rd,
 * B→A the 5th.
 */
export function buildRemoteDelayResult(): DuplexResult {
  const result = buildDuplexResult({ mode: 'remote', warnings: [] });
  result.config.host = '0.0.0.0';
  result.config.peer = '192.0.2.20';
  result.peerEnvironment = { ...result.environment, hostname: 'lab2', interfaceName: 'eth0', mtu: 1500 };
  result.environment.interfaceName = 'eth0';
  result.environment.mtu = 1500;
  result.endpoints[0]!.address = '192.0.2.10';
  result.endpoints[1]!.address = '192.0.2.20';
  const estimate = { method: 'estimated-offset', offsetUs: -158, driftPpm: 41.4, boundUs: 665 } as const;
  const note = "one-way delay, the peer's clock estimated by probes (NTP-style): ± 665 µs";
  const [ab, ba] = result.directions as [DirectionResult, DirectionResult];
  const abMean = [80, 95, null, 120, 88];
  const abMax = [1200, 1631, null, 4210, 900];
  const baMean = [101, 98, 110, 96, null];
  const baMax = [700, 2500, 880, 640, null];
  Object.assign(ab, {
    latencyUs: { p50: 78, p90: 410, p99: 1631, max: 4210, note, ...estimate },
    rttUs: { p50: 130, p90: 300, p99: 1700, max: 4400, note: 'round trip from echoed timestamps' },
    queueingDelayUs: { p50: 31, p99: 1584, baseUs: 47, idleProbeUs: 62 },
    intervals: ab.intervals.map((s, i) => ({ ...s, delayMeanUs: abMean[i] ?? null, delayMaxUs: abMax[i] ?? null })),
  } satisfies Partial<DirectionResult>);
  Object.assign(ba, {
    latencyUs: { p50: 95, p90: 300, p99: 900, max: 2500, note, ...estimate },
    rttUs: { p50: 130, p90: 300, p99: 1700, max: 4400, note: 'round trip from echoed timestamps' },
    queueingDelayUs: { p50: 40, p99: 845, baseUs: 55, idleProbeUs: 62 },
    intervals: ba.intervals.map((s, i) => ({ ...s, delayMeanUs: baMean[i] ?? null, delayMaxUs: baMax[i] ?? null })),
  } satisfies Partial<DirectionResult>);
  return result;
}
