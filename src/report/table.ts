/**
 * The terminal summary of a `bench duplex` run (cli-table3) and the live
 * per-second progress line. Pure: the caller prints the returned string.
 */

import { playoutTableData, qualityNotes, qualityTableData } from './voice.js';
import type { DirectionResult, DuplexResult, EndpointResult, RunWarning } from '../result/types.js';
import {
  formatBytes,
  formatInteger,
  formatMbitPerSecond,
  formatMs,
  formatPercent,
  formatPps,
  formatSeconds,
  formatUs,
  formatBitsPerSecond,
  paint,
} from './format.js';
import { observedFigures, receiverSeen } from './observed.js';
import { runWarnings } from './direction-notes.js';
import { fitTable, UNLIMITED_WIDTH, visibleWidth, wrapLine, wrapPainted } from './fit.js';
import { formatVerdict } from './verdict.js';
import { formatPeersTable } from './peers.js';
import {
  estimatedBound,
  formatQueueing,
  hasMedia,
  hasQueueing,
  mediaLegend,
  mediaTableData,
  oneWayDelayLine,
  patternHeadline,
  patternOfferLines,
  stallHeadline,
  withBound,
} from './media.js';
import { UNDERSENT_LEGEND, completionLabel, directionLabel, directionRowLabel, formatAddress, cpuCostLine } from './labels.js';

/** Options of the terminal printers. */
export interface TableOptions {
  /** ANSI colour; off unless exactly `true` (the CLI decides from the TTY and `NO_COLOR`). */
  color?: boolean;
  /**
   * Columns to fit (the CLI passes `outputWidth(...)`); unlimited when absent,
   * so library callers and golden files get the full layout.
   */
  width?: number;
}

/** The delay column's cell (found by it to place the queueing column after it). */
const DELAY_CELL = (d: DirectionResult): string => formatDelay(d);

/** One figure of a direction as the human-readable printers show it. */
export interface DirectionColumn {
  /** One-line title (Markdown). */
  title: string;
  /** Terminal header; may contain `\n` to keep the table narrow. */
  head: string;
  /** The formatted figure. */
  cell: (direction: DirectionResult) => string;
}

/**
 * The per-direction figures, in order. Shared by the terminal table and the
 * Markdown report so both always show the same figures the same way.
 */
export const DIRECTION_COLUMNS: readonly DirectionColumn[] = [
  { title: 'direction', head: 'dir', cell: (d) => directionRowLabel(d) },
  { title: 'sent', head: 'sent', cell: (d) => formatInteger(observedFigures(d).sent) },
  { title: 'received', head: 'received', cell: (d) => formatInteger(observedFigures(d).received) },
  { title: 'lost', head: 'lost', cell: (d) => formatInteger(observedFigures(d).lost) },
  { title: 'loss %', head: 'loss %', cell: (d) => formatPercent(observedFigures(d).lossPercent) },
  { title: 'dup', head: 'dup', cell: (d) => formatInteger(observedFigures(d).duplicates) },
  { title: 'reord', head: 'reord', cell: (d) => formatInteger(observedFigures(d).reordered) },
  { title: 'foreign', head: 'foreign', cell: (d) => formatInteger(observedFigures(d).foreign) },
  { title: 'sent pps', head: 'sent\npps', cell: (d) => formatPps(observedFigures(d).sentPps) },
  { title: 'recv pps', head: 'recv\npps', cell: (d) => formatPps(observedFigures(d).receivedPps) },
  { title: 'Mbit/s', head: 'Mbit/s', cell: (d) => formatMbitPerSecond(observedFigures(d).bitsPerSecond) },
  { title: 'jitter ms', head: 'jitter\nms', cell: (d) => formatMs(observedFigures(d).jitterMs) },
  { title: 'delay (or rtt) p50/p99 µs', head: 'delay µs\np50/p99', cell: DELAY_CELL },
  { title: 'kernel drops', head: 'kernel\ndrops', cell: (d) => formatInteger(d.kernelDrops) },
  { title: 'loss at sender/kernel/network', head: 'loss at\nsnd/kern/net', cell: (d) => formatAttribution(d) },
];

/** The queueing delay (one-way delay above its base), shown only when some direction has it. */
export const QUEUEING_COLUMN: DirectionColumn = { title: 'queueing p50/p99 µs', head: 'queueing µs\np50/p99', cell: (d) => formatQueueing(d) };

