/**
 * Physical bounds on a peer's report (issue 21): the schema says what shape
 * a report has; these say what figures a session could have produced. A
 * schema-valid report can still carry `measureEndNs: 1e308` or a clock
 * sample of −1e308, and such figures feed arithmetic (spans, rates, clock
 * offsets, per-second series) that then produced a NaN the result schema
 * refuses, or ran the listener out of memory. Everything here is pure and
 * bounded by the report's own (schema-capped) size.
 *
 * What a session allows, per direction: at most `maxPps × span` datagrams,
 * where `maxPps` is twice the negotiated rate plus a margin (pacers burst,
 * clocks differ), or {@link PHYSICAL_MAX_PPS} when the rate is "max", and
 * `span` the warm-up, the measured time and generous slack for pre-roll,
 * drain and timeouts. Times: a sender's measured phase lasts at most the
 * span; monotonic timestamps are below 2^62 ns (146 years of uptime).
 * Limit: these bounds stop figures that break arithmetic or are physically
 * impossible; they cannot tell a plausible lie from the truth (a peer may
 * report 10 % loss it never had; the data phase is unauthenticated, see
 * docs/protocol.md).
 */
import type { RunConfig } from '../result/types.js';
import { PHYSICAL_MAX_PPS } from '../udp/accounting.js';
import { MAX_TRACKED_US } from '../udp/defaults.js';
import type { RemoteReport } from './session.js';
import type { DirectionKey } from '../result/types.js';

/**
 * Datagrams per second no single UDP socket of this tool reaches (one
 * `recvmsg`/`sendmsg` per datagram in Node; ~100k/s measured on this kind of
 * machine, ~330k/s for batched C): the bound for a "max" rate. One figure
 * with the receivers' sequence window (udp/accounting.ts).
 */
export { PHYSICAL_MAX_PPS };
/** Largest monotonic timestamp a peer may report, ns. */
export const MAX_CLOCK_NS = 2 ** 62;
/** Seconds added to a session's warm-up and measured time for pre-roll, drain, peer timeouts and the results exchange. */
export const SPAN_SLACK_SECONDS = 60;
/** Longest a clock probe may take from t1 to t4, ns (clock-sync.ts retries far sooner). */
const MAX_PROBE_RTT_NS = 30e9;
/** Smallest and largest size of any report: a base (environment, warnings) and per stream and second of the session (interval series). */
const REPORT_BASE_BYTES = 256 * 1024;
const REPORT_BYTES_PER_STREAM_SECOND = 1024;
/** The cap of any report, whatever the session: what the control channel held before (16 MiB). */
export const REPORT_MAX_BYTES = 16 * 1024 * 1024;

/** What a session allows a peer's report to say. */
export interface ReportBounds {
  /** Who the peer is, for messages ("the client's results …"). */
  peer: 'client' | 'listener';
  /** Which endpoint the peer is. */
  peerId: 'A' | 'B';
  /** Warm-up + measured + slack, seconds. */
  spanSeconds: number;
  /** Most datagrams per direction in the session. */
  maxDatagrams: { ab: number; ba: number };
  /** Longest interval series (one entry per second). */
  maxIntervals: number;
  /** Most bytes the report may inflate to. */
  maxBytes: number;
  /**
   * The listener's own clock over the session, ns: the t2 and t3 of the
   * client's clock samples are this side's timestamps and must fall in it.
   * `null` on the client's side.
   */
  ownClockNs: { from: number; to: number } | null;
}

/** Highest datagram rate a direction could reach in a session of `cfg` (also the receivers' sequence window, endpoint.ts). */
export function maxPpsOf(cfg: RunConfig, dir: DirectionKey): number {
  const rate = dir === 'ab' ? cfg.rateAbPps : cfg.rateBaPps;
  const pattern = dir === 'ab' ? cfg.patternAb : cfg.patternBa;
  const offered = pattern !== undefined && pattern.kind !== 'cbr' ? pattern.offered.datagramsPerSecond : 0;
  if (rate === null && offered === 0) return PHYSICAL_MAX_PPS;
  return Math.min(PHYSICAL_MAX_PPS, 2 * Math.max(rate ?? 0, offered) + 1000);
}

/** The bounds of a session of `cfg` (the configuration this side runs), for the report of `peer`. */
export function reportBoundsOf(cfg: RunConfig, peer: 'client' | 'listener', ownClockNs: ReportBounds['ownClockNs'] = null): ReportBounds {
  const spanSeconds = cfg.omitSeconds + cfg.durationSeconds + SPAN_SLACK_SECONDS;
  const streams = 2 * Math.max(1, cfg.clients ?? 1);
  return {
    peer,
    peerId: peer === 'client' ? 'A' : 'B',
    spanSeconds,
    maxDatagrams: { ab: Math.ceil(maxPpsOf(cfg, 'ab') * spanSeconds), ba: Math.ceil(maxPpsOf(cfg, 'ba') * spanSeconds) },
    maxIntervals: Math.ceil(cfg.omitSeconds + cfg.durationSeconds) + 10,
    maxBytes: Math.min(REPORT_MAX_BYTES, REPORT_BASE_BYTES + streams * Math.ceil(spanSeconds) * REPORT_BYTES_PER_STREAM_SECOND),
    ownClockNs,
  };
}

