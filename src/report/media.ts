/**
 * The real-time media figures of a run — frames of framed patterns (voice,
 * video, trace), the sender's pacing error, the receiving socket's peak
 * queue and deliberate receiver stalls — as the printers show them. Shared by
 * the terminal table, the Markdown and the HTML so all three say the same
 * thing the same way. Pure; depends on schema types and format helpers only.
 *
 * Every one of these fields is optional (absent in results written before
 * them) and `null` where it does not apply: a printer shows a section only
 * when some direction carries one, so older results print exactly as before.
 */

import type { DirectionResult, DuplexResult, FrameResult, LatencyUs, PatternConfig, PatternOffer, RunConfig, StallConfig } from '../result/types.js';
import { NOT_AVAILABLE, formatBitsPerSecond, formatBytes, formatInteger, formatPercent, formatPps, formatSeconds, formatUs } from './format.js';
import { receiverSeen, senderSeen } from './observed.js';

/** `A→B` (table.ts has the same; repeated here so this module does not import the printers). */
function label(direction: Pick<DirectionResult, 'from' | 'to'>): string {
  return `${direction.from}→${direction.to}`;
}

/** A number with at most `decimals` decimals, trailing zeros dropped: `2.50` → `"2.5"`, `20` → `"20"`. */
function trim(value: number, decimals = 2): string {
  return String(Number(value.toFixed(decimals)));
}

/** A bit rate for a label, trailing zeros dropped: `2500000` → `"2.5 Mbit/s"`. */
function labelBitRate(bitsPerSecond: number): string {
  return formatBitsPerSecond(bitsPerSecond).replace(/^(-?\d+)\.(\d*?)0+(?=\D)/, (_m, whole: string, frac: string) => (frac === '' ? whole : `${whole}.${frac}`));
}

/** A period: `1500` ms → `"1.5 s"`, `20` → `"20 ms"`. */
function period(ms: number): string {
  return ms >= 1000 ? formatSeconds(Number((ms / 1000).toFixed(3))) : `${trim(ms, 3)} ms`;
}

/**
 * One line naming a pattern: `cbr`, `voice 20 ms 160 B`,
 * `video 30 fps 2.5 Mbit/s key ×5 every 2 s`, `trace foo.csv (120 rows, 1 s loop)`.
 * Absent (results before patterns) is `cbr`.
 */
export function patternLabel(pattern: PatternConfig | undefined): string {
  if (pattern === undefined) return 'cbr';
  switch (pattern.kind) {
    case 'cbr':
      return 'cbr';
    case 'voice':
      return `voice ${period(pattern.intervalMs)} ${pattern.sizeBytes} B`;
    case 'video':
      return `video ${trim(pattern.fps)} fps ${labelBitRate(pattern.bitsPerSecond)} key ×${trim(pattern.keyframeRatio)} every ${formatSeconds(pattern.keyframeIntervalSeconds)}`;
    case 'trace':
      return `trace ${pattern.file} (${formatInteger(pattern.rows)} rows, ${period(pattern.periodMs)} loop)`;
  }
}

/** True for a framed pattern (voice, video, trace). */
export function isFramedPattern(pattern: PatternConfig | undefined): pattern is Exclude<PatternConfig, { kind: 'cbr' }> {
  return pattern !== undefined && pattern.kind !== 'cbr';
}

/** The configured pattern of a direction (`undefined` in results before patterns). */
export function directionPattern(config: Pick<RunConfig, 'patternAb' | 'patternBa'>, direction: Pick<DirectionResult, 'from'>): PatternConfig | undefined {
  return direction.from === 'A' ? config.patternAb : config.patternBa;
}

/** True when the run has a framed pattern in some direction. */
export function hasFramedPattern(config: Pick<RunConfig, 'patternAb' | 'patternBa'>): boolean {
  return isFramedPattern(config.patternAb) || isFramedPattern(config.patternBa);
}

/**
 * What a pattern offers: `50/s, 64.0 kbit/s, 50 frames/s, largest frame 1 datagram (160 B)`.
 */
export function formatOffer(offer: PatternOffer): string {
  const datagrams = `${formatInteger(offer.maxFrameDatagrams)} datagram${offer.maxFrameDatagrams === 1 ? '' : 's'}`;
  return (
    `${formatPps(offer.datagramsPerSecond)} datagrams/s, ${formatBitsPerSecond(offer.bitsPerSecond)}, ` +
    `${formatPps(offer.framesPerSecond)} frames/s, largest frame ${datagrams} (${formatBytes(offer.maxFrameBytes)})`
  );
}