/**
 * The columns for these directions: `DIRECTION_COLUMNS`, and right after the
 * delay the queueing delay when some direction carries one (remote runs with
 * an estimated clock), so older and local results keep their exact layout.
 */
export function directionColumns(directions: readonly DirectionResult[]): readonly DirectionColumn[] {
  if (!hasQueueing(directions)) return DIRECTION_COLUMNS;
  const at = DIRECTION_COLUMNS.findIndex((c) => c.cell === DELAY_CELL) + 1;
  return [...DIRECTION_COLUMNS.slice(0, at), QUEUEING_COLUMN, ...DIRECTION_COLUMNS.slice(at)];
}

/**
 * The endpoints' thread modes. `config.threads` is this side's choice only: a
 * remote peer chooses its own, so when the endpoints differ (or the run is
 * remote) each is named, e.g. `threads client A single, listener B split`.
 */
export function formatThreads(result: Pick<DuplexResult, 'mode' | 'config' | 'endpoints'>): string {
  const { config, endpoints } = result;
  const modes = new Set(endpoints.map((e) => e.threads));
  if (result.mode !== 'remote' && modes.size <= 1) {
    return config.threadsRequested === 'auto' ? `threads ${config.threads} (auto)` : `threads ${config.threads}`;
  }
  const role = (id: string): string => (result.mode === 'remote' ? (id === 'A' ? 'client A' : 'listener B') : id);
  // Many clients (--clients N): one entry per distinct role and mode, with a count, not N copies.
  const parts: { text: string; count: number }[] = [];
  for (const e of endpoints) {
    const text = `${role(e.id)} ${e.threads}`;
    const seen = parts.find((p) => p.text === text);
    if (seen !== undefined) seen.count++;
    else parts.push({ text, count: 1 });
  }
  return `threads ${parts.map((p) => (p.count > 1 ? `${p.text} (×${p.count})` : p.text)).join(', ')}`;
}

/**
 * The one-line run description: mode, threads, size, duration and rates, e.g.
 * `bench duplex: local, threads split, 64 B datagrams, 10 s (+1 s omitted), rate A→B 10k B→A max`.
 */
export function formatRunHeadline(result: DuplexResult): string {
  const { config } = result;
  const omitted = config.omitSeconds > 0 ? ` (+${formatSeconds(config.omitSeconds)} omitted)` : '';
  const many = (config.clients ?? 1) > 1;
  // Framed patterns (voice, video, trace) set their own sizes and rates: each direction names its pattern instead.
  const patterns = patternHeadline(config, many);
  const stall = stallHeadline(config);
  return [
    `bench duplex: ${result.mode}`,
    formatThreads(result),
    ...(patterns === null ? [`${config.sizeBytes} B datagrams`] : []),
    `${formatSeconds(config.durationSeconds)}${omitted}`,
    ...(patterns !== null
      ? [many ? `${config.clients} clients → one server port, ${patterns}` : patterns]
      : many
        ? [`${config.clients} clients → one server port, rate per client A→B ${config.rateAbText} B→A ${config.rateBaText}`]
        : [`rate A→B ${config.rateAbText} B→A ${config.rateBaText}`]),
    ...(stall === null ? [] : [stall]),
  ].join(', ');
}

/**
 * One-way delay `p50/p99` in whole µs; across two machines with the peer's
 * clock estimated, the estimate's error bound after it (`78/1,631 ±327`);
 * across two machines without an estimate the round-trip time instead,
 * prefixed `rtt`; `n/a` when neither was measured.
 */
export function formatDelay(direction: DirectionResult): string {
  // Delay and round trip are both computed by the receiver: without its figures, n/a.
  if (!receiverSeen(direction)) return formatUs(null);
  const { p50, p99 } = direction.latencyUs;
  if (p50 === null && p99 === null) {
    const rtt = direction.rttUs;
    if (rtt !== undefined && rtt.p50 !== null) return `rtt ${formatUs(rtt.p50)}/${formatUs(rtt.p99)}`;
    return formatUs(null);
  }
  return withBound(`${formatUs(p50)}/${formatUs(p99)}`, estimatedBound(direction.latencyUs));
}

/** `sender/kernel/network` counts of the loss attribution; `n/a` when the loss is unknown. */
export function formatAttribution(direction: DirectionResult): string {
  const attribution = observedFigures(direction).lossAttribution;
  if (attribution === null) return formatInteger(null);
  const { sender, kernel, network } = attribution;
  return `${formatInteger(sender)}/${formatInteger(kernel)}/${formatInteger(network)}`;
}