/** Where a report's figure is out of bounds, and why. */
export interface BoundsProblem {
  path: string;
  message: string;
}

type Walk = (path: string, v: unknown) => BoundsProblem | null;

/** Every number anywhere in the report is finite and below 2^62 in size: nothing the schema let through overflows arithmetic. */
const finiteEverywhere: Walk = (path, v) => {
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= MAX_CLOCK_NS ? null : { path, message: `${String(v)} is beyond any figure a session produces` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = finiteEverywhere(`${path}/${i}`, v[i]);
      if (p !== null) return p;
    }
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const p = finiteEverywhere(`${path}/${k}`, x);
      if (p !== null) return p;
    }
  }
  return null;
};

function within(path: string, v: number | null | undefined, min: number, max: number, what: string): BoundsProblem | null {
  if (v === null || v === undefined) return null;
  return v >= min && v <= max ? null : { path, message: `${v} is outside ${Math.round(min)}–${Math.round(max)} (${what})` };
}

function atMost(path: string, v: number | null | undefined, max: number, what: string): BoundsProblem | null {
  return within(path, v, 0, max, what);
}

function firstOf(...checks: (() => BoundsProblem | null)[]): BoundsProblem | null {
  for (const c of checks) {
    const p = c();
    if (p !== null) return p;
  }
  return null;
}

function seriesAtMost(path: string, xs: readonly (number | null)[], maxLength: number, maxEach: number, what: string, minEach = 0): BoundsProblem | null {
  if (xs.length > maxLength) return { path, message: `${xs.length} entries, more than the session's ${maxLength} seconds` };
  for (let i = 0; i < xs.length; i++) {
    const p = within(`${path}/${i}`, xs[i], minEach, maxEach, what);
    if (p !== null) return p;
  }
  return null;
}

/**
 * The first figure of a schema-valid report that the session could not have
 * produced, or `null`. `r` is the peer's report; its sender sent the peer's
 * outgoing direction and its receiver counted the other.
 */