/** `stall 200 ms every 2 s`. */
export function formatStallConfig(stall: StallConfig): string {
  return `stall ${period(stall.ms)} every ${formatSeconds(stall.everySeconds)}`;
}

/**
 * The rate part of a run's headline when a direction runs a framed pattern:
 * each direction's pattern, a `cbr` one as `64 B datagrams at 10k`, then the
 * stall; `null` for runs without framed patterns (the headline keeps its
 * usual `64 B datagrams, …, rate A→B … B→A …`).
 */
export function patternHeadline(config: RunConfig, perClient: boolean): string | null {
  if (!hasFramedPattern(config)) return null;
  const part = (pattern: PatternConfig | undefined, rateText: string): string =>
    isFramedPattern(pattern) ? patternLabel(pattern) : `${config.sizeBytes} B datagrams at ${rateText}`;
  return `${perClient ? 'per client ' : ''}A→B ${part(config.patternAb, config.rateAbText)}, B→A ${part(config.patternBa, config.rateBaText)}`;
}

/** The stall part of a headline, or `null` without `--stall`. */
export function stallHeadline(config: RunConfig): string | null {
  return config.stall === undefined || config.stall === null ? null : formatStallConfig(config.stall);
}

/** Lines naming each framed direction's pattern and what it offers: `A→B voice 20 ms 160 B: offers 50 datagrams/s, …`. */
export function patternOfferLines(result: DuplexResult): string[] {
  return result.directions.flatMap((d) => {
    const pattern = directionPattern(result.config, d);
    return isFramedPattern(pattern) ? [`${label(d)} ${patternLabel(pattern)}: offers ${formatOffer(pattern.offered)}`] : [];
  });
}

/** True when the direction carries any media field (not absent, not `null`). */
export function directionHasMedia(d: DirectionResult): boolean {
  return (d.frames ?? null) !== null || (d.pacingErrorUs ?? null) !== null || (d.rxQueuePeak ?? null) !== null || (d.stalls ?? null) !== null;
}

/** True when some direction of the run (or of one of its clients) carries frames, pacing error, a queue peak or stalls. */
export function hasMedia(result: Pick<DuplexResult, 'directions' | 'peers'>): boolean {
  return result.directions.some(directionHasMedia) || (result.peers ?? []).some((p) => p.directions.some(directionHasMedia));
}

/** Frame figures with `null` wherever the side that counts them was not observed (as `observedFigures` does for datagrams). */
export interface ObservedFrames {
  sent: number | null;
  complete: number | null;
  incomplete: number | null;
  partial: number | null;
  sentByEndMarker: number | null;
  lossPercent: number | null;
  delayUs: { p50: number | null; p90: number | null; p99: number | null; max: number | null; note: string; boundUs?: number };
  burst: FrameResult['burst'];
}

/** The direction's frames, unobserved figures `null`; `null` for a direction without frames (`cbr`, older results). */
export function observedFrames(d: DirectionResult): ObservedFrames | null {
  const f = d.frames ?? null;
  if (f === null) return null;
  const byReceiver = receiverSeen(d);
  const bySender = senderSeen(d);
  const when = (known: boolean, value: number | null): number | null => (known ? value : null);
  const sent = when(bySender, f.sent);
  const complete = when(byReceiver, f.complete);
  // `incomplete` is `sent − complete`, the loss % its share of `sent`: unknown without either.
  const incomplete = sent === null || complete === null ? null : f.incomplete;
  const bound = estimatedBound(f.delayUs);
  return {
    sent,
    complete,
    incomplete,
    partial: when(byReceiver, f.partial),
    sentByEndMarker: when(byReceiver, f.sentByEndMarker),
    lossPercent: incomplete === null ? null : f.lossPercent,
    delayUs: {
      p50: when(byReceiver, f.delayUs.p50),
      p90: when(byReceiver, f.delayUs.p90),
      p99: when(byReceiver, f.delayUs.p99),
      max: when(byReceiver, f.delayUs.max),
      note: f.delayUs.note,
      // Across machines: the error bound of the estimated clock (every figure above may be off by this much).
      ...(bound === null ? {} : { boundUs: bound }),
    },
    burst: f.burst,
  };
}

