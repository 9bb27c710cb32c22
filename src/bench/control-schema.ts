/**
 * Schemas of every control message body and of the report a peer sends after
 * the data phase: nothing from the network is used before it passes one.
 * Bounds are finite everywhere (string lengths, array sizes, numbers), so a
 * peer cannot make us allocate, hold or print more than these say.
 */
import Type, { type Static } from 'typebox';
import { EndpointResultSchema, EnvironmentSchema, IncompleteReasonSchema, KernelCountersSchema, RunConfigSchema, RunWarningSchema, RxQueuePeakSchema, ThreadModeSchema, firstProblem, matches, type SchemaProblem } from '../result/schema.js';
import { MAX_CLIENTS } from '../result/types.js';
import { Closed, Count, NullOr, PRINTABLE, Text } from '../result/schema-parts.js';
import type { NegotiatedParams } from './control.js';
import type { ReceiverPartial, SenderPartial } from './messages.js';
import type { EndpointReport } from './endpoint.js';

const U32 = () => Type.Integer({ minimum: 0, maximum: 0xffffffff });
const Hex32 = () => Type.String({ pattern: '^[0-9a-f]{32}$' });
const SessionId = () => Type.Integer({ minimum: 1, maximum: 0xffffffff });
// Text a peer sends reaches a result file or a terminal: `Text` is printable and capped, the same rule as
// every string of the published result schema, so a listener never accepts what its own result schema would refuse.
const Reason = () => Type.String({ maxLength: 300 });
/** Error counts by code: the codes are printed (table, CSV), so they are printable and capped like any text. */
const CountMap = () => Type.Record(Type.String(), Count(), { propertyNames: { maxLength: 64, pattern: PRINTABLE } });

export const HelloBody = Type.Object({ v: Type.Integer({ minimum: 0, maximum: 1000 }), nonce: Hex32(), auth: NullOr(Type.String({ maxLength: 64 })) });
export const CookieBody = Type.Object({ cookie: Type.String({ maxLength: 64 }), nonce: Type.String({ maxLength: 64 }), auth: Type.Boolean(), you: Type.Optional(Text(80)) });
const Rate = () => NullOr(Type.Number({ minimum: 0, maximum: 1e8 }));
const Buf = () => NullOr(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 }));
export const NegotiatedParamsSchema = Type.Object(
  {
    sizeBytes: Type.Integer({ minimum: 0, maximum: 65535 }),
    rateAbPps: Rate(),
    rateBaPps: Rate(),
    durationSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }),
    omitSeconds: Type.Number({ minimum: 0, maximum: 86_400 }),
    rcvbufBytes: Buf(),
    sndbufBytes: Buf(),
    peerTimeoutSeconds: Type.Number({ exclusiveMinimum: 0, maximum: 3600 }),
  },
  Closed,
);
export const ParamsBody = Type.Object({ nonce: Hex32(), cookie: Type.String({ maxLength: 64 }), params: NegotiatedParamsSchema, config: RunConfigSchema, startedAt: Text(64) });
export const AcceptBody = Type.Object({ session: SessionId(), threads: ThreadModeSchema });
export const ReasonBody = Type.Object({ reason: Reason() });
export const GoAckBody = Type.Object({ startInMs: Type.Number({ minimum: 0, maximum: 60_000 }), echoNs: Type.Number({ minimum: 0 }) });
export const AckBody = Type.Object({ i: Type.Integer({ minimum: 0, maximum: 65535 }) });
/** A clock probe's reply: the probe's own t1 echoed and its arrival t2 at the listener (ns, the listener's clock). */
export const TimeReplyBody = Type.Object({ t1: Type.Number({ minimum: 0 }), t2: Type.Number({ minimum: 0 }) });
/** The go: the session, and the client's estimate of the listener's clock (listener − client, ns), when it has one. */
export const GoBody = Type.Object({ session: SessionId(), offsetNs: Type.Optional(Type.Number({ minimum: -1e18, maximum: 1e18 })) });
/** The client's clock probes, carried in its report: the best of each burst (RFC 5905 §8 timestamps, ns). */
const ClockSampleSchema = Type.Object({ t1: Type.Number(), t2: Type.Number(), t3: Type.Number(), t4: Type.Number() }, Closed);
export const ClockReportSchema = Type.Object({ before: Type.Array(ClockSampleSchema, { maxItems: 64 }), after: Type.Array(ClockSampleSchema, { maxItems: 64 }) }, Closed);

