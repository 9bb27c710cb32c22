/**
 * The published schemas of this project's own speed measurements
 * (`schema/perf.schema.json`, `schema/micro.schema.json`, `npm run schema`):
 *  - `perf`: one `npm run bench:perf` run (scripts/perf.mjs): every
 *    contender's search, the ratios decided from them, the targets, memory and
 *    the micro-benchmarks of the same run;
 *  - `perf-nodes`: the same searches under several Node versions (PERF_NODE);
 *  - `ab`: an A/B of one change, rounds side by side (scripts/ab-single-connect.mjs);
 *  - `micro`: `bench micro --json`.
 * The scripts are plain JavaScript, so nothing but these schemas (and the test
 * that checks every file in results/ against them) holds them to one shape.
 * A search's trials and per-direction figures are the same objects as in a
 * `bench duplex --find-max` result (schema.ts).
 */
import Type, { type Static } from 'typebox';
import { EnvironmentSchema, SearchCeilingSchema, SearchDirectionResultSchema, SearchTrialSchema } from './schema.js';
import { Closed, Count, Num, NullOr, Text, publishedSchema } from './schema-parts.js';
import type { MicroResult } from './micro.js';

const Name = () => Text(128);
const Bytes = () => NullOr(Count());

// --- bench micro --------------------------------------------------------

const MicroRowSchema = Type.Object(
  { name: Name(), nsPerOp: Num(), opsPerSecond: Num(), samples: Count(), rme: Num(), p99Ns: Type.Optional(Num()) },
  Closed,
);

export const MicroResultSchema = Type.Object(
  {
    kind: Type.Literal('micro'),
    schemaVersion: Type.Integer({ minimum: 1 }),
    tool: Type.Object({ name: Text(64), version: Text(64) }, Closed),
    startedAt: Text(64),
    complete: Type.Boolean(),
    environment: EnvironmentSchema,
    timeMs: Num(),
    batchSize: Count(),
    rows: Type.Array(MicroRowSchema, { maxItems: 1000 }),
    target: Type.Object(
      { name: Name(), limitNs: Num(), measuredNs: Num(), pass: Type.Boolean(), heapBytesPerOp: Type.Optional(Num()) },
      Closed,
    ),
  },
  Closed,
);

// --- bench:perf searches --------------------------------------------------

/** A search's status in words (scripts/perf.mjs STATUS_LEGEND): only `confirmed` and `undersent` are measured limits. */
const PerfStatusSchema = Type.Union(
  ['confirmed', 'unconfirmed', 'undersent', 'ceiling', 'max trials', 'floor', 'unobserved', 'error'].map((s) => Type.Literal(s)),
);

const PerfSearchDirectionSchema = Type.Object({ ...SearchDirectionResultSchema.properties, status: PerfStatusSchema }, Closed);

const PerfTrialSchema = Type.Object({ ...SearchTrialSchema.properties, detail: Text() }, Closed);

const PerfSearchSchema = Type.Object(
  {
    contender: Name(),
    traffic: Name(),
    sizeBytes: Count(),
    symmetric: Type.Boolean(),
    ratePps: NullOr(Num()),
    status: PerfStatusSchema,
    /** Why the search could not run (status `error`). */
    error: Type.Optional(Text()),
    /** Simplex contenders search A→B only; a search that errored has neither. */
    directions: Type.Object({ ab: Type.Optional(PerfSearchDirectionSchema), ba: Type.Optional(PerfSearchDirectionSchema) }, Closed),
    ceiling: NullOr(SearchCeilingSchema),
    flood: NullOr(Type.Object({ abPps: NullOr(Num()), baPps: NullOr(Num()) }, Closed)),
    trials: Type.Array(PerfTrialSchema, { maxItems: 1000 }),
    /** `--clients N` contenders: N, and the one server port's aggregate per direction (N × the per-client rate). */
    clients: Type.Optional(Count()),
    aggregatePps: Type.Optional(NullOr(Num())),
  },
  Closed,
);

const MachineSchema = Type.Object({ cpuModel: Text(256), cores: Count(), kernel: Text(256) }, Closed);

const CriteriaSchema = Type.Object(
  {
    lossThresholdPercent: Num(),
    floorPps: Num(),
    resolutionPercent: Num(),
    minSentFraction: Num(),
    confirmTrials: Count(),
    ceilingHeadroom: Num(),
    maxTrials: Count(),
    rule: Text(),
    trialSeconds: Num(),
    omitSeconds: Num(),
    socketBufferBytes: Bytes(),
    host: Text(64),
  },
  Closed,
);