/** `a/b/c` of µs figures, each `n/a` when not measured; plain `n/a` when none is. */
export function formatUsTriple(values: readonly (number | null)[]): string {
  return values.every((v) => v === null) ? NOT_AVAILABLE : values.map(formatUs).join('/');
}

/** Frames lost with how many of them arrived in part: `9 (7 partial)`. */
export function formatFramesLost(frames: ObservedFrames | null): string {
  if (frames === null || frames.incomplete === null) return NOT_AVAILABLE;
  return frames.partial === null ? formatInteger(frames.incomplete) : `${formatInteger(frames.incomplete)} (${formatInteger(frames.partial)} partial)`;
}

/** Frame delay `p50/p99/max` µs; across machines with the estimate's bound, `1,830/9,870/203,400 ±327`. */
export function formatFrameDelay(frames: ObservedFrames | null): string {
  return frames === null ? NOT_AVAILABLE : withBound(formatUsTriple([frames.delayUs.p50, frames.delayUs.p99, frames.delayUs.max]), frames.delayUs.boundUs ?? null);
}

/** Datagrams per frame `p50/max`. */
export function formatBurstDatagrams(frames: ObservedFrames | null): string {
  const b = frames?.burst ?? null;
  return b === null ? NOT_AVAILABLE : `${formatInteger(b.datagramsP50)}/${formatInteger(b.datagramsMax)}`;
}

/** The largest frame, bytes. */
export function formatBurstBytes(frames: ObservedFrames | null): string {
  return formatBytes(frames?.burst?.bytesMax ?? null);
}

/** `412 KiB / 416 KiB`: the receiving socket's peak queue (kernel memory) beside its effective receive buffer. */
export function formatQueuePeak(d: DirectionResult): string {
  const q = d.rxQueuePeak ?? null;
  return q === null ? NOT_AVAILABLE : `${formatBytes(q.bytes)} / ${formatBytes(q.rcvbufEffectiveBytes)}`;
}

/** The peak queue's share of the receive buffer: `99 %`. */
export function formatQueueShare(d: DirectionResult): string {
  const q = d.rxQueuePeak ?? null;
  if (q === null || q.rcvbufEffectiveBytes <= 0) return NOT_AVAILABLE;
  return `${Math.round((q.bytes / q.rcvbufEffectiveBytes) * 100)} %`;
}

/** The estimated datagrams in the peak queue: `≈180`. */
export function formatQueueDatagrams(d: DirectionResult): string {
  const n = d.rxQueuePeak?.datagrams ?? null;
  return n === null ? NOT_AVAILABLE : `≈${formatInteger(n)}`;
}

/** Pacing error `p50/p99/max` µs. */
export function formatPacing(d: DirectionResult): string {
  const p = d.pacingErrorUs ?? null;
  return p === null ? NOT_AVAILABLE : formatUsTriple([p.p50, p.p99, p.max]);
}

/** Stalls: `3, max 200 ms`; `n/a` without `--stall`. */
export function formatStalls(d: DirectionResult): string {
  const s = d.stalls ?? null;
  return s === null ? NOT_AVAILABLE : `${formatInteger(s.count)}, max ${trim(s.maxMs, 1)} ms`;
}

/** One figure of the compact (terminal) media table. */
interface MediaColumn {
  /** Terminal head; `\n` keeps the full layout narrow (the others join with a space). */
  head: string;
  cell: (d: DirectionResult) => string;
  /** Which field the column needs: the column is left out when no direction has it. */
  needs: 'frames' | 'rxQueuePeak' | 'pacingErrorUs' | 'stalls';
}

const MEDIA_COLUMNS: readonly MediaColumn[] = [
  { head: 'frames\nsent', needs: 'frames', cell: (d) => formatInteger(observedFrames(d)?.sent ?? null) },
  { head: 'frames\ncomplete', needs: 'frames', cell: (d) => formatInteger(observedFrames(d)?.complete ?? null) },
  { head: 'frames\nlost', needs: 'frames', cell: (d) => formatFramesLost(observedFrames(d)) },
  { head: 'frame\nloss %', needs: 'frames', cell: (d) => formatPercent(observedFrames(d)?.lossPercent ?? null) },
  { head: 'frame delay µs\np50/p99/max', needs: 'frames', cell: (d) => formatFrameDelay(observedFrames(d)) },
  { head: 'datagrams/frame\np50/max', needs: 'frames', cell: (d) => formatBurstDatagrams(observedFrames(d)) },
  { head: 'largest\nframe', needs: 'frames', cell: (d) => formatBurstBytes(observedFrames(d)) },
  { head: 'rx queue peak\n/ rcvbuf', needs: 'rxQueuePeak', cell: formatQueuePeak },
  { head: 'rx queue\ndatagrams', needs: 'rxQueuePeak', cell: formatQueueDatagrams },
  { head: 'send late µs\np50/p99/max', needs: 'pacingErrorUs', cell: formatPacing },
  { head: 'receiver\nstalls', needs: 'stalls', cell: formatStalls },
];