const Percentiles = Type.Object({ count: Count(), min: Type.Number(), p50: Type.Number(), p90: Type.Number(), p99: Type.Number(), max: Type.Number() }, Closed);
const MAX_INTERVALS = 100_000;

export const SenderPartialSchema = Type.Object(
  {
    sent: Count(),
    attempted: Count(),
    warmupSent: Count(),
    errors: CountMap(),
    measureErrors: Count(),
    seqEnd: Count(),
    measureStartNs: Type.Number({ minimum: 0 }),
    measureEndNs: Type.Number({ minimum: 0 }),
    intervalSent: Type.Array(Count(), { maxItems: MAX_INTERVALS }),
    peerDropsAtStart: NullOr(Type.Integer()),
    sentBytes: Count(),
    pacingErrorUs: NullOr(Type.Object({ count: Count(), p50: Type.Number(), p99: Type.Number(), max: Type.Number() }, Closed)),
    frames: NullOr(Type.Object({ sent: Count(), datagramsP50: Count(), datagramsMax: Count(), bytesMax: Count() }, Closed)),
  },
  Closed,
);

/** A peer's RTP, late-discard and loss-shape figures (udp/rtp.ts, udp/late.ts, udp/loss-shape.ts): bounded like every report field. */
const RtpReceiveSchema = Type.Object(
  {
    ssrc: U32(),
    payloadType: Type.Integer({ minimum: 0, maximum: 127 }),
    clockRate: Type.Integer({ minimum: 0, maximum: 1e7 }),
    packets: Count(),
    expected: Count(),
    seqErrors: Count(),
    otherSsrc: Count(),
    jitter: Type.Number({ minimum: 0 }),
    jitterMean: Type.Number({ minimum: 0 }),
    jitterMax: Type.Number({ minimum: 0 }),
  },
  Closed,
);
const LateCountsSchema = Type.Object(
  {
    baseUs: Type.Number({ minimum: 0 }),
    datagrams: Count(),
    playoutMs: Type.Array(Type.Number({ minimum: 0, maximum: 10_000 }), { maxItems: 16 }),
    lateDatagrams: Type.Array(Count(), { maxItems: 16 }),
    frames: NullOr(Count()),
    lateFrames: NullOr(Type.Array(Count(), { maxItems: 16 })),
    neededMs: Type.Number({ minimum: 0 }),
    lateAtNeeded: Count(),
    maxLatePercent: Type.Number({ minimum: 0, maximum: 100 }),
  },
  Closed,
);
const Share = () => NullOr(Type.Number({ minimum: 0, maximum: 1 }));
const LossShapeSchema = Type.Object(
  {
    gmin: Type.Integer({ minimum: 1, maximum: 255 }),
    packets: Count(),
    lost: Count(),
    burstDensity: Share(),
    gapDensity: Share(),
    burstDensity256: NullOr(Type.Integer({ minimum: 0, maximum: 255 })),
    gapDensity256: NullOr(Type.Integer({ minimum: 0, maximum: 255 })),
    meanBurstPackets: NullOr(Type.Number({ minimum: 0 })),
    meanGapPackets: NullOr(Type.Number({ minimum: 0 })),
    bursts: Count(),
    burstR: NullOr(Type.Number({ minimum: 0 })),
  },
  Closed,
);