/** `requested → effective`, `default → effective` when the OS default was kept. */
export function formatBufferSize(buffer: EndpointResult['rcvbuf']): string {
  const requested = buffer.requested === null ? 'default' : formatBytes(buffer.requested);
  return `${requested} → ${formatBytes(buffer.effective)}`;
}

/** One warning on one line: `warning [code]: message (hint: …)`. */
export function formatWarning(warning: RunWarning): string {
  const hint = warning.hint === undefined ? '' : ` (hint: ${warning.hint})`;
  return `warning [${warning.code}]: ${warning.message}${hint}`;
}

/** Send errors of a direction as `EAGAIN 3, ENOBUFS 1`, or `''` when there were none. */
export function formatSendErrors(direction: DirectionResult): string {
  return Object.entries(direction.sendErrors)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, count]) => `${code} ${formatInteger(count)}`)
    .join(', ');
}

/**
 * The summary printed at the end of `bench duplex`: a headline, one row per
 * direction, the endpoints, the warnings and the verdict. Every line fits
 * `options.width`: the tables fall back to narrower layouts (see `fitTable`)
 * and prose lines wrap.
 *
 * @param result - the run's result
 * @param options - `color: true` for ANSI colour (default: none at all); `width` to fit (default: unlimited)
 * @returns the text, lines separated by `\n`, without a trailing newline
 */
export function formatDuplexTable(result: DuplexResult, options: TableOptions = {}): string {
  const color = options.color === true;
  const width = options.width ?? UNLIMITED_WIDTH;
  const lines: string[] = [];

  lines.push(...formatHeadlineLines(formatRunHeadline(result), result.complete, completionLabel(result), width, color));

  const columns = directionColumns(result.directions);
  const rows = result.directions.map((direction) => {
    const cells = columns.map((c) => c.cell(direction));
    // The undersent mark in the warning colour, matching its warning line below.
    if (color && direction.undersent) cells[0] = paint(cells[0] ?? '', 'yellow', true);
    if (color && (observedFigures(direction).lost ?? 0) > 0) {
      // Highlight the loss figures only: the rest of the row stays readable.
      for (const i of [3, 4]) cells[i] = paint(cells[i] ?? '', 'red', true);
    }
    return cells;
  });
  lines.push(
    fitTable(
      {
        head: columns.map((c) => c.head),
        rows,
        // Figures right-aligned so digits line up; the direction label left.
        align: columns.map((_, i) => (i === 0 ? 'left' : 'right')),
      },
      width,
      color,
    ).text,
  );
  // Across machines: how the one-way delay was estimated (offset, drift, bound) and what queueing means.
  const oneWay = oneWayDelayLine(result.directions);
  if (oneWay !== null) lines.push(...wrapKeepingUnits(oneWay, width).map((l) => paint(l, 'dim', color)));

  for (const direction of result.directions) {
    const errors = formatSendErrors(direction);
    if (errors !== '') lines.push(...wrapLine(`send errors ${directionLabel(direction)}: ${errors}`, width));
  }
  // --clients N: the per-client rows under the sums.
  lines.push(...formatPeersTable(result, { width, color }).flatMap((l) => (l.includes('\n') ? [l] : wrapLine(l, width))));
  // Real-time patterns, pacing, receive queue, stalls: only when the result has them (older results print as before).
  lines.push(...formatMediaLines(result, width, color));
  // RTP, loss shape, jitter buffer and the E-model (voice.ts): only when the result has them.
  lines.push(...formatQualityLines(result, width, color));

  const labels = endpointLabels(result);
  const endpointRow = (endpoint: EndpointResult, label: string, address: string): string[] => {
    const leaked = formatInteger(endpoint.leaked);
    return [
      label,
      address,
      endpoint.threads,
      formatBufferSize(endpoint.rcvbuf),
      formatBufferSize(endpoint.sndbuf),
      // Leaked datagrams mean the split-mode routing is broken: make it loud.
      endpoint.leaked > 0 ? paint(leaked, 'red', color) : leaked,
    ];
  };
  // Where the listener saw it come from, when that differs (NAT), as STUN would say.
  const addressOf = (endpoint: EndpointResult): string =>
    endpoint.observedAs === undefined ? formatAddress(endpoint) : `${formatAddress(endpoint)} (seen as ${endpoint.observedAs})`;
  let endpointRows = result.endpoints.map((endpoint, i) => endpointRow(endpoint, labels[i] ?? endpoint.id, addressOf(endpoint)));
  const clients = result.endpoints.filter((e) => e.id === 'A');
  if (clients.length > 1) {
    // Many clients alike: one row for all of them (their ports are in the per-client table), unless their settings differ.
    const rows = clients.map((c) => endpointRow(c, '', '').slice(2));
    const alike = rows.every((r) => r.slice(0, 3).join('|') === rows[0]?.slice(0, 3).join('|'));
    if (alike) {
      const leaked = clients.reduce((n, c) => n + c.leaked, 0);
      const first = clients[0] as EndpointResult;
      endpointRows = [
        ...result.endpoints.filter((e) => e.id === 'B').map((e) => endpointRow(e, 'B', addressOf(e))),
        [...endpointRow({ ...first, leaked }, `A1…A${clients.length}`, `${first.address}, ${clients.length} ports`)],
      ];
    }
  }
  lines.push(
    fitTable(
      {
        head: ['endpoint', 'address:port', 'threads', 'rcvbuf req → eff', 'sndbuf req → eff', 'leaked'],
        rows: endpointRows,
        align: ['left', 'left', 'left', 'right', 'right', 'right'],
      },
      width,
      color,
    ).text,
  );

  const cpu = cpuCostLine(result);
  if (cpu !== null) lines.push(...wrapLine(cpu, width));
  if (result.directions.some((d) => d.undersent === true)) lines.push(...wrapPainted(UNDERSENT_LEGEND, width, 'yellow', color));
  // The run's warnings plus the undersent and loss-check lines, each once.
  for (const warning of runWarnings(result)) lines.push(...wrapPainted(formatWarning(warning), width, 'yellow', color));
  // Last, so it is the line a reader sees without scrolling back.
  lines.push(...wrapPainted(formatVerdict(result), width, 'bold', color));
  return lines.join('\n');
}