/** Which media fields some direction carries. */
function present(directions: readonly DirectionResult[]): Set<MediaColumn['needs']> {
  const fields = new Set<MediaColumn['needs']>();
  for (const d of directions) {
    for (const key of ['frames', 'rxQueuePeak', 'pacingErrorUs', 'stalls'] as const) if ((d[key] ?? null) !== null) fields.add(key);
  }
  return fields;
}

/**
 * The compact media table of the terminal: heads and one row per direction
 * (first cell the direction), only the columns some direction has. `null`
 * when no direction carries any media field.
 */
export function mediaTableData(directions: readonly DirectionResult[]): { head: string[]; rows: string[][] } | null {
  const fields = present(directions);
  if (fields.size === 0) return null;
  const columns = MEDIA_COLUMNS.filter((c) => fields.has(c.needs));
  return {
    head: ['dir', ...columns.map((c) => c.head)],
    rows: directions.map((d) => [label(d), ...columns.map((c) => c.cell(d))]),
  };
}

/**
 * What the media table's figures mean, one sentence per kind shown, for the
 * line under the terminal table and the notes of the Markdown and HTML.
 */
export function mediaLegend(directions: readonly DirectionResult[]): string[] {
  const fields = present(directions);
  const out: string[] = [];
  if (fields.has('frames')) {
    out.push('frame lost: a datagram of it missing (partial: some arrived); frame delay: its first datagram sent → its last arrived');
  }
  if (fields.has('rxQueuePeak')) {
    const intervals = [...new Set(directions.flatMap((d) => (d.rxQueuePeak ? [d.rxQueuePeak.sampleIntervalMs] : [])))];
    const every = intervals.length === 1 ? ` every ${trim(intervals[0] ?? 0, 1)} ms` : '';
    out.push(`rx queue peak: the receiving socket's kernel memory (truesize) as charged against rcvbuf, sampled${every}; a shorter peak is missed`);
  }
  if (fields.has('pacingErrorUs')) {
    const per = new Set(directions.flatMap((d) => (d.pacingErrorUs ? [d.pacingErrorUs.per] : [])));
    const how = [...per].map((p) => (p === 'datagram' ? 'per datagram' : 'per pacing turn (cbr)')).join(', ');
    out.push(`send late: sends behind their schedule, ${how}`);
  }
  if (fields.has('stalls')) out.push('receiver stalls: deliberate pauses in reading (--stall), count and longest');
  return out;
}

/**
 * The full media figures of each direction as `[figure, …one cell per direction]`
 * rows (a column per direction: there are many figures and two directions),
 * for the Markdown and HTML. Only rows some direction has; `null` when none.
 */
