/**
 * The result format as a JSON Schema (TypeBox), for everything that crosses
 * a trust boundary: result files given to `bench report`, and the configs
 * and reports a peer sends in remote mode. Published as
 * `schema/result.schema.json` (`npm run schema`) so that users can validate
 * results with any JSON Schema tool.
 *
 * The TypeScript interfaces in `schema.ts` stay the documented types the
 * printers use; `Same<>` checks below make the compiler prove that each
 * schema and its interface describe the same values, so the two cannot drift.
 *
 * TypeBox was chosen by measurement (docs/decisions.md): its compiled check of
 * a control message took ~70 ns here, against ~240 ns for Ajv, ~770 ns for Zod 4
 * and ~800 ns for Valibot, and its schemas are JSON Schema as they stand.
 *
 * Bounds are generous but finite: strings are capped (a peer cannot make us
 * hold or print megabytes), arrays are capped, numbers are finite.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type * as S from './types.js';
import { MAX_CLIENTS, MAX_SERVER_RECEIVERS, WARNING_CODES } from './types.js';
import type { IncompleteReason } from './incomplete.js';

import { Closed, Count, Num, NullOr, Text, publishedSchema } from './schema-parts.js';

const CountMap = () => Type.Record(Type.String({ maxLength: 64 }), Count());

/** The closed list of incomplete reasons (result/incomplete.ts). */
export const IncompleteReasonSchema = Type.Union([
  Type.Literal('interrupted'),
  Type.Literal('sender-timeout'),
  Type.Literal('worker-lost'),
  Type.Literal('peer-timeout'),
  Type.Literal('peer-interrupted'),
  Type.Literal('peer-gave-up'),
  Type.Literal('peer-aborted'),
  Type.Literal('no-peer-results'),
  Type.Literal('trial-incomplete'),
  Type.Literal('ceiling-unobserved'),
  Type.Literal('cell-failed'),
  Type.Literal('cell-incomplete'),
]);
export const ThreadModeSchema = Type.Union([Type.Literal('single'), Type.Literal('split')]);
const EndpointId = Type.Union([Type.Literal('A'), Type.Literal('B')]);

export const BufferSizeSchema = Type.Object({ requested: NullOr(Count()), effective: Count() }, Closed);

export const CpuTimeSchema = Type.Object(
  {
    thread: Text(32),
    userUs: Num(),
    systemUs: Num(),
    eventLoopUtilization: NullOr(Num()),
    sentDatagrams: Type.Optional(Count()),
    receivedDatagrams: Type.Optional(Count()),
    usPerDatagram: Type.Optional(NullOr(Type.Number({ minimum: 0 }))),
  },
  Closed,
);

export const EndpointResultSchema = Type.Object(
  {
    id: EndpointId,
    address: Text(64),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    threads: ThreadModeSchema,
    rcvbuf: BufferSizeSchema,
    sndbuf: BufferSizeSchema,
    leaked: Count(),
    peerSources: Type.Array(Text(64), { maxItems: 64 }),
    observedAs: Type.Optional(Text(80)),
    cpu: Type.Array(CpuTimeSchema, { maxItems: 16 }),
    warmupSent: Count(),
    warmupReceived: Count(),
  },
  Closed,
);

export const LatencyUsSchema = Type.Object(
  {
    p50: NullOr(Num()),
    p90: NullOr(Num()),
    p99: NullOr(Num()),
    max: NullOr(Num()),
    note: Text(),
    method: Type.Optional(Type.Union([Type.Literal('shared-clock'), Type.Literal('estimated-offset')])),
    offsetUs: Type.Optional(Num()),
    driftPpm: Type.Optional(Num()),
    boundUs: Type.Optional(Num()),
  },
  Closed,
);

export const QueueingDelayUsSchema = Type.Object({ p50: NullOr(Num()), p99: NullOr(Num()), baseUs: Num(), idleProbeUs: Num() }, Closed);

export const IntervalSampleSchema = Type.Object(
  {
    t: Num(),
    sent: NullOr(Count()),
    received: NullOr(Count()),
    lost: NullOr(Count()),
    frameDelayMaxUs: Type.Optional(NullOr(Num())),
    delayMeanUs: Type.Optional(NullOr(Num())),
    delayMaxUs: Type.Optional(NullOr(Num())),
  },
  Closed,
);

