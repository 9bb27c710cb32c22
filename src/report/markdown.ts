/**
 * A GitHub-Markdown report of a `bench duplex` run, for pasting into issues
 * and READMEs. Same figures, formatted the same way, as the terminal table
 * (both use `directionColumns`).
 */

import { playoutTableData, qualityNotes, qualityTableData } from './voice.js';
import { PEER_HEAD, formatFairness, peerRow } from './peers.js';
import type { DuplexResult, EndpointResult, Environment } from '../result/types.js';
import { formatBytes, formatInteger, formatPercent } from './format.js';
import { endpointLabels, directionColumns, formatBufferSize, formatRunHeadline, formatThreads, formatSendErrors } from './table.js';
import { formatLossCheck, runWarnings } from './direction-notes.js';
import { formatVerdict } from './verdict.js';
import {
  PEER_MEDIA_HEAD,
  frameDelayNotes,
  hasFramedPattern,
  hasMedia,
  mediaDetailRows,
  mediaLegend,
  oneWayDelayLine,
  oneWayDetailRows,
  patternOfferLines,
  peerMediaRow,
  peersHaveMedia,
} from './media.js';
import { UNDERSENT_LEGEND, completionLabel, cpuCostLine, directionLabel } from './labels.js';

/**
 * Escapes text for a Markdown paragraph or table cell: characters that would
 * start emphasis, code, links or HTML, and `|` which would split a cell.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** Inline code that survives backticks inside `text` (CommonMark: a longer fence). */