/** A no-break space: glues a figure to its unit while wrapping. */
const GLUE = '\u00a0';

/** `wrapLine`, never parting a figure from its unit (`41.4 ppm`, `±665 µs`) across lines. */
function wrapKeepingUnits(text: string, width: number): string[] {
  const glued = text.replace(/(\d) (µs|ms|ppm)(?=[\s,;)]|$)/g, `$1${GLUE}$2`);
  return wrapLine(glued, width).map((l) => l.replaceAll(GLUE, ' '));
}

/**
 * The media section of the terminal summary: each framed direction's pattern
 * and what it offers, a compact table of frames, frame delay, burst, receive
 * queue peak against the receive buffer, send lateness and stalls (only the
 * columns some direction has; fitted to `width` like the direction table,
 * transposed at 80 columns), and what the figures mean. Empty when the
 * result has none of these fields.
 */
export function formatMediaLines(result: DuplexResult, width: number, color: boolean): string[] {
  if (!hasMedia(result)) return [];
  const data = mediaTableData(result.directions);
  if (data === null) return [];
  const lines: string[] = [];
  for (const line of patternOfferLines(result)) lines.push(...wrapLine(line, width));
  const rows = data.rows.map((row) => {
    if (!color) return row;
    // Frame loss in red, like datagram loss in the direction table.
    const at = data.head.indexOf('frame\nloss %');
    const loss = at < 0 ? undefined : row[at];
    return at < 0 || loss === undefined || loss === 'n/a' || loss.startsWith('0.00') ? row : row.map((c, i) => (i === at || i === at - 1 ? paint(c, 'red', true) : c));
  });
  lines.push(
    fitTable({ head: data.head, rows, align: data.head.map((_, i) => (i === 0 ? 'left' : 'right')) }, width, color).text,
  );
  for (const note of mediaLegend(result.directions)) lines.push(...wrapPainted(note, width, 'dim', color));
  return lines;
}

/**
 * Media quality: a row per direction (RTP jitter, burst ratio and
 * densities, the playout delay needed, R and MOS), each voice direction's
 * late discard and MOS per playout delay, and what the figures are.
 */