export const FrameResultSchema = Type.Object(
  {
    sent: NullOr(Count()),
    complete: NullOr(Count()),
    incomplete: NullOr(Type.Integer()),
    partial: NullOr(Count()),
    sentByEndMarker: NullOr(Count()),
    lossPercent: NullOr(Num()),
    delayUs: LatencyUsSchema,
    burst: NullOr(Type.Object({ datagramsP50: Count(), datagramsMax: Count(), bytesMax: Count() }, Closed)),
  },
  Closed,
);

export const PacingErrorUsSchema = Type.Object({ p50: Num(), p99: Num(), max: Num(), per: Type.Union([Type.Literal('datagram'), Type.Literal('turn')]) }, Closed);

export const RxQueuePeakSchema = Type.Object(
  { bytes: Count(), datagrams: NullOr(Count()), truesizeBytes: NullOr(Count()), rcvbufEffectiveBytes: Count(), sampleIntervalMs: Num(), samples: Count() },
  Closed,
);

export const StallResultSchema = Type.Object({ count: Count(), maxMs: Num(), totalMs: Num() }, Closed);

const PatternOfferSchema = Type.Object(
  { datagramsPerSecond: Num(), bitsPerSecond: Num(), framesPerSecond: Num(), maxFrameDatagrams: Count(), maxFrameBytes: Count() },
  Closed,
);

export const PatternConfigSchema = Type.Union([
  Type.Object({ kind: Type.Literal('cbr') }, Closed),
  // Bounded: a listener runs the B→A pattern a client's config describes.
  Type.Object(
    { kind: Type.Literal('voice'), sizeBytes: Type.Integer({ minimum: 48, maximum: 65527 }), intervalMs: Type.Number({ minimum: 0.001, maximum: 10_000 }), offered: PatternOfferSchema },
    Closed,
  ),
  Type.Object(
    {
      kind: Type.Literal('video'),
      maxDatagramBytes: Type.Integer({ minimum: 48, maximum: 65527 }),
      fps: Type.Number({ minimum: 1, maximum: 1000 }),
      bitsPerSecond: Type.Number({ minimum: 8, maximum: 1e11 }),
      keyframeIntervalSeconds: Type.Number({ minimum: 0.001, maximum: 3600 }),
      keyframeRatio: Type.Number({ minimum: 1, maximum: 100 }),
      seed: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
      offered: PatternOfferSchema,
    },
    Closed,
  ),
  Type.Object({ kind: Type.Literal('trace'), file: Text(256), rows: Count(), periodMs: Num(), offered: PatternOfferSchema }, Closed),
]);

export const StallConfigSchema = Type.Object({ ms: Type.Number({ minimum: 0, maximum: 10_000 }), everySeconds: Type.Number({ exclusiveMinimum: 0, maximum: 3600 }) }, Closed);

export const LossAttributionSchema = Type.Object({ sender: Count(), kernel: Count(), network: Type.Integer() }, Closed);

export const LossCheckSchema = Type.Object(
  { lostBySequence: NullOr(Type.Integer()), kernelDrops: NullOr(Type.Integer()), agree: Type.Boolean(), note: NullOr(Text()) },
  Closed,
);

export const WireFormatSchema = Type.Union([Type.Literal('udx'), Type.Literal('rtp')]);
export const VoiceCodecSchema = Type.Union([Type.Literal('g711'), Type.Literal('g711-noplc'), Type.Literal('g729a')]);
const Share = () => Type.Number({ minimum: 0, maximum: 1 });
const Percent = () => Type.Number({ minimum: 0, maximum: 100 });

export const RtpResultSchema = Type.Object(
  {
    ssrc: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    payloadType: Type.Integer({ minimum: 0, maximum: 127 }),
    encoding: Text(16),
    clockRate: Type.Integer({ minimum: 0, maximum: 1e7 }),
    packets: Count(),
    expected: Count(),
    cumulativeLost: Type.Integer(),
    seqErrors: Count(),
    jitterMs: Num(),
    jitterMeanMs: Num(),
    jitterMaxMs: Num(),
    rtcpPackets: Count(),
    receiverReport: NullOr(
      Type.Object(
        { reports: Count(), fractionLostPercent: Percent(), cumulativeLost: Type.Integer(), extendedHighestSeq: Count(), jitterMs: Num() },
        Closed,
      ),
    ),
  },
  Closed,
);

