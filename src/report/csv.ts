/**
 * CSV export of a `bench duplex` run for spreadsheets and scripts: one header
 * row and one row per direction, RFC 4180 (CRLF line ends, fields quoted only
 * when needed). Figures are the raw JSON numbers, never rounded or prefixed,
 * so a CSV and the JSON of the same run always agree.
 *
 * A figure nobody observed (`null` in the JSON, or derived from one: see
 * `observed.ts`) is an EMPTY field, never `0` and never `n/a`: spreadsheets
 * read an empty cell as "no value" and leave it out of sums and charts, where
 * a text `n/a` would break numeric columns. RFC 4180 has no comment lines,
 * so this note lives here rather than in the file.
 */

import type { DirectionResult, DuplexResult } from '../result/types.js';
import { lossCheckOf, observedFigures } from './observed.js';
import { directionPattern, observedFrames, observedQueueing, patternLabel } from './media.js';

/** A CSV field value: `null` becomes an empty field. */
export type CsvValue = string | number | boolean | null;

/** One column of the per-direction CSV. */
interface CsvColumn {
  name: string;
  value: (direction: DirectionResult, result: DuplexResult) => CsvValue;
}

/**
 * The columns, in order. Run-level fields come first so rows of several runs
 * can be concatenated into one sheet and still be told apart.
 */
const CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'startedAt', value: (_, r) => r.startedAt },
  { name: 'mode', value: (_, r) => r.mode },
  { name: 'complete', value: (_, r) => r.complete },
  { name: 'incompleteReason', value: (_, r) => r.incompleteReason },
  { name: 'threads', value: (_, r) => r.config.threads },
  { name: 'sizeBytes', value: (_, r) => r.config.sizeBytes },
  // ASCII `A->B`: spreadsheets that guess a legacy encoding would garble `→`.
  { name: 'direction', value: (d) => csvDirection(d) },
  { name: 'from', value: (d) => d.from },
  { name: 'to', value: (d) => d.to },
  { name: 'ratePps', value: (d, r) => (d.from === 'A' ? r.config.rateAbPps : r.config.rateBaPps) },
  { name: 'rateText', value: (d, r) => (d.from === 'A' ? r.config.rateAbText : r.config.rateBaText) },
  { name: 'receiverRcvbufEffectiveBytes', value: (d, r) => r.endpoints.find((e) => e.id === d.to)?.rcvbuf.effective ?? null },
  { name: 'durationSeconds', value: (d) => d.durationSeconds },
  { name: 'sent', value: (d) => observedFigures(d).sent },
  { name: 'received', value: (d) => observedFigures(d).received },
  { name: 'lost', value: (d) => observedFigures(d).lost },
  { name: 'lossPercent', value: (d) => observedFigures(d).lossPercent },
  { name: 'duplicates', value: (d) => observedFigures(d).duplicates },
  { name: 'reordered', value: (d) => observedFigures(d).reordered },
  { name: 'late', value: (d) => observedFigures(d).late },
  { name: 'foreign', value: (d) => observedFigures(d).foreign },
  { name: 'sentPps', value: (d) => observedFigures(d).sentPps },
  { name: 'receivedPps', value: (d) => observedFigures(d).receivedPps },
  { name: 'bitsPerSecond', value: (d) => observedFigures(d).bitsPerSecond },
  { name: 'jitterMs', value: (d) => observedFigures(d).jitterMs },
  { name: 'latencyP50Us', value: (d) => observedFigures(d).latencyUs.p50 },
  { name: 'latencyP90Us', value: (d) => observedFigures(d).latencyUs.p90 },
  { name: 'latencyP99Us', value: (d) => observedFigures(d).latencyUs.p99 },
  { name: 'latencyMaxUs', value: (d) => observedFigures(d).latencyUs.max },
  { name: 'kernelDrops', value: (d) => d.kernelDrops },
  { name: 'lossSender', value: (d) => observedFigures(d).lossAttribution?.sender ?? null },
  { name: 'lossKernel', value: (d) => observedFigures(d).lossAttribution?.kernel ?? null },
  { name: 'lossNetwork', value: (d) => observedFigures(d).lossAttribution?.network ?? null },
  // `CODE=count` pairs joined by `;`: one column whatever errors occurred.
  {
    name: 'sendErrors',
    value: (d) =>
      Object.entries(d.sendErrors)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, count]) => `${code}=${count}`)
        .join(';'),
  },
  { name: 'endMarkerSeen', value: (d) => d.endMarkerSeen },
  // Schema 2, appended so scripts reading the earlier columns by position keep working.
  { name: 'offeredPps', value: (d) => d.offeredPps ?? null },
  { name: 'undersent', value: (d) => d.undersent },
  { name: 'lostBySequence', value: (d) => lossCheckOf(d).lostBySequence },
  { name: 'checkKernelDrops', value: (d) => lossCheckOf(d).kernelDrops },
  { name: 'checkAgree', value: (d) => lossCheckOf(d).agree },
  { name: 'checkNote', value: (d) => lossCheckOf(d).note },
  // `--clients N`: empty on the sums over all clients (and on two-endpoint runs), `A1`… on each client's rows.
  { name: 'client', value: (d, r) => clientOf(d, r) },
  // Real-time patterns, appended likewise: empty for cbr and for results written before them.
  { name: 'framesSent', value: (d) => observedFrames(d)?.sent ?? null },
  { name: 'framesComplete', value: (d) => observedFrames(d)?.complete ?? null },
  { name: 'framesIncomplete', value: (d) => observedFrames(d)?.incomplete ?? null },
  { name: 'framesPartial', value: (d) => observedFrames(d)?.partial ?? null },
  { name: 'frameLossPercent', value: (d) => observedFrames(d)?.lossPercent ?? null },
  { name: 'frameDelayP50Us', value: (d) => observedFrames(d)?.delayUs.p50 ?? null },
  { name: 'frameDelayP90Us', value: (d) => observedFrames(d)?.delayUs.p90 ?? null },
  { name: 'frameDelayP99Us', value: (d) => observedFrames(d)?.delayUs.p99 ?? null },
  { name: 'frameDelayMaxUs', value: (d) => observedFrames(d)?.delayUs.max ?? null },
  { name: 'burstDatagramsP50', value: (d) => d.frames?.burst?.datagramsP50 ?? null },
  { name: 'burstDatagramsMax', value: (d) => d.frames?.burst?.datagramsMax ?? null },
  { name: 'burstBytesMax', value: (d) => d.frames?.burst?.bytesMax ?? null },
  { name: 'pacingErrorP50Us', value: (d) => d.pacingErrorUs?.p50 ?? null },
  { name: 'pacingErrorP99Us', value: (d) => d.pacingErrorUs?.p99 ?? null },
  { name: 'pacingErrorMaxUs', value: (d) => d.pacingErrorUs?.max ?? null },
  { name: 'rxQueuePeakBytes', value: (d) => d.rxQueuePeak?.bytes ?? null },
  { name: 'rxQueuePeakDatagrams', value: (d) => d.rxQueuePeak?.datagrams ?? null },
  // The receive buffer to set the peak beside is `receiverRcvbufEffectiveBytes` above.
  { name: 'stallCount', value: (d) => d.stalls?.count ?? null },
  { name: 'stallMaxMs', value: (d) => d.stalls?.maxMs ?? null },
  // `cbr`, `voice 20 ms 160 B`, …; empty when the result predates patterns.
  { name: 'pattern', value: (d, r) => patternOf(d, r) },
  { name: 'framesSentByEndMarker', value: (d) => observedFrames(d)?.sentByEndMarker ?? null },
  { name: 'pacingErrorPer', value: (d) => d.pacingErrorUs?.per ?? null },
  { name: 'stallTotalMs', value: (d) => d.stalls?.totalMs ?? null },
  // One-way delay across machines, appended likewise: `shared-clock` or `estimated-offset` (empty for round trips and older results);
  // offset (listener clock − client clock), drift and the error bound of the latency figures when estimated; delay under load.
  { name: 'delayMethod', value: (d) => d.latencyUs.method ?? null },
  { name: 'clockOffsetUs', value: (d) => d.latencyUs.offsetUs ?? null },
  { name: 'clockDriftPpm', value: (d) => d.latencyUs.driftPpm ?? null },
  { name: 'delayBoundUs', value: (d) => d.latencyUs.boundUs ?? null },
  { name: 'queueingP50Us', value: (d) => observedQueueing(d)?.p50 ?? null },
  { name: 'queueingP99Us', value: (d) => observedQueueing(d)?.p99 ?? null },
  { name: 'queueingBaseUs', value: (d) => observedQueueing(d)?.baseUs ?? null },
  { name: 'idleProbeUs', value: (d) => observedQueueing(d)?.idleProbeUs ?? null },
  // Media quality (issue 23), appended likewise: the RTP stream (RFC 3550), the loss shape (RFC 3611, G.113),
  // the jitter-buffer answer and, for voice, the E-model's R and MOS (ITU-T G.107, a planning estimate).
  { name: 'rtpSsrc', value: (d) => d.rtp?.ssrc ?? null },
  { name: 'rtpPackets', value: (d) => d.rtp?.packets ?? null },
  { name: 'rtpCumulativeLost', value: (d) => d.rtp?.cumulativeLost ?? null },
  { name: 'rtpSeqErrors', value: (d) => d.rtp?.seqErrors ?? null },
  { name: 'rtpJitterMs', value: (d) => d.rtp?.jitterMs ?? null },
  { name: 'burstR', value: (d) => d.lossShape?.burstR ?? null },
  { name: 'burstDensity', value: (d) => d.lossShape?.burstDensity ?? null },
  { name: 'gapDensity', value: (d) => d.lossShape?.gapDensity ?? null },
  { name: 'meanBurstMs', value: (d) => d.lossShape?.meanBurstMs ?? null },
  { name: 'meanGapMs', value: (d) => d.lossShape?.meanGapMs ?? null },
  { name: 'playoutNeededMs', value: (d) => d.playout?.neededMs ?? null },
  // `MS:late%` pairs joined by `;`, one column whatever delays were asked for.
  { name: 'playoutLatePercent', value: (d) => d.playout?.rows.map((r) => `${r.playoutMs}:${Number(r.latePercent.toFixed(4))}`).join(';') ?? null },
  { name: 'voiceCodec', value: (d) => d.voice?.codec ?? null },
  { name: 'mouthToEarMs', value: (d) => d.voice?.mouthToEarMs ?? null },
  { name: 'effectiveLossPercent', value: (d) => d.voice?.effectiveLossPercent ?? null },
  { name: 'rFactor', value: (d) => d.voice?.r ?? null },
  { name: 'mos', value: (d) => d.voice?.mos ?? null },
];

