/**
 * A GitHub-Markdown report of a `bench duplex` run, for pasting into issues
 * and READMEs. Same figures, formatted the same way, as the terminal table
 * (both use `DIRECTION_COLUMNS`).
 */

import type { DuplexResult, EndpointResult } from './schema.js';
import {
  DIRECTION_COLUMNS,
  completionLabel,
  directionLabel,
  formatBufferSize,
  formatRunHeadline,
  formatThreads,
  formatSendErrors,
} from './table.js';
import { formatLossCheck, runWarnings } from './direction-notes.js';

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

/**
 * The Markdown report: a bold headline, an environment line (node, kernel,
 * CPU, threads, datagram size, rcvbuf), the per-direction table (an
 * undersent direction's label marked `!`), then per direction the loss check,
 * delay notes, send errors, and the warnings (the run's own, plus undersent
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
      `${config.sizeBytes} B datagrams`,
      rcvbufSummary(result.endpoints),
    ]
      .map(escapeMarkdown)
      .join(' · '),
    '',
  );

  lines.push(`| ${DIRECTION_COLUMNS.map((c) => escapeMarkdown(c.title)).join(' | ')} |`);
  // Left-align the direction label, right-align the figures (as in the terminal).
  lines.push(`| ${DIRECTION_COLUMNS.map((_, i) => (i === 0 ? ':--' : '--:')).join(' | ')} |`);
  for (const direction of result.directions) {
    lines.push(`| ${DIRECTION_COLUMNS.map((c) => escapeMarkdown(c.cell(direction))).join(' | ')} |`);
  }

  const notes: string[] = [];
  // Always shown, agreeing or not: a reader should see that loss was cross-checked, and how.
  for (const direction of result.directions) {
    notes.push(`- loss check ${directionLabel(direction)}: ${escapeMarkdown(formatLossCheck(direction))}`);
  }
  for (const direction of result.directions) {
    const note = direction.latencyUs.note;
    if (note !== '') notes.push(`- delay ${directionLabel(direction)}: ${escapeMarkdown(note)}`);
  }
  for (const direction of result.directions) {
    const errors = formatSendErrors(direction);
    if (errors !== '') notes.push(`- send errors ${directionLabel(direction)}: ${escapeMarkdown(errors)}`);
  }
  for (const warning of runWarnings(result)) {
    const hint = warning.hint === undefined ? '' : ` — hint: ${markdownCode(warning.hint)}`;
    notes.push(`- warning ${markdownCode(warning.code)}: ${escapeMarkdown(warning.message)}${hint}`);
  }
  if (notes.length > 0) lines.push('', ...notes);

  return `${lines.join('\n')}\n`;
}