export function checkReportBounds(r: RemoteReport, b: ReportBounds): BoundsProblem | null {
  const out = b.peerId === 'A' ? 'ab' : 'ba';
  const inc = b.peerId === 'A' ? 'ba' : 'ab';
  const spanNs = b.spanSeconds * 1e9;
  const sentMax = b.maxDatagrams[out];
  const recvMax = b.maxDatagrams[inc];
  // Foreign datagrams come from anyone: bounded only by what a socket can read.
  const foreignMax = PHYSICAL_MAX_PPS * b.spanSeconds;
  const s = r.report.sender;
  const v = r.report.receiver;
  return firstOf(
    () => finiteEverywhere('', r),
    () => {
      if (s === null) return null;
      const at = '/report/sender';
      return firstOf(
        () => atMost(`${at}/measureStartNs`, s.measureStartNs, MAX_CLOCK_NS, 'a monotonic timestamp'),
        () => atMost(`${at}/measureEndNs`, s.measureEndNs, MAX_CLOCK_NS, 'a monotonic timestamp'),
        () => atMost(`${at}/measureEndNs`, s.measureEndNs - s.measureStartNs, spanNs, `the measured phase lasts at most the session's ${b.spanSeconds} s`),
        () => atMost(`${at}/sent`, s.sent, sentMax, "datagrams the session's rate allows"),
        () => atMost(`${at}/attempted`, s.attempted, sentMax, "datagrams the session's rate allows"),
        () => atMost(`${at}/warmupSent`, s.warmupSent, sentMax, "datagrams the session's rate allows"),
        () => atMost(`${at}/seqEnd`, s.seqEnd, sentMax, "datagrams the session's rate allows"),
        () => atMost(`${at}/measureErrors`, s.measureErrors, sentMax, "datagrams the session's rate allows"),
        () => atMost(`${at}/sentBytes`, s.sentBytes, sentMax * 65_535, "bytes the session's rate allows"),
        () => seriesAtMost(`${at}/intervalSent`, s.intervalSent, b.maxIntervals, sentMax, 'datagrams in a second'),
        () => (s.pacingErrorUs === null ? null : atMost(`${at}/pacingErrorUs/max`, s.pacingErrorUs.max, MAX_TRACKED_US, 'µs a pacer tracks')),
        () => (s.frames === null ? null : atMost(`${at}/frames/sent`, s.frames.sent, sentMax, 'frames the session allows')),
      );
    },
    () => {
      if (v === null) return null;
      const at = '/report/receiver';
      const pct = (name: string, p: { count: number; max: number } | null | undefined) =>
        p === null || p === undefined ? null : (atMost(`${at}/${name}/count`, p.count, recvMax, 'datagrams received') ?? atMost(`${at}/${name}/max`, p.max, MAX_TRACKED_US, 'µs a receiver tracks'));
      return firstOf(
        ...(['received', 'expected', 'duplicates', 'reordered', 'late', 'warmupReceived'] as const).map((k) => () => atMost(`${at}/${k}`, v[k], recvMax, "datagrams the session's rate allows")),
        () => atMost(`${at}/receivedBytes`, v.receivedBytes, recvMax * 65_535, "bytes the session's rate allows"),
        () => atMost(`${at}/foreign`, v.foreign, foreignMax, 'datagrams one socket can read in the session'),
        () => atMost(`${at}/foreignBy/outOfWindow`, v.foreignBy.outOfWindow, v.foreign, 'of the foreign datagrams'),
        () => atMost(`${at}/endMarkers`, v.endMarkers, foreignMax, 'datagrams one socket can read in the session'),
        () => atMost(`${at}/jitterNs`, v.jitterNs, MAX_TRACKED_US * 1000, 'ns a receiver tracks'),
        () => (v.end === null ? null : firstOf(...(['seqEnd', 'sent', 'burned'] as const).map((k) => () => atMost(`${at}/end/${k}`, v.end?.[k], recvMax, "datagrams the session's rate allows")))),
        () => pct('delay', v.delay),
        () => pct('rtt', v.rtt),
        () => seriesAtMost(`${at}/intervalReceived`, v.intervalReceived, b.maxIntervals, recvMax, 'datagrams in a second'),
        () => seriesAtMost(`${at}/intervalExpected`, v.intervalExpected, b.maxIntervals, recvMax, 'datagrams in a second'),
        // Signed: a mean one-way delay against an estimated clock offset is below zero by up to the offset's error (tens of µs on one
        // machine under load); the histograms clamp at 0, this running mean does not.
        () => seriesAtMost(`${at}/intervalDelayMeanUs`, v.intervalDelayMeanUs, b.maxIntervals, MAX_TRACKED_US, 'µs a receiver tracks', -MAX_TRACKED_US),
        () => seriesAtMost(`${at}/intervalDelayMaxUs`, v.intervalDelayMaxUs, b.maxIntervals, MAX_TRACKED_US, 'µs a receiver tracks'),
        () =>
          v.frames === null
            ? null
            : firstOf(
                ...(['complete', 'partial', 'highest', 'lateDatagrams', 'badFrames'] as const).map((k) => () => atMost(`${at}/frames/${k}`, v.frames?.[k], recvMax, 'frames the session allows')),
                () => atMost(`${at}/frames/endFrames`, v.frames?.endFrames, recvMax, 'frames the session allows'),
                () => seriesAtMost(`${at}/frames/intervalFrameDelayMaxUs`, v.frames?.intervalFrameDelayMaxUs ?? [], b.maxIntervals, MAX_TRACKED_US, 'µs a receiver tracks'),
              ),
        () => (v.stalls === null ? null : atMost(`${at}/stalls/totalMs`, v.stalls.totalMs, b.spanSeconds * 1000, "ms of the session's span")),
      );
    },
    () => (r.report.peers !== undefined && r.report.peers.length > 0 && b.peer === 'client' ? { path: '/report/peers', message: 'a client reports no peers of its own' } : null),
    () => clockBounds(r, b),
  );
}

/** The client's clock samples (RFC 5905 §8 t1–t4): ordered, of a plausible round trip, and t2/t3 on the listener's clock within the session. */
function clockBounds(r: RemoteReport, b: ReportBounds): BoundsProblem | null {
  if (r.clock === undefined) return null;
  for (const burst of ['before', 'after'] as const) {
    const xs = r.clock[burst];
    for (let i = 0; i < xs.length; i++) {
      const s = xs[i];
      if (s === undefined) continue;
      const at = `/clock/${burst}/${i}`;
      const p = firstOf(
        ...(['t1', 't2', 't3', 't4'] as const).map((k) => () => atMost(`${at}/${k}`, s[k], MAX_CLOCK_NS, 'a monotonic timestamp')),
        () => atMost(`${at}/t4`, s.t4 - s.t1, MAX_PROBE_RTT_NS, 'ns a probe takes from t1 to t4'),
        () => atMost(`${at}/t3`, s.t3 - s.t2, s.t4 - s.t1, 'ns the listener held the probe: within its round trip'),
        () => {
          const own = b.ownClockNs;
          if (own === null) return null;
          return s.t2 >= own.from && s.t3 <= own.to ? null : { path: `${at}/t2`, message: `${s.t2}–${s.t3} is not within this listener's session (${own.from}–${own.to} ns)` };
        },
      );
      if (p !== null) return p;
    }
  }
  return null;
}