/** The direction's pattern as `patternLabel` writes it, or `null` when the result has none (written before patterns). */
function patternOf(d: DirectionResult, r: DuplexResult): string | null {
  const pattern = directionPattern(r.config, d);
  return pattern === undefined ? null : patternLabel(pattern);
}

/** The client a direction belongs to (`A3`), or `null` for the run's own (aggregate) directions. */
function clientOf(d: DirectionResult, r: DuplexResult): string | null {
  const p = r.peers?.find((x) => x.directions.includes(d));
  return p === undefined ? null : `A${p.index}`;
}

/** A direction as the CSV printers write it: `A->B`. */
export function csvDirection(direction: Pick<DirectionResult, 'from' | 'to'>): string {
  return `${direction.from}->${direction.to}`;
}

/** The header names of `formatDuplexCsv`, in order. */
export const CSV_HEADER: readonly string[] = CSV_COLUMNS.map((c) => c.name);

/**
 * One CSV field per RFC 4180: quoted (with `"` doubled) when it contains a
 * comma, a quote, CR or LF. Numbers use JavaScript's shortest round-trip
 * form, so parsing the field gives back exactly the JSON number.
 */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Joins rows of fields into RFC 4180 text: CRLF after every record, including the last. */
export function csvRecords(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * The CSV of a run: a header row and one row per direction.
 *
 * @param result - the run's result
 * @returns RFC 4180 text with CRLF line ends
 */
export function formatDuplexCsv(result: DuplexResult): string {
  const rows: CsvValue[][] = [[...CSV_HEADER]];
  for (const direction of result.directions) rows.push(CSV_COLUMNS.map((c) => c.value(direction, result)));
  // --clients N: the sums first, then each client's two rows.
  for (const peer of result.peers ?? []) for (const direction of peer.directions) rows.push(CSV_COLUMNS.map((c) => c.value(direction, result)));
  return csvRecords(rows);
}
