/**
 * One self-contained HTML page for publishing results: per result its
 * headline, verdict, tables, environment, warnings and inline SVG chart.
 * No scripts, no external fonts, styles or images, and a Content-Security-Policy
 * that forbids fetching anything, so the page opens the same offline and
 * cannot call home. Every string from a result is escaped: a result may come
 * from a peer or a hand-edited file. Pure.
 */

import { playoutTableData, qualityNotes, qualityTableData } from './voice.js';
import type { AnyResult, DuplexResult } from '../result/types.js';
import { directionColumns, endpointLabels, formatBufferSize, formatRunHeadline, formatSendErrors, formatWarning } from './table.js';
import { formatVerdict } from './verdict.js';
import { PEER_HEAD, formatFairness, peerRow } from './peers.js';
import { runWarnings, formatLossCheck } from './direction-notes.js';
import { formatBytes, formatInteger } from './format.js';
import { formatSearchTable, formatSweepTable } from './sweep.js';
import {
  PEER_MEDIA_HEAD,
  frameDelayNotes,
  hasMedia,
  mediaDetailRows,
  mediaLegend,
  oneWayDelayLine,
  oneWayDetailRows,
  patternOfferLines,
  peerMediaRow,
  peersHaveMedia,
} from './media.js';
import { completionLabel, directionLabel, formatAddress } from './labels.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A standalone SVG made fit to inline: the XML prolog is not allowed inside
 * HTML, and HTML parsers put `<svg>` in the SVG namespace by themselves, so the
 * `xmlns` (an `http://` string that looks like a reference) is dropped.
 */