export const ReceiverPartialSchema = Type.Object(
  {
    received: Count(),
    duplicates: Count(),
    reordered: Count(),
    late: Count(),
    expected: Count(),
    foreign: Count(),
    foreignBy: Type.Object(
      { truncated: Count(), badMagic: Count(), badVersion: Count(), wrongSession: Count(), wrongSource: Count(), wrongDirection: Count(), outOfWindow: Type.Optional(Count()) },
      Closed,
    ),
    warmupReceived: Count(),
    jitterNs: Type.Number({ minimum: 0 }),
    delay: NullOr(Percentiles),
    rtt: NullOr(Percentiles),
    endMarkerSeen: Type.Boolean(),
    end: NullOr(Type.Object({ seqEnd: Count(), sent: Count(), burned: Count() }, Closed)),
    endMarkers: Count(),
    sources: Type.Array(Text(64), { maxItems: 64 }),
    intervalReceived: Type.Array(Count(), { maxItems: MAX_INTERVALS }),
    intervalExpected: Type.Array(Count(), { maxItems: MAX_INTERVALS }),
    receivedBytes: Count(),
    delaySharedClock: Type.Optional(NullOr(Percentiles)),
    intervalDelayMeanUs: Type.Array(NullOr(Type.Number()), { maxItems: MAX_INTERVALS }),
    intervalDelayMaxUs: Type.Array(NullOr(Type.Number()), { maxItems: MAX_INTERVALS }),
    frames: NullOr(
      Type.Object(
        {
          complete: Count(),
          partial: Count(),
          highest: Count(),
          lateDatagrams: Count(),
          badFrames: Count(),
          endFrames: NullOr(Count()),
          delay: NullOr(Percentiles),
          intervalFrameDelayMaxUs: Type.Array(Count(), { maxItems: MAX_INTERVALS }),
        },
        Closed,
      ),
    ),
    stalls: NullOr(Type.Object({ count: Count(), maxMs: Type.Number({ minimum: 0 }), totalMs: Type.Number({ minimum: 0 }) }, Closed)),
    rtp: Type.Optional(RtpReceiveSchema),
    rtcpPackets: Type.Optional(Count()),
    rtcpIn: Type.Optional(
      Type.Object(
        {
          senderReports: Count(),
          receiverReports: Count(),
          refused: Count(),
          last: NullOr(Type.Object({ fractionLost: Type.Integer({ minimum: 0, maximum: 255 }), cumulativeLost: Type.Integer({ minimum: -0x800000, maximum: 0x7fffff }), extendedHighestSeq: U32(), jitter: U32() }, Closed)),
        },
        Closed,
      ),
    ),
    lateCounts: Type.Optional(LateCountsSchema),
    lossShape: Type.Optional(LossShapeSchema),
  },
  Closed,
);

const PeerReportSchema = Type.Object(
  {
    // A peer's text reaches results and logs: no control characters (as every result string).
    address: Text(64),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    sender: NullOr(SenderPartialSchema),
    receiver: NullOr(ReceiverPartialSchema),
  },
  Closed,
);

export const EndpointReportSchema = Type.Object(
  {
    endpoint: EndpointResultSchema,
    sender: NullOr(SenderPartialSchema),
    receiver: NullOr(ReceiverPartialSchema),
    kernelDrops: NullOr(Type.Integer()),
    extraForeign: Count(),
    dropsAtEnd: NullOr(Type.Integer()),
    complete: Type.Boolean(),
    rxQueue: NullOr(RxQueuePeakSchema),
    peers: Type.Optional(Type.Array(PeerReportSchema, { maxItems: MAX_CLIENTS })),
  },
  Closed,
);

export const RemoteReportSchema = Type.Object(
  {
    report: EndpointReportSchema,
    kernel: KernelCountersSchema,
    environment: EnvironmentSchema,
    complete: Type.Boolean(),
    incompleteReason: NullOr(IncompleteReasonSchema),
    warnings: Type.Array(RunWarningSchema, { maxItems: 100 }),
    clock: Type.Optional(ClockReportSchema),
  },
  Closed,
);

// The compiler proves the wire schemas match the types the code uses.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const proofs: {
  params: Same<Static<typeof NegotiatedParamsSchema>, NegotiatedParams>;
  sender: Same<Static<typeof SenderPartialSchema>, SenderPartial>;
  receiver: Same<Static<typeof ReceiverPartialSchema>, ReceiverPartial>;
  report: Same<Static<typeof EndpointReportSchema>, EndpointReport>;
} = { params: true, sender: true, receiver: true, report: true };
void proofs;

export { firstProblem, matches, type SchemaProblem };