const SkippedSchema = Type.Object({ contender: Name(), reason: Text() }, Closed);

const ContenderSchema = Type.Object(
  {
    traffic: Name(),
    informational: Type.Optional(Type.Boolean()),
    description: Text(),
    version: NullOr(Text(256)),
    sizes: Type.Array(Count(), { maxItems: 100 }),
    skipped: NullOr(Text()),
  },
  Closed,
);

const RatioSchema = Type.Object({ value: NullOr(Num()), inputs: Type.Array(Text(), { maxItems: 10 }), decided: Type.Boolean() }, Closed);

/** A target: `pass` is `null` when it could not be decided (an input missing, or not a measured limit). */
const TargetSchema = Type.Object({ name: Text(256), value: NullOr(Num()), limit: Text(64), pass: NullOr(Type.Boolean()), note: NullOr(Text()) }, Closed);

const MemorySchema = Type.Object(
  {
    seconds: Num(),
    status: Type.Union([Type.Literal('measured'), Type.Literal('failed')]),
    reason: NullOr(Text()),
    samples: Count(),
    baselineBytes: Bytes(),
    peakBytes: Bytes(),
    growthBytes: NullOr(Type.Integer()),
  },
  Closed,
);

const perfHead = {
  schemaVersion: Type.Literal(2),
  startedAt: Text(64),
  /** A check of the script (one short search each), not a publication. */
  quick: Type.Boolean(),
  machine: MachineSchema,
  environment: EnvironmentSchema,
  criteria: CriteriaSchema,
};

export const PerfResultSchema = Type.Object(
  {
    kind: Type.Literal('perf'),
    ...perfHead,
    versions: Type.Object({ node: Text(64), tool: Text(128), iperf3: NullOr(Text(128)) }, Closed),
    contenders: Type.Record(Name(), ContenderSchema),
    searches: Type.Array(PerfSearchSchema, { maxItems: 1000 }),
    skipped: Type.Array(SkippedSchema, { maxItems: 1000 }),
    ratios: Type.Record(Name(), RatioSchema),
    targets: Type.Array(TargetSchema, { maxItems: 100 }),
    memory: MemorySchema,
    micro: MicroResultSchema,
  },
  Closed,
);

const NodeRowSchema = Type.Object(
  {
    major: Count(),
    node: NullOr(Text(64)),
    binary: NullOr(Text(1024)),
    skipped: NullOr(Text()),
    error: NullOr(Text()),
    searches: Type.Array(PerfSearchSchema, { maxItems: 1000 }),
    skippedContenders: Type.Optional(Type.Array(SkippedSchema, { maxItems: 1000 })),
  },
  Closed,
);

export const PerfNodesResultSchema = Type.Object(
  {
    kind: Type.Literal('perf-nodes'),
    ...perfHead,
    versions: Type.Object({ parentNode: Text(64), tool: Text(128), iperf3: NullOr(Text(128)) }, Closed),
    contenders: Type.Array(Name(), { maxItems: 100 }),
    nodes: Type.Array(NodeRowSchema, { maxItems: 100 }),
    iperf3: NullOr(Type.Object({ skipped: NullOr(Text()), searches: Type.Array(PerfSearchSchema, { maxItems: 100 }) }, Closed)),
  },
  Closed,
);

// --- A/B of one change ----------------------------------------------------

const AbDirectionSchema = Type.Object(
  { from: Text(8), sentPps: NullOr(Num()), receivedPps: NullOr(Num()), lossPercent: NullOr(Num()), foreign: Count(), checkAgree: NullOr(Type.Boolean()) },
  Closed,
);
const AbRunSchema = Type.Object({ sentPps: Num(), receivedPps: Num(), directions: Type.Array(AbDirectionSchema, { maxItems: 2 }), complete: Type.Boolean() }, Closed);
const AbSummarySchema = Type.Object({ sentPpsMean: Num(), sentPpsSd: Num(), receivedPpsMean: Num(), receivedPpsSd: Num() }, Closed);

export const AbResultSchema = Type.Object(
  {
    kind: Type.Literal('ab'),
    schemaVersion: Type.Literal(2),
    /** The change measured, in words. */
    change: Text(),
    date: Text(64),
    command: Text(),
    rounds: Count(),
    seconds: Num(),
    variants: Type.Array(Type.Object({ name: Name(), what: Text(), env: Type.Record(Text(64), Text(256)) }, Closed), { maxItems: 10 }),
    environment: EnvironmentSchema,
    summary: Type.Record(Name(), AbSummarySchema),
    ratio: Type.Object(
      { sentMeans: Num(), receivedMeans: Num(), sentPairedMedian: Num(), receivedPairedMedian: Num(), roundsConnectedSentMore: Count() },
      Closed,
    ),
    runs: Type.Array(Type.Record(Name(), AbRunSchema), { maxItems: 1000 }),
  },
  Closed,
);