export function mediaDetailRows(directions: readonly DirectionResult[]): { head: string[]; rows: string[][] } | null {
  const fields = present(directions);
  if (fields.size === 0) return null;
  const rows: [string, (d: DirectionResult) => string][] = [];
  if (fields.has('frames')) {
    const f = observedFrames;
    rows.push(
      ['frames sent', (d) => formatInteger(f(d)?.sent ?? null)],
      ['frames sent (by end marker)', (d) => formatInteger(f(d)?.sentByEndMarker ?? null)],
      ['frames complete', (d) => formatInteger(f(d)?.complete ?? null)],
      ['frames incomplete', (d) => formatInteger(f(d)?.incomplete ?? null)],
      ['of which partial', (d) => formatInteger(f(d)?.partial ?? null)],
      ['frame loss %', (d) => formatPercent(f(d)?.lossPercent ?? null)],
      ['frame delay p50/p90/p99/max µs', (d) => {
        const x = f(d);
        return x === null ? NOT_AVAILABLE : withBound(formatUsTriple([x.delayUs.p50, x.delayUs.p90, x.delayUs.p99, x.delayUs.max]), x.delayUs.boundUs ?? null);
      }],
      ['datagrams per frame p50/max', (d) => formatBurstDatagrams(f(d))],
      ['largest frame', (d) => formatBurstBytes(f(d))],
    );
  }
  if (fields.has('rxQueuePeak')) {
    rows.push(
      ['rx queue peak / rcvbuf effective', (d) => formatQueuePeak(d)],
      ['rx queue peak share of rcvbuf', (d) => formatQueueShare(d)],
      ['rx queue peak datagrams (estimate)', (d) => formatQueueDatagrams(d)],
      ['truesize per datagram', (d) => formatBytes(d.rxQueuePeak?.truesizeBytes ?? null)],
      ['rx queue samples', (d) => {
        const q = d.rxQueuePeak ?? null;
        return q === null ? NOT_AVAILABLE : `${formatInteger(q.samples)}, every ${trim(q.sampleIntervalMs, 1)} ms`;
      }],
    );
  }
  if (fields.has('pacingErrorUs')) {
    rows.push(['send late p50/p99/max µs', (d) => {
      const p = d.pacingErrorUs ?? null;
      return p === null ? NOT_AVAILABLE : `${formatPacing(d)} (per ${p.per === 'datagram' ? 'datagram' : 'pacing turn'})`;
    }]);
  }
  if (fields.has('stalls')) {
    rows.push(['receiver stalls', (d) => {
      const s = d.stalls ?? null;
      return s === null ? NOT_AVAILABLE : `${formatInteger(s.count)}, max ${trim(s.maxMs, 1)} ms, total ${trim(s.totalMs, 1)} ms`;
    }]);
  }
  return {
    head: ['figure', ...directions.map(label)],
    rows: rows.map(([name, cell]) => [name, ...directions.map(cell)]),
  };
}

/** Frame delay notes worth reading (why a delay is `n/a`): `frame delay A→B: …`; none where it repeats the direction's delay note. */
export function frameDelayNotes(directions: readonly DirectionResult[]): string[] {
  return directions.flatMap((d) => {
    const note = d.frames?.delayUs.note ?? '';
    return note === '' || note === d.latencyUs.note ? [] : [`frame delay ${label(d)}: ${note}`];
  });
}

/** Heads of the per-client frames table. */
export const PEER_MEDIA_HEAD: readonly string[] = [
  'client',
  'A→B frame loss',
  'A→B frame delay p50/p99/max µs',
  'A→B rx queue peak / rcvbuf',
  'B→A frame loss',
  'B→A frame delay p50/p99/max µs',
  'B→A rx queue peak / rcvbuf',
];

/** True when some client carries frames or a queue peak (the per-client frames table is worth printing). */
export function peersHaveMedia(result: Pick<DuplexResult, 'peers'>): boolean {
  return (result.peers ?? []).some((p) => p.directions.some((d) => (d.frames ?? null) !== null || (d.rxQueuePeak ?? null) !== null));
}

/** One client's row of the per-client frames table. */
export function peerMediaRow(peer: NonNullable<DuplexResult['peers']>[number]): string[] {
  const cells = (from: 'A' | 'B'): string[] => {
    const d = peer.directions.find((x) => x.from === from);
    if (d === undefined) return [NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE];
    const f = observedFrames(d);
    const loss = f === null ? NOT_AVAILABLE : `${formatPercent(f.lossPercent)} (${formatInteger(f.incomplete)} of ${formatInteger(f.sent)})`;
    return [loss, formatFrameDelay(f), formatQueuePeak(d)];
  };
  return [`A${peer.index}`, ...cells('A'), ...cells('B')];
}

// ---------------------------------------------------------------------------
// One-way delay across machines: the estimated clock and the delay under load

/**
 * The error bound of delay figures recorded against an estimated clock
 * (`method: 'estimated-offset'`), µs; `null` for a shared clock, a round
 * trip, or a result written before the method was recorded.
 */
export function estimatedBound(latency: Pick<LatencyUs, 'method' | 'boundUs'>): number | null {
  return latency.method === 'estimated-offset' && latency.boundUs !== undefined && Number.isFinite(latency.boundUs) ? latency.boundUs : null;
}

/** `text ±bound` when there is a bound and a figure to put it on; `text` otherwise. */
export function withBound(text: string, boundUs: number | null): string {
  return boundUs === null || text === NOT_AVAILABLE ? text : `${text} ±${formatUs(boundUs)}`;
}