export const LossShapeResultSchema = Type.Object(
  {
    gmin: Type.Integer({ minimum: 1, maximum: 255 }),
    burstDensity: NullOr(Share()),
    gapDensity: NullOr(Share()),
    meanBurstMs: NullOr(Num()),
    meanGapMs: NullOr(Num()),
    bursts: Count(),
    burstR: NullOr(Type.Number({ minimum: 0 })),
    reordered: Count(),
  },
  Closed,
);

export const PlayoutRowSchema = Type.Object(
  {
    playoutMs: Type.Number({ minimum: 0, maximum: 10_000 }),
    lateDatagrams: Count(),
    latePercent: Percent(),
    lateFramesPercent: NullOr(Percent()),
    lossAndLatePercent: NullOr(Percent()),
    r: NullOr(Num()),
    mos: NullOr(Type.Number({ minimum: 1, maximum: 4.5 })),
  },
  Closed,
);

export const PlayoutResultSchema = Type.Object(
  {
    baseDelayMs: Num(),
    maxLatePercent: Percent(),
    datagrams: Count(),
    neededMs: Type.Number({ minimum: 0 }),
    neededLateDatagrams: Count(),
    rows: Type.Array(PlayoutRowSchema, { maxItems: 16 }),
  },
  Closed,
);

export const VoiceQualityResultSchema = Type.Object(
  {
    codec: VoiceCodecSchema,
    ie: Num(),
    bpl: Num(),
    playoutMs: Type.Number({ minimum: 0 }),
    networkDelayMs: Num(),
    delaySource: Type.Union([Type.Literal('one-way'), Type.Literal('half-rtt')]),
    mouthToEarMs: Num(),
    effectiveLossPercent: Percent(),
    burstR: Type.Number({ minimum: 0 }),
    r: Num(),
    mos: Type.Number({ minimum: 1, maximum: 4.5 }),
  },
  Closed,
);

export const DirectionResultSchema = Type.Object(
  {
    from: EndpointId,
    to: EndpointId,
    sent: NullOr(Count()),
    received: NullOr(Count()),
    lost: NullOr(Type.Integer()),
    duplicates: NullOr(Count()),
    reordered: NullOr(Count()),
    late: NullOr(Count()),
    foreign: NullOr(Count()),
    foreignOutOfWindow: Type.Optional(Count()),
    lossPercent: NullOr(Num()),
    sendErrors: CountMap(),
    kernelDrops: NullOr(Type.Integer()),
    lossAttribution: NullOr(LossAttributionSchema),
    durationSeconds: NullOr(Num()),
    offeredPps: NullOr(Num()),
    undersent: NullOr(Type.Boolean()),
    sentPps: NullOr(Num()),
    receivedPps: NullOr(Num()),
    bitsPerSecond: NullOr(Num()),
    jitterMs: NullOr(Num()),
    latencyUs: LatencyUsSchema,
    rttUs: Type.Optional(LatencyUsSchema),
    // One per measured second: a day-long run stays well inside.
    intervals: Type.Array(IntervalSampleSchema, { maxItems: 100_000 }),
    endMarkerSeen: NullOr(Type.Boolean()),
    check: LossCheckSchema,
    observedBy: Type.Optional(Type.Union([Type.Literal('both'), Type.Literal('sender'), Type.Literal('receiver')])),
    frames: Type.Optional(NullOr(FrameResultSchema)),
    rtp: Type.Optional(NullOr(RtpResultSchema)),
    lossShape: Type.Optional(NullOr(LossShapeResultSchema)),
    playout: Type.Optional(NullOr(PlayoutResultSchema)),
    voice: Type.Optional(NullOr(VoiceQualityResultSchema)),
    pacingErrorUs: Type.Optional(NullOr(PacingErrorUsSchema)),
    rxQueuePeak: Type.Optional(NullOr(RxQueuePeakSchema)),
    stalls: Type.Optional(NullOr(StallResultSchema)),
    queueingDelayUs: Type.Optional(NullOr(QueueingDelayUsSchema)),
    sharedClockCheckUs: Type.Optional(Type.Object({ p50: Num(), p99: Num() }, Closed)),
  },
  Closed,
);

export const KernelCountersSchema = Type.Object(
  { available: Type.Boolean(), source: Text(), delta: Type.Record(Type.String({ maxLength: 64 }), Type.Integer()), note: Text() },
  Closed,
);