// --- CPU per datagram (scripts/perf-cpu.mjs) ---------------------------------

const PerfCpuPointSchema = Type.Object(
  {
    contender: Name(),
    sizeBytes: Count(),
    ratePps: Num(),
    round: Count(),
    cpuUs: NullOr(Num()),
    datagrams: NullOr(Count()),
    usPerDatagram: NullOr(Num()),
    sentPpsAb: NullOr(Num()),
    sentPpsBa: NullOr(Num()),
    /** This tool only: its own threads' figure (result `cpuCost`), beside the whole process's. */
    threadsUsPerDatagram: NullOr(Num()),
    error: NullOr(Text()),
    /** With a short run beside the long one (absent in files before it): its CPU and datagrams, and the steady-state cost from the difference. */
    shortCpuUs: Type.Optional(NullOr(Num())),
    shortDatagrams: Type.Optional(NullOr(Count())),
    steadyUsPerDatagram: Type.Optional(NullOr(Num())),
  },
  Closed,
);

export const PerfCpuResultSchema = Type.Object(
  {
    kind: Type.Literal('perf-cpu'),
    schemaVersion: Type.Literal(2),
    startedAt: Text(64),
    tool: Type.Object({ name: Text(64), version: Text(64) }, Closed),
    environment: EnvironmentSchema,
    settings: Type.Object(
      {
        seconds: Num(),
        /** The short run's seconds (steady-state figures); absent without one. */
        shortSeconds: Type.Optional(Num()),
        rounds: Count(),
        ratesPps: Type.Array(Num(), { maxItems: 16 }),
        sizesBytes: Type.Array(Count(), { maxItems: 16 }),
        bufferBytes: Count(),
        measure: Text(),
        /** The rate each way the cores projection is for. */
        projectionPpsEachWay: Num(),
      },
      Closed,
    ),
    contenders: Type.Array(Type.Object({ name: Name(), description: Text() }, Closed), { maxItems: 16 }),
    points: Type.Array(PerfCpuPointSchema, { maxItems: 10_000 }),
    summary: Type.Array(
      Type.Object(
        {
          contender: Name(),
          sizeBytes: Count(),
          ratePps: Num(),
          usPerDatagramMedian: NullOr(Num()),
          usPerDatagramMin: NullOr(Num()),
          usPerDatagramMax: NullOr(Num()),
          runs: Count(),
          steadyUsPerDatagramMedian: Type.Optional(NullOr(Num())),
          steadyUsPerDatagramMin: Type.Optional(NullOr(Num())),
          steadyUsPerDatagramMax: Type.Optional(NullOr(Num())),
        },
        Closed,
      ),
      { maxItems: 1000 },
    ),
    ratios: Type.Array(
      Type.Object(
        {
          sizeBytes: Count(),
          ratePps: Num(),
          oursSingleOverPlain: NullOr(Num()),
          oursSingleOverIperf3: NullOr(Num()),
          oursSplitOverPlain: NullOr(Num()),
          oursSplitOverIperf3: NullOr(Num()),
          coresFor100kEachWay: Type.Record(Name(), NullOr(Num())),
          steadyOursSingleOverPlain: Type.Optional(NullOr(Num())),
          steadyOursSingleOverIperf3: Type.Optional(NullOr(Num())),
          steadyOursSplitOverPlain: Type.Optional(NullOr(Num())),
          steadyOursSplitOverIperf3: Type.Optional(NullOr(Num())),
        },
        Closed,
      ),
      { maxItems: 1000 },
    ),
  },
  Closed,
);

// --- K receivers on the server's port (scripts/perf-receivers.mjs) --------------

const PerfReceiversRunSchema = Type.Object(
  {
    variant: Name(),
    serverReceivers: Count(),
    clients: Count(),
    ratePerClientPps: Num(),
    round: Count(),
    complete: Type.Boolean(),
    /** Into the server, all clients: offered, sent (kernel-accepted) and received per second, loss % and the server sockets' kernel drops. */
    intoServer: Type.Object({ sentPps: NullOr(Num()), receivedPps: NullOr(Num()), lossPercent: NullOr(Num()), kernelDrops: NullOr(Count()), checkAgree: Type.Boolean() }, Closed),
    fromServer: Type.Object({ sentPps: NullOr(Num()), receivedPps: NullOr(Num()), lossPercent: NullOr(Num()) }, Closed),
    /** Datagrams each receiver thread of the server read (warm-up included), in the order they reported. */
    receiverShares: Type.Array(Count(), { maxItems: 16 }),
    /** CPU µs per datagram read, over the server's receiver threads; `null` when not observed. */
    receiverUsPerDatagram: NullOr(Num()),
    error: NullOr(Text()),
  },
  Closed,
);