export function markdownCode(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * `rcvbuf 4 MiB → 416 KiB` when both endpoints agree, else one entry per
 * endpoint (`rcvbuf A … , B …`), since a mismatch is itself worth noticing.
 */
function rcvbufSummary(endpoints: readonly EndpointResult[]): string {
  const sizes = endpoints.map((e) => formatBufferSize(e.rcvbuf));
  const first = sizes[0];
  if (first === undefined) return 'rcvbuf n/a';
  if (sizes.every((s) => s === first)) return `rcvbuf ${first}`;
  return `rcvbuf ${endpoints.map((e, i) => `${e.id} ${sizes[i] ?? ''}`).join(', ')}`;
}

/** One Markdown table: a header row, alignments (`l`/`r`), then the rows, every cell escaped. */
function markdownTable(header: readonly string[], align: readonly ('l' | 'r')[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(escapeMarkdown).join(' | ')} |`,
    `| ${header.map((_, i) => (align[i] === 'r' ? '--:' : ':--')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeMarkdown).join(' | ')} |`),
  ];
}

/**
 * Each endpoint's one port, thread layout and both socket buffers as
 * `requested → effective` (the kernel doubles and clamps).
 */
function endpointTable(endpoints: readonly EndpointResult[], labels: readonly string[]): string[] {
  return markdownTable(
    ['endpoint', 'address', 'threads', 'rcvbuf (requested → effective)', 'sndbuf (requested → effective)'],
    ['l', 'l', 'l', 'r', 'r'],
    endpoints.map((e, i) => [labels[i] ?? e.id, `${e.address}:${e.port}`, e.threads, formatBufferSize(e.rcvbuf), formatBufferSize(e.sndbuf)]),
  );
}

/** Milliseconds of CPU time from microseconds, whole: `812000` → `812`. */
function cpuMs(us: number): string {
  return formatInteger(Math.round(us / 1000));
}

/** CPU time per thread of each endpoint, with the share of wall time its event loop was busy. */
function cpuTable(endpoints: readonly EndpointResult[], labels: readonly string[]): string[] {
  // Results since issue 24 say what the CPU time paid for: datagrams handled and µs per datagram.
  const perDatagram = endpoints.some((e) => e.cpu.some((c) => c.usPerDatagram !== undefined));
  const rows = endpoints.flatMap((e, i) =>
    e.cpu.map((c) => [
      labels[i] ?? e.id,
      c.thread,
      cpuMs(c.userUs),
      cpuMs(c.systemUs),
      c.eventLoopUtilization === null ? 'n/a' : formatPercent(c.eventLoopUtilization * 100),
      ...(perDatagram
        ? [c.sentDatagrams === undefined ? 'n/a' : formatInteger(c.sentDatagrams + (c.receivedDatagrams ?? 0)), c.usPerDatagram == null ? 'n/a' : c.usPerDatagram.toFixed(2)]
        : []),
    ]),
  );
  if (rows.length === 0) return [];
  const head = ['endpoint', 'thread', 'CPU user ms', 'CPU system ms', 'event loop busy', ...(perDatagram ? ['datagrams sent + received', 'CPU µs per datagram'] : [])];
  return markdownTable(head, head.map((_, i) => (i < 2 ? 'l' : 'r')), rows);
}

/**
 * Both machines of a remote run side by side: this side's environment and
 * the peer's (as it reported it), one row per setting, sysctls included.
 */
function environmentTable(local: Environment, peer: Environment): string[] {
  const row = (name: string, pick: (env: Environment) => string): string[] => [name, pick(local), pick(peer)];
  const sysctls = [...new Set([...Object.keys(local.sysctls), ...Object.keys(peer.sysctls)])].sort();
  return markdownTable(
    ['environment', `this side (${local.hostname})`, `peer (${peer.hostname})`],
    ['l', 'l', 'l'],
    [
      row('node', (e) => e.nodeVersion),
      row('kernel', (e) => e.kernel),
      row('CPU', (e) => `${e.cpuModel} (${e.cpuCount} CPUs, ${e.arch})`),
      row('memory', (e) => formatBytes(e.totalMemoryBytes)),
      row('interface', (e) => `${e.interfaceName ?? 'n/a'}, MTU ${e.mtu === null ? 'n/a' : String(e.mtu)}`),
      ...sysctls.map((name) => row(name, (e) => e.sysctls[name] ?? 'n/a')),
    ],
  );
}

/**
 * "Frames and queues": one row per figure, a column per direction (frames,
 * frame delay, burst, receive queue peak against the receive buffer, send
 * lateness, stalls: the figures some direction has), what they mean, and
 * with `--clients N` a compact per-client table. Empty without media fields.
 */
function mediaSection(result: DuplexResult): string[] {
  if (!hasMedia(result)) return [];
  const detail = mediaDetailRows(result.directions);
  const out: string[] = [];
  if (detail !== null) {
    out.push('', '**Frames and queues**', '');
    out.push(...markdownTable(detail.head, detail.head.map((_, i) => (i === 0 ? 'l' : 'r')), detail.rows));
    out.push('', ...mediaLegend(result.directions).map((l) => `- ${escapeMarkdown(l)}`));
  }
  if (peersHaveMedia(result)) {
    const peers = result.peers ?? [];
    out.push('', escapeMarkdown(`Frames and queues per client (frame loss: % (incomplete of sent)):`), '');
    out.push(...markdownTable(PEER_MEDIA_HEAD, PEER_MEDIA_HEAD.map((_, i) => (i === 0 ? 'l' : 'r')), peers.map(peerMediaRow)));
  }
  return out;
}

/**
 * "Media quality": RTP jitter, loss shape, the playout delay needed and R
 * and MOS per direction, then per direction with a jitter-buffer answer the
 * late discard (and for voice R and MOS) at each playout delay, and notes.
 */
function qualitySection(result: DuplexResult): string[] {
  const data = qualityTableData(result.directions);
  if (data === null) return [];
  const flat = (h: string): string => h.replace(/\n\s*/g, ' ');
  const out = ['', '**Media quality**', ''];
  out.push(...markdownTable(data.head.map(flat), data.head.map((_, i) => (i === 0 ? 'l' : 'r')), data.rows));
  for (const d of result.directions) {
    const p = playoutTableData(d);
    if (p === null) continue;
    out.push('', escapeMarkdown(`Jitter buffer ${directionLabel(d)} (fixed playout delay above the least-delayed datagram):`), '');
    out.push(...markdownTable(p.head, p.head.map(() => 'r'), p.rows));
  }
  out.push('', ...qualityNotes(result.directions).map((l) => `- ${escapeMarkdown(l)}`));
  return out;
}

/**
 * "One-way delay" of a remote run with an estimated clock: one row per
 * figure, a column per direction (percentiles ± the estimate's bound, the
 * queueing delay, its base and the idle probe delay), then how the clock was
 * estimated. Empty for local runs and older results.
 */
function oneWaySection(result: DuplexResult): string[] {
  const detail = oneWayDetailRows(result.directions);
  if (detail === null) return [];
  const out = ['', '**One-way delay**', ''];
  out.push(...markdownTable(detail.head, detail.head.map((_, i) => (i === 0 ? 'l' : 'r')), detail.rows));
  const line = oneWayDelayLine(result.directions);
  if (line !== null) out.push('', `- ${escapeMarkdown(line)}`);
  return out;
}

/**
 * The Markdown report: a bold headline, an environment line (node, kernel,
 * CPU, threads, datagram size, rcvbuf), each framed direction's pattern and
 * what it offers, the per-direction table (an undersent direction's label
 * marked `!`; across machines the one-way delay ± the clock estimate's
 * bound and the queueing delay), "One-way delay" for a remote run with an
 * estimated clock (see `oneWaySection`), "Frames and queues" when the result has frames, pacing error,
 * a receive queue peak or stalls (see `mediaSection`), the endpoints (address, threads,
 * send and receive buffers requested → effective), CPU per thread, both
 * machines' environments for a remote run, then per direction the loss check,
 * delay and frame delay notes, send errors, and the warnings (the run's own, plus undersent
 * and check disagreements, each once).
 *
 * @param result - the run's result
 * @returns GitHub Markdown, lines separated by `\n`, ending with a newline
 */
export function formatDuplexMarkdown(result: DuplexResult): string {
  const { environment: env, config } = result;
  const lines: string[] = [];

  lines.push(`**${escapeMarkdown(formatRunHeadline(result))}** — ${escapeMarkdown(completionLabel(result))}`, '');
  lines.push(
    [
      `node ${env.nodeVersion}`,
      env.kernel,
      `${env.cpuModel} (${env.cpuCount} CPUs, ${env.arch})`,
      formatThreads(result),
      // Framed patterns set their own sizes (the headline names each direction's).
      ...(hasFramedPattern(config) ? [] : [`${config.sizeBytes} B datagrams`]),
      rcvbufSummary(result.endpoints),
    ]
      .map(escapeMarkdown)
      .join(' · '),
    '',
  );
  // Framed patterns: each direction's pattern and what it offers (its largest frame is the burst the receive buffer must hold).
  const patterns = patternOfferLines(result);
  if (patterns.length > 0) lines.push(...patterns.map((p) => `- pattern ${escapeMarkdown(p)}`), '');
  // What the run proves, in one line, as the terminal table ends with it.
  lines.push(escapeMarkdown(formatVerdict(result)), '');

  const columns = directionColumns(result.directions);
  lines.push(`| ${columns.map((c) => escapeMarkdown(c.title)).join(' | ')} |`);
  // Left-align the direction label, right-align the figures (as in the terminal).
  lines.push(`| ${columns.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`);
  for (const direction of result.directions) {
    lines.push(`| ${columns.map((c) => escapeMarkdown(c.cell(direction))).join(' | ')} |`);
  }
  if (result.peers !== undefined && result.peers.length > 0) {
    lines.push('', escapeMarkdown(`Per client (the rows above are the sums over all ${result.peers.length} clients):`), '');
    lines.push(...markdownTable(PEER_HEAD.map((h) => h.replace(/\n\s*/g, ' ')), PEER_HEAD.map((_, i) => (i === 0 ? 'l' : 'r')), result.peers.map(peerRow)));
    lines.push('', escapeMarkdown(formatFairness(result)));
  }
  lines.push(...oneWaySection(result));
  lines.push(...mediaSection(result));
  lines.push(...qualitySection(result));
  const labels = endpointLabels(result);
  lines.push('', ...endpointTable(result.endpoints, labels));
  const cpu = cpuTable(result.endpoints, labels);
  if (cpu.length > 0) lines.push('', ...cpu);
  const cost = cpuCostLine(result);
  if (cost !== null) lines.push('', escapeMarkdown(cost));
  if (result.peerEnvironment !== undefined) lines.push('', ...environmentTable(env, result.peerEnvironment));

  const notes: string[] = [];
  // Always shown, agreeing or not: a reader should see that loss was cross-checked, and how.
  for (const direction of result.directions) {
    notes.push(`- loss check ${directionLabel(direction)}: ${escapeMarkdown(formatLossCheck(direction))}`);
  }
  for (const direction of result.directions) {
    const note = direction.latencyUs.note;
    if (note !== '') notes.push(`- delay ${directionLabel(direction)}: ${escapeMarkdown(note)}`);
  }
  for (const note of frameDelayNotes(result.directions)) notes.push(`- ${escapeMarkdown(note)}`);
  for (const direction of result.directions) {
    const errors = formatSendErrors(direction);
    if (errors !== '') notes.push(`- send errors ${directionLabel(direction)}: ${escapeMarkdown(errors)}`);
  }
  if (result.directions.some((d) => d.undersent === true)) notes.push(`- ${escapeMarkdown(UNDERSENT_LEGEND)}`);
  for (const warning of runWarnings(result)) {
    const hint = warning.hint === undefined ? '' : ` — hint: ${markdownCode(warning.hint)}`;
    notes.push(`- warning ${markdownCode(warning.code)}: ${escapeMarkdown(warning.message)}${hint}`);
  }
  if (notes.length > 0) lines.push('', ...notes);

  return `${lines.join('\n')}\n`;
}