export const EthtoolInfoSchema = Type.Object(
  {
    rings: NullOr(Type.Object({ current: CountMap(), max: CountMap() }, Closed)),
    offloads: NullOr(Type.Record(Type.String({ maxLength: 128 }), Text(32))),
  },
  Closed,
);

export const EnvironmentSchema = Type.Object(
  {
    hostname: Text(256),
    nodeVersion: Text(64),
    platform: Text(64),
    osRelease: Text(256),
    kernel: Text(512),
    arch: Text(64),
    cpuModel: Text(256),
    cpuCount: Count(),
    availableParallelism: Count(),
    totalMemoryBytes: Count(),
    sysctls: Type.Record(Type.String({ maxLength: 128 }), NullOr(Text(256))),
    mtu: NullOr(Count()),
    interfaceName: NullOr(Text(64)),
    ethtool: Type.Optional(NullOr(EthtoolInfoSchema)),
  },
  Closed,
);

export const RunConfigSchema = Type.Object(
  {
    host: Text(64),
    family: Type.Union([Type.Literal(4), Type.Literal(6)]),
    port: NullOr(Type.Integer({ minimum: 0, maximum: 65535 })),
    peer: NullOr(Text(80)),
    sizeBytes: Type.Integer({ minimum: 1, maximum: 65535 }),
    rateAbPps: NullOr(Type.Number({ minimum: 0, maximum: 1e9 })),
    rateBaPps: NullOr(Type.Number({ minimum: 0, maximum: 1e9 })),
    rateAbText: Text(64),
    rateBaText: Text(64),
    durationSeconds: Type.Number({ minimum: 0, maximum: 86_400 * 7 }),
    omitSeconds: Type.Number({ minimum: 0, maximum: 86_400 * 7 }),
    threadsRequested: Type.Union([Type.Literal('single'), Type.Literal('split'), Type.Literal('auto')]),
    threads: ThreadModeSchema,
    rcvbufBytes: NullOr(Count()),
    sndbufBytes: NullOr(Count()),
    sendBatch: Type.Integer({ minimum: 1, maximum: 65536 }),
    peerTimeoutSeconds: Type.Number({ minimum: 0, maximum: 86_400 }),
    clients: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLIENTS })),
    serverReceivers: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_SERVER_RECEIVERS })),
    patternAb: Type.Optional(PatternConfigSchema),
    patternBa: Type.Optional(PatternConfigSchema),
    stall: Type.Optional(NullOr(StallConfigSchema)),
    wireAb: Type.Optional(WireFormatSchema),
    wireBa: Type.Optional(WireFormatSchema),
    playoutMs: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 10_000 }), { minItems: 1, maxItems: 16 })),
    maxLatePercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    codec: Type.Optional(VoiceCodecSchema),
  },
  Closed,
);

export const RunWarningSchema = Type.Object(
  {
    code: Type.Enum([...WARNING_CODES]),
    direction: Type.Optional(Type.Union([Type.Literal('A→B'), Type.Literal('B→A')])),
    message: Text(),
    hint: Type.Optional(Text()),
  },
  Closed,
);

const ResultBaseProperties = {
  schemaVersion: Type.Integer({ minimum: 1 }),
  tool: Type.Object({ name: Text(64), version: Text(64) }, Closed),
  startedAt: Text(64),
  complete: Type.Boolean(),
  incompleteReason: NullOr(IncompleteReasonSchema),
  mode: Type.Union([Type.Literal('local'), Type.Literal('remote')]),
  config: RunConfigSchema,
  environment: EnvironmentSchema,
  warnings: Type.Array(RunWarningSchema, { maxItems: 1000 }),
  elapsedSeconds: Num(),
};

export const PeerResultSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 1, maximum: MAX_CLIENTS }),
    address: Text(64),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    directions: Type.Array(DirectionResultSchema, { maxItems: 2 }),
    warmupSent: Type.Optional(Type.Object({ ab: NullOr(Type.Integer({ minimum: 0 })), ba: NullOr(Type.Integer({ minimum: 0 })) }, Closed)),
  },
  Closed,
);