export function formatQualityLines(result: DuplexResult, width: number, color: boolean): string[] {
  const data = qualityTableData(result.directions);
  if (data === null) return [];
  const lines = [fitTable({ head: data.head, rows: data.rows, align: data.head.map((_, i) => (i === 0 ? 'left' : 'right')) }, width, color).text];
  for (const d of result.directions) {
    if (d.voice == null) continue;
    const p = playoutTableData(d);
    if (p === null) continue;
    lines.push(`jitter buffer ${directionLabel(d)}:`);
    lines.push(fitTable({ head: p.head, rows: p.rows, align: p.head.map(() => 'right') }, width, color).text);
  }
  for (const note of qualityNotes(result.directions)) lines.push(...wrapPainted(note, width, 'dim', color));
  return lines;
}

/** Endpoint names for tables: `A`, `B`; with many clients `B` and `A1`…`AN` in the order of `peers`. */
export function endpointLabels(result: Pick<DuplexResult, 'endpoints' | 'peers'>): string[] {
  if (result.peers === undefined || result.peers.length === 0) return result.endpoints.map((e) => e.id);
  let n = 0;
  return result.endpoints.map((e) => (e.id === 'A' ? `A${++n}` : e.id));
}

/**
 * `headline — completion` on one line when it fits; otherwise the headline
 * wrapped and the completion after it (on the last line if there is room),
 * so each painted part stays on whole lines.
 */
export function formatHeadlineLines(headline: string, good: boolean, completion: string, width: number, color: boolean): string[] {
  const tail = ` — ${completion}`;
  const style = good ? 'green' : 'red';
  const painted = (h: string): string => `${paint(h, 'bold', color)} — ${paint(completion, style, color)}`;
  if (visibleWidth(headline + tail) <= width) return [painted(headline)];
  const wrapped = wrapLine(headline, width);
  const last = wrapped.pop() ?? '';
  const head = wrapped.map((l) => paint(l, 'bold', color));
  if (visibleWidth(last + tail) <= width) return [...head, painted(last)];
  return [...head, paint(last, 'bold', color), ...wrapPainted(`— ${completion}`, width, style, color)];
}

/** One per-second progress sample of one direction, as printed while a run is going. */
export interface IntervalLine {
  /** e.g. `A→B`. */
  direction: string;
  /** Interval start, seconds since the measured phase began (negative or omitted for warm-up is fine). */
  fromSeconds: number;
  toSeconds: number;
  /** Datagrams sent in the interval. */
  sent: number;
  /** Unique datagrams received in the interval. */
  received: number;
  /** Sequence gaps seen in the interval. */
  lost: number;
  /** UDP payload size, bytes (for the bit rate). */
  sizeBytes: number;
  /** True during the `--omit` warm-up: printed but not counted. */
  omitted: boolean;
}

/** The longest interval line `formatIntervalLine` prints (within an interval range of 11 characters, i.e. below 100 s). */
export const INTERVAL_LINE_MAX = 80;

/**
 * The live progress line, iperf3-like, at most 80 characters so it never
 * wraps on a default terminal:
 * `[A→B]   2.00-3.00 s sent   10000/s recv   10000/s lost      0  0.00 % 5.12 Mbit/s`.
 * Loss % is relative to what the receiver expected in the interval
 * (`received + lost`), since `sent` also counts datagrams still in flight.
 * A warm-up (`--omit`) interval shows `(omitted)` in place of the bit rate:
 * it is not counted, and the rates beside it still show the warm-up's progress.
 */
export function formatIntervalLine(sample: IntervalLine): string {
  const seconds = sample.toSeconds - sample.fromSeconds;
  // A zero-length interval (clock hiccup) would divide by zero; show counts as rates.
  const perSecond = seconds > 0 ? 1 / seconds : 1;
  const sentPps = Math.round(sample.sent * perSecond);
  const receivedPps = Math.round(sample.received * perSecond);
  const expected = sample.received + sample.lost;
  const lossPercent = expected > 0 ? (sample.lost / expected) * 100 : 0;
  const bitsPerSecond = sample.received * sample.sizeBytes * 8 * perSecond;

  const range = `${sample.fromSeconds.toFixed(2)}-${sample.toSeconds.toFixed(2)}`.padStart(11);
  const tail = sample.omitted ? '(omitted)' : formatBitsPerSecond(bitsPerSecond);
  // Fixed widths so the columns line up from one second to the next.
  return (
    `[${sample.direction}] ${range} s` +
    ` sent ${String(sentPps).padStart(6)}/s` +
    ` recv ${String(receivedPps).padStart(6)}/s` +
    ` lost ${String(sample.lost).padStart(5)}` +
    ` ${formatPercent(lossPercent).padStart(7)}` +
    ` ${tail.padStart(11)}`
  ).trimEnd();
}