/** The direction's delay under load, `null` where nobody measured it (absent, `null`, or the receiver's figures missing). */
export function observedQueueing(d: DirectionResult): NonNullable<DirectionResult['queueingDelayUs']> | null {
  return receiverSeen(d) ? (d.queueingDelayUs ?? null) : null;
}

/** Queueing delay `p50/p99` µs, `n/a` when not measured. */
export function formatQueueing(d: DirectionResult): string {
  const q = observedQueueing(d);
  return q === null ? NOT_AVAILABLE : formatUsTriple([q.p50, q.p99]);
}

/** True when some direction carries a queueing delay (its own column and row are worth showing). */
export function hasQueueing(directions: readonly DirectionResult[]): boolean {
  return directions.some((d) => (d.queueingDelayUs ?? null) !== null);
}

/** True when some direction's one-way delay was estimated across machines, or carries a queueing delay. */
export function hasOneWayEstimate(directions: readonly DirectionResult[]): boolean {
  return directions.some((d) => d.latencyUs.method === 'estimated-offset') || hasQueueing(directions);
}

/** `offset -158 µs, drift 41.4 ppm, ±665 µs` of an estimate (the parts it has). */
function estimateParts(l: LatencyUs): string {
  return [
    ...(l.offsetUs !== undefined ? [`offset ${formatUs(l.offsetUs)} µs`] : []),
    ...(l.driftPpm !== undefined ? [`drift ${trim(l.driftPpm, 2)} ppm`] : []),
    ...(l.boundUs !== undefined ? [`±${formatUs(l.boundUs)} µs`] : []),
  ].join(', ');
}

/**
 * The line under the delay figures of a run whose one-way delay was estimated
 * across machines: how (offset, drift, bound; once when both directions
 * share them, which they do as one estimate serves both), and what queueing
 * delay means, e.g.
 * `one-way delay: listener clock estimated by probes (offset -158 µs, drift 41.4 ppm, ±665 µs); queueing = delay above min(idle probe, run's smallest)`.
 * `null` when no direction was estimated (local runs, older results).
 */
export function oneWayDelayLine(directions: readonly DirectionResult[]): string | null {
  const estimated = directions.filter((d) => d.latencyUs.method === 'estimated-offset');
  if (estimated.length === 0) return null;
  const parts = estimated.map((d) => estimateParts(d.latencyUs));
  const how = new Set(parts).size === 1 ? parts[0] ?? '' : estimated.map((d, i) => `${label(d)} ${parts[i] ?? ''}`).join('; ');
  const queueing = hasQueueing(directions) ? "; queueing = delay above min(idle probe, run's smallest)" : '';
  return `one-way delay: listener clock estimated by probes (${how})${queueing}`;
}

/**
 * The one-way delay of each direction as `[figure, …one cell per direction]`
 * rows, for the Markdown and HTML: the percentiles (with the bound of an
 * estimate), the queueing delay, its base (the smaller of the idle probe
 * delay and the run's smallest one-way delay) and the idle probe delay. `null`
 * when no direction was estimated across machines nor carries a queueing
 * delay (local runs show their delay in the direction table only).
 */
export function oneWayDetailRows(directions: readonly DirectionResult[]): { head: string[]; rows: string[][] } | null {
  if (!hasOneWayEstimate(directions)) return null;
  const rows: [string, (d: DirectionResult) => string][] = [
    ['one-way delay p50/p90/p99/max µs', (d) => {
      const l = d.latencyUs;
      const known = receiverSeen(d);
      const text = known ? formatUsTriple([l.p50, l.p90, l.p99, l.max]) : NOT_AVAILABLE;
      return withBound(text, estimatedBound(l));
    }],
  ];
  if (hasQueueing(directions)) {
    rows.push(
      ['queueing delay p50/p99 µs', formatQueueing],
      ["queueing base µs (the smaller of idle and the run's smallest)", (d) => formatUs(observedQueueing(d)?.baseUs ?? null)],
      ['idle one-way delay µs (half the best probe round trip)', (d) => formatUs(observedQueueing(d)?.idleProbeUs ?? null)],
    );
  }
  return {
    head: ['figure', ...directions.map(label)],
    rows: rows.map(([name, cell]) => [name, ...directions.map(cell)]),
  };
}