export const DuplexResultSchema = Type.Object(
  {
    ...ResultBaseProperties,
    kind: Type.Literal('duplex'),
    endpoints: Type.Array(EndpointResultSchema, { maxItems: 1 + MAX_CLIENTS }),
    directions: Type.Array(DirectionResultSchema, { maxItems: 2 }),
    kernel: KernelCountersSchema,
    peerKernel: Type.Optional(KernelCountersSchema),
    peerEnvironment: Type.Optional(EnvironmentSchema),
    peers: Type.Optional(Type.Array(PeerResultSchema, { maxItems: MAX_CLIENTS })),
    fairness: Type.Optional(Type.Object({ abJain: NullOr(Type.Number({ minimum: 0, maximum: 1 })), baJain: NullOr(Type.Number({ minimum: 0, maximum: 1 })) }, Closed)),
    cpuCost: Type.Optional(
      Type.Object(
        { usPerDatagramCarried: NullOr(Type.Number({ minimum: 0 })), datagrams: Count(), cpuUs: Type.Number({ minimum: 0 }), coresFor100kEachWay: NullOr(Type.Number({ minimum: 0 })) },
        Closed,
      ),
    ),
  },
  Closed,
);

export const SearchSettingsSchema = Type.Object(
  {
    lossThresholdPercent: Num(),
    floorPps: Num(),
    ceilingPps: NullOr(Num()),
    trialSeconds: Num(),
    maxTrials: Count(),
    confirmTrials: Count(),
    resolutionPercent: Num(),
    minSentFraction: Num(),
    ceilingHeadroom: Num(),
  },
  Closed,
);

const SearchRatesSchema = Type.Object({ abPps: Num(), baPps: Num() }, Closed);

export const SearchTrialDirectionSchema = Type.Object(
  {
    role: Type.Union([Type.Literal('ceiling'), Type.Literal('search'), Type.Literal('confirm'), Type.Literal('hold')]),
    offeredPps: Num(),
    outcome: Type.Object({ offeredPps: Num(), sentPps: NullOr(Num()), lossPercent: NullOr(Num()) }, Closed),
    pass: Type.Boolean(),
    verdict: Type.Union([Type.Literal('pass'), Type.Literal('loss'), Type.Literal('undersent'), Type.Literal('unobserved')]),
    reason: Type.Optional(NullOr(Text())),
  },
  Closed,
);

export const SearchTrialSchema = Type.Object(
  {
    index: Count(),
    phase: Type.Union([Type.Literal('ceiling'), Type.Literal('search'), Type.Literal('confirm')]),
    rates: SearchRatesSchema,
    ab: SearchTrialDirectionSchema,
    ba: SearchTrialDirectionSchema,
  },
  Closed,
);

export const SearchDirectionResultSchema = Type.Object(
  {
    ratePps: NullOr(Num()),
    lossPercentAtRate: NullOr(Num()),
    lowestFailingPps: NullOr(Num()),
    limitedBy: Type.Union([Type.Literal('loss'), Type.Literal('undersent'), Type.Literal('unobserved'), Type.Literal('ceiling'), Type.Literal('floor'), Type.Literal('max-trials')]),
    confirmed: Type.Boolean(),
    trials: Count(),
    recheckFailures: Type.Optional(Count()),
  },
  Closed,
);

export const SearchCeilingSchema = Type.Object(
  { source: Type.Union([Type.Literal('option'), Type.Literal('measured')]), rates: SearchRatesSchema, measured: NullOr(SearchRatesSchema) },
  Closed,
);

export const SearchResultSchema = Type.Object(
  {
    ...ResultBaseProperties,
    kind: Type.Literal('search'),
    search: SearchSettingsSchema,
    ceiling: NullOr(SearchCeilingSchema),
    directions: NullOr(Type.Object({ ab: SearchDirectionResultSchema, ba: SearchDirectionResultSchema }, Closed)),
    trials: Type.Array(SearchTrialSchema, { maxItems: 10_000 }),
    trialRuns: Type.Array(DuplexResultSchema, { maxItems: 10_000 }),
    ceilingRun: NullOr(DuplexResultSchema),
  },
  Closed,
);

const ThreadsRequested = Type.Union([Type.Literal('single'), Type.Literal('split'), Type.Literal('auto')]);

const SweepAxesSchema = Type.Object(
  {
    rcvbufBytes: Type.Array(NullOr(Count()), { maxItems: 1000 }),
    sndbufBytes: Type.Array(NullOr(Count()), { maxItems: 1000 }),
    sizeBytes: Type.Array(Count(), { maxItems: 1000 }),
    rates: Type.Array(Text(64), { maxItems: 1000 }),
    threads: Type.Array(ThreadsRequested, { maxItems: 3 }),
    clients: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: MAX_CLIENTS }), { maxItems: MAX_CLIENTS })),
    stalls: Type.Optional(Type.Array(NullOr(StallConfigSchema), { maxItems: 100 })),
  },
  Closed,
);