export const PerfReceiversResultSchema = Type.Object(
  {
    kind: Type.Literal('perf-receivers'),
    schemaVersion: Type.Literal(2),
    startedAt: Text(64),
    command: Text(),
    node: Text(64),
    environment: EnvironmentSchema,
    settings: Type.Object({ seconds: Num(), rounds: Count(), sizeBytes: Count(), clients: Type.Array(Count(), { maxItems: 16 }), ratesPerClientPps: Type.Array(Num(), { maxItems: 16 }) }, Closed),
    runs: Type.Array(PerfReceiversRunSchema, { maxItems: 10_000 }),
    summary: Type.Array(
      Type.Object(
        {
          clients: Count(),
          ratePerClientPps: Num(),
          serverReceivers: Count(),
          runs: Count(),
          receivedIntoServerPpsMedian: NullOr(Num()),
          lossIntoServerPercentMedian: NullOr(Num()),
          receiverUsPerDatagramMedian: NullOr(Num()),
          /** K receivers against 1: median of the per-round ratios of received into the server (paired by round). */
          receivedRatioToOneMedian: NullOr(Num()),
        },
        Closed,
      ),
      { maxItems: 1000 },
    ),
  },
  Closed,
);

/** Any of the project's speed measurements in results/ (scripts/perf.mjs, scripts/ab-*.mjs, scripts/perf-cpu.mjs). */
export const AnyPerfResultSchema = Type.Union([PerfResultSchema, PerfNodesResultSchema, AbResultSchema, PerfCpuResultSchema, PerfReceiversResultSchema], {
  $id: 'https://udp-duplex-lab.invalid/schema/perf.schema.json',
  title: 'udp-duplex-lab speed measurements',
  description:
    'npm run bench:perf (kind perf), the same across Node versions (perf-nodes), A/B runs of one change (ab), CPU per datagram side by side (perf-cpu) and K receivers on the server port (perf-receivers), schemaVersion 2. Units are in the field names.',
});

/** The schema of each non-run kind, by `kind`: what `bench report` checks before it says what such a file is. */
export const PERF_KINDS = {
  perf: { schema: PerfResultSchema, published: 'schema/perf.schema.json', what: 'an npm run bench:perf run' },
  'perf-nodes': { schema: PerfNodesResultSchema, published: 'schema/perf.schema.json', what: 'an npm run bench:perf run across Node versions' },
  ab: { schema: AbResultSchema, published: 'schema/perf.schema.json', what: 'an A/B run of one change' },
  'perf-cpu': { schema: PerfCpuResultSchema, published: 'schema/perf.schema.json', what: 'a CPU-per-datagram run (scripts/perf-cpu.mjs)' },
  'perf-receivers': { schema: PerfReceiversResultSchema, published: 'schema/perf.schema.json', what: 'a run of K receivers on the server port (scripts/perf-receivers.mjs)' },
  micro: { schema: MicroResultSchema, published: 'schema/micro.schema.json', what: 'a bench micro run' },
} as const;

export type PerfKind = keyof typeof PERF_KINDS;

export function isPerfKind(kind: unknown): kind is PerfKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(PERF_KINDS, kind);
}

// The compiler proves that the micro schema and its interface describe the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const proof: Same<Static<typeof MicroResultSchema>, MicroResult> = true;
void proof;

/** The published documents (draft 2020-12), plain JSON, repeated parts under `$defs`. */
export function perfJsonSchema(): Record<string, unknown> {
  return publishedSchema(AnyPerfResultSchema, { Environment: EnvironmentSchema, PerfSearch: PerfSearchSchema, MicroResult: MicroResultSchema });
}
export function microJsonSchema(): Record<string, unknown> {
  // The identity only here: a perf file embeds the micro schema, and an `$id` inside it would rebase its references.
  const { $schema, ...doc } = publishedSchema(MicroResultSchema, { Environment: EnvironmentSchema });
  return {
    $schema,
    $id: 'https://udp-duplex-lab.invalid/schema/micro.schema.json',
    title: 'udp-duplex-lab micro-benchmarks',
    description: 'The result of bench micro --json: per-operation times of the per-datagram hot paths. Units are in the field names.',
    ...doc,
  };
}