export function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*\?>\s*/, '').replace(/\s+xmlns(:\w+)?="[^"]*"/g, '');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #111; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; } td.n { text-align: right; white-space: nowrap; }
.scroll { overflow-x: auto; } th { background: #f3f3f3; }
.verdict { font-weight: bold; background: #eef6ee; padding: 0.5em; } .partial { background: #fbeaea; }
.warnings li { color: #8a5a00; } pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
figure { margin: 1em 0; } svg { max-width: 100%; height: auto; }
`;

/** A table of escaped cells; `numeric[i]` right-aligns column i. */
function htmlTable(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] === true ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  // A wide table scrolls inside its own box rather than pushing the page sideways.
  return `<div class="scroll"><table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

function environmentList(result: AnyResult): string {
  const env = result.environment;
  const items: [string, string][] = [
    ['host', env.hostname],
    ['node', env.nodeVersion],
    ['kernel', env.kernel],
    ['CPU', `${env.cpuModel} (${env.cpuCount} CPUs, ${env.arch})`],
    ['memory', formatBytes(env.totalMemoryBytes)],
    ['interface', `${env.interfaceName ?? 'n/a'} (MTU ${env.mtu === null ? 'n/a' : String(env.mtu)})`],
    // A sysctl that could not be read is n/a, never the word "null".
    ...Object.entries(env.sysctls).map(([k, v]): [string, string] => [k, v === null || v === undefined ? 'n/a' : String(v)]),
    ['tool', `${result.tool.name} ${result.tool.version}`],
    ['started', result.startedAt],
  ];
  return htmlTable(['environment', ''], items, [false, false]);
}

/** Patterns, "Frames and queues" (a column per direction) and the per-client frames, as the Markdown has them; nothing without media fields. */
function mediaParts(result: DuplexResult): string[] {
  const parts: string[] = [];
  const patterns = patternOfferLines(result);
  if (patterns.length > 0) parts.push(`<ul>${patterns.map((p) => `<li>pattern ${escapeHtml(p)}</li>`).join('')}</ul>`);
  if (!hasMedia(result)) return parts;
  const detail = mediaDetailRows(result.directions);
  if (detail !== null) {
    parts.push('<p><strong>Frames and queues</strong></p>');
    parts.push(htmlTable(detail.head, detail.rows, detail.head.map((_, i) => i > 0)));
    parts.push(`<ul>${mediaLegend(result.directions).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
  }
  if (peersHaveMedia(result)) {
    parts.push('<p>Frames and queues per client (frame loss: % (incomplete of sent)):</p>');
    parts.push(htmlTable(PEER_MEDIA_HEAD, (result.peers ?? []).map(peerMediaRow), PEER_MEDIA_HEAD.map((_, i) => i > 0)));
  }
  return parts;
}

/** "Media quality" and each jitter-buffer table, as the Markdown has them; nothing without those fields. */
function qualityParts(result: DuplexResult): string[] {
  const data = qualityTableData(result.directions);
  if (data === null) return [];
  const parts = ['<p><strong>Media quality</strong></p>', htmlTable(data.head.map((h) => h.replace(/\n\s*/g, ' ')), data.rows, data.head.map((_, i) => i > 0))];
  for (const d of result.directions) {
    const p = playoutTableData(d);
    if (p === null) continue;
    parts.push(`<p>Jitter buffer ${escapeHtml(directionLabel(d))} (fixed playout delay above the least-delayed datagram):</p>`);
    parts.push(htmlTable(p.head, p.rows, p.head.map(() => true)));
  }
  parts.push(`<ul>${qualityNotes(result.directions).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`);
  return parts;
}

/** "One-way delay" (a column per direction) and how the clock was estimated, as the Markdown has it; nothing for local runs and older results. */
function oneWayParts(result: DuplexResult): string[] {
  const detail = oneWayDetailRows(result.directions);
  if (detail === null) return [];
  const line = oneWayDelayLine(result.directions);
  return [
    '<p><strong>One-way delay</strong></p>',
    htmlTable(detail.head, detail.rows, detail.head.map((_, i) => i > 0)),
    ...(line === null ? [] : [`<p>${escapeHtml(line)}</p>`]),
  ];
}

function duplexBody(result: DuplexResult): string {
  const parts: string[] = [];
  parts.push(`<p class="verdict${result.complete ? '' : ' partial'}">${escapeHtml(formatVerdict(result))}</p>`);
  const columns = directionColumns(result.directions);
  parts.push(
    htmlTable(
      columns.map((c) => c.title),
      result.directions.map((d) => columns.map((c) => c.cell(d))),
      columns.map((_, i) => i > 0),
    ),
  );
  if (result.peers !== undefined && result.peers.length > 0) {
    parts.push(`<p>Per client (the rows above are the sums over all ${result.peers.length} clients):</p>`);
    parts.push(htmlTable(PEER_HEAD.map((h) => h.replace(/\n\s*/g, ' ')), result.peers.map(peerRow), PEER_HEAD.map((_, i) => i > 0)));
    parts.push(`<p>${escapeHtml(formatFairness(result))}</p>`);
  }
  parts.push(...oneWayParts(result));
  parts.push(...mediaParts(result));
  parts.push(...qualityParts(result));
  parts.push(
    htmlTable(
      ['endpoint', 'address:port', 'threads', 'rcvbuf req → eff', 'sndbuf req → eff', 'leaked'],
      result.endpoints.map((e, i) => [endpointLabels(result)[i] ?? e.id, formatAddress(e), e.threads, formatBufferSize(e.rcvbuf), formatBufferSize(e.sndbuf), formatInteger(e.leaked)]),
      [false, false, false, true, true, true],
    ),
  );
  const notes = [
    ...result.directions.map((d) => `loss check ${directionLabel(d)}: ${formatLossCheck(d)}`),
    ...result.directions.flatMap((d) => (formatSendErrors(d) === '' ? [] : [`send errors ${directionLabel(d)}: ${formatSendErrors(d)}`])),
    ...frameDelayNotes(result.directions),
  ];
  parts.push(`<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  const warnings = runWarnings(result);
  if (warnings.length > 0) parts.push(`<ul class="warnings">${warnings.map((w) => `<li>${escapeHtml(formatWarning(w))}</li>`).join('')}</ul>`);
  return parts.join('\n');
}

/** The body of one result of any kind: duplex as HTML tables; sweeps and searches as their (unlimited-width) text tables. */
function resultBody(result: AnyResult): string {
  switch (result.kind) {
    case 'duplex':
      return duplexBody(result);
    case 'sweep':
      return `<pre>${escapeHtml(formatSweepTable(result))}</pre>`;
    case 'search':
      return `<pre>${escapeHtml(formatSearchTable(result))}</pre>`;
  }
}

function headline(result: AnyResult): string {
  if (result.kind === 'duplex') return `${formatRunHeadline(result)} — ${completionLabel(result)}`;
  return `${result.kind} — ${completionLabel(result)}`;
}

/**
 * The page.
 *
 * @param runs - results with their labels (file names or `--label`)
 * @param chart - renders a result's standalone SVG chart (`renderChart`; passed in to keep this module free of the dispatcher)
 */
export function formatHtmlReport(runs: readonly { label: string; result: AnyResult }[], chart: (result: AnyResult) => string): string {
  const sections = runs.map(
    (r) => `<section>
<h2>${escapeHtml(r.label)}</h2>
<p>${escapeHtml(headline(r.result))}</p>
${resultBody(r.result)}
<figure>${inlineSvg(chart(r.result))}</figure>
${environmentList(r.result)}
</section>`,
  );
  const title = runs.length === 1 ? `udp-duplex-lab: ${runs[0]?.label ?? ''}` : `udp-duplex-lab: ${runs.length} results`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
</body>
</html>
`;
}