const SweepCellSchema = Type.Object(
  {
    index: Count(),
    rcvbufBytes: NullOr(Count()),
    sndbufBytes: NullOr(Count()),
    sizeBytes: Count(),
    rateText: NullOr(Text(64)),
    threads: ThreadsRequested,
    clients: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLIENTS })),
    stall: Type.Optional(NullOr(StallConfigSchema)),
    run: NullOr(DuplexResultSchema),
    search: NullOr(SearchResultSchema),
    error: NullOr(Text()),
  },
  Closed,
);

export const SweepResultSchema = Type.Object(
  {
    ...ResultBaseProperties,
    kind: Type.Literal('sweep'),
    axes: SweepAxesSchema,
    findMax: NullOr(SearchSettingsSchema),
    plannedCells: Count(),
    cells: Type.Array(SweepCellSchema, { maxItems: 100_000 }),
  },
  Closed,
);

/** Any result file this tool writes (schema version {@link S.SCHEMA_VERSION}). */
export const AnyResultSchema = Type.Union([DuplexResultSchema, SearchResultSchema, SweepResultSchema], {
  $id: 'https://udp-duplex-lab.invalid/schema/result.schema.json',
  title: 'udp-duplex-lab result',
  description: 'A result of bench duplex, bench duplex --find-max or bench sweep (schemaVersion 2). Units are in the field names.',
});

// --- The compiler proves that each schema and its interface are the same type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const proofs: {
  incompleteReason: Same<Static<typeof IncompleteReasonSchema>, IncompleteReason>;
  direction: Same<Static<typeof DirectionResultSchema>, S.DirectionResult>;
  endpoint: Same<Static<typeof EndpointResultSchema>, S.EndpointResult>;
  config: Same<Static<typeof RunConfigSchema>, S.RunConfig>;
  environment: Same<Static<typeof EnvironmentSchema>, S.Environment>;
  duplex: Same<Static<typeof DuplexResultSchema>, S.DuplexResult>;
  search: Same<Static<typeof SearchResultSchema>, S.SearchResult>;
  sweep: Same<Static<typeof SweepResultSchema>, S.SweepResult>;
} = { incompleteReason: true, direction: true, endpoint: true, config: true, environment: true, duplex: true, search: true, sweep: true };
void proofs;

/** Compiled checkers (compiled once, on first use). */
const compiled = new Map<TSchema, ReturnType<typeof Compile>>();
function checker(schema: TSchema): ReturnType<typeof Compile> {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

/** The first problem of a value against a schema: `null` when it is valid. */
export interface SchemaProblem {
  /** JSON Pointer to the offending value (`/directions/0/sent`). */
  path: string;
  message: string;
}

/** Validates `value`; returns `null` or the most specific problem found. Never throws. */
export function firstProblem(schema: TSchema, value: unknown): SchemaProblem | null {
  const c = checker(schema);
  if (c.Check(value)) return null;
  // The deepest path is the most useful one to show a person.
  let best: SchemaProblem | null = null;
  for (const e of c.Errors(value)) {
    const p = { path: e.instancePath === '' ? '/' : e.instancePath, message: e.message };
    if (best === null || p.path.length > best.path.length) best = p;
    if (best.path.length > 256) break;
  }
  return best ?? { path: '/', message: 'does not match the schema' };
}

/** A type guard from a schema. */
export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checker(schema).Check(value);
}

/**
 * The published JSON Schema document (draft 2020-12) of a result file, as
 * plain JSON: `schema/result.schema.json`. Subschemas that repeat (a search
 * holds duplex runs, a sweep holds both) are written once under `$defs` and
 * referenced, which keeps the file readable.
 */
export function resultJsonSchema(): Record<string, unknown> {
  return publishedSchema(AnyResultSchema, {
    Environment: EnvironmentSchema,
    RunConfig: RunConfigSchema,
    DirectionResult: DirectionResultSchema,
    DuplexResult: DuplexResultSchema,
    SearchSettings: SearchSettingsSchema,
    SearchResult: SearchResultSchema,
  });
}
