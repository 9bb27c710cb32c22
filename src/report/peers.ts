/**
 * The per-client part of a `--clients N` result for the terminal and
 * Markdown: one row per client with both directions side by side, and the
 * fairness line. Pure `(result, options) → string`.
 */
import type { DirectionResult, DuplexResult, PeerResult } from '../result/types.js';
import { formatInteger, formatPercent, formatPps } from './format.js';
import { observedFigures, lossCheckOf } from './observed.js';
import { fitTable, maxLineWidth, visibleWidth } from './fit.js';

import { isUncheckable } from './direction-notes.js';
import { UNDERSENT_MARK } from './labels.js';

/** Column heads of the per-client table (two lines each: the compact layout stacks them). */
export const PEER_HEAD = ['client\n   port', 'A→B\nsent/s', 'A→B\nrecv/s', 'A→B\nloss', 'B→A\nsent/s', 'B→A\nrecv/s', 'B→A\nloss', 'p99 µs\nA→B/B→A', 'loss\nchecks'] as const;

/**
 * A borderless table: heads stacked on two lines, columns two spaces apart.
 * Many clients make many rows: boxes around each would double the height
 * and not fit 80 columns; this does, for up to five-digit rates.
 */
function plainTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const heads = head.map((h) => h.split('\n'));
  const depth = Math.max(...heads.map((h) => h.length));
  const widths = head.map((_, i) => Math.max(...heads[i]!.map((x) => visibleWidth(x)), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const pad = (text: string, i: number): string => {
    const gap = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleWidth(text)));
    return i === 0 ? text + gap : gap + text;
  };
  const out: string[] = [];
  for (let line = 0; line < depth; line++) {
    // Shorter heads sit on the bottom line, next to their figures.
    out.push(heads.map((h, i) => pad(h[line - (depth - h.length)] ?? '', i)).join('  ').trimEnd());
  }
  for (const r of rows) out.push(r.map((c, i) => pad(c, i)).join('  ').trimEnd());
  return out.join('\n');
}

function dir(p: PeerResult, from: 'A' | 'B'): DirectionResult | undefined {
  return p.directions.find((d) => d.from === from);
}

function rate(d: DirectionResult | undefined, which: 'sentPps' | 'receivedPps'): string {
  if (d === undefined) return 'n/a';
  const v = observedFigures(d)[which];
  return which === 'sentPps' && d.undersent ? `${formatPps(v)} ${UNDERSENT_MARK}` : formatPps(v);
}

function p99(d: DirectionResult | undefined): string {
  const v = d?.latencyUs.p99 ?? null;
  return v === null ? 'n/a' : formatInteger(v);
}

/** The cells of one client's row. */
export function peerRow(p: PeerResult): string[] {
  const up = dir(p, 'A');
  const down = dir(p, 'B');
  const loss = (d: DirectionResult | undefined): string => (d === undefined ? 'n/a' : formatPercent(observedFigures(d).lossPercent));
  const checks = [up, down].every((d) => d !== undefined && lossCheckOf(d).agree) ? 'agree' : [up, down].some((d) => d === undefined || isUncheckable(d)) ? 'not checked' : 'DISAGREE';
  return [`A${p.index} ${p.port}`, rate(up, 'sentPps'), rate(up, 'receivedPps'), loss(up), rate(down, 'sentPps'), rate(down, 'receivedPps'), loss(down), `${p99(up)}/${p99(down)}`, checks];
}

/** `fairness (Jain's index of the clients' received rates): A→B 0.998, B→A 1.000`. */
export function formatFairness(result: DuplexResult): string {
  const f = result.fairness;
  const v = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
  return `fairness (Jain's index of the clients' received rates, 1 = equal): A→B ${v(f?.abJain)}, B→A ${v(f?.baJain)}`;
}

/**
 * The per-client table, fitted to `width` like the direction table, with a
 * line saying what A and B are and the fairness line. Empty for a
 * two-endpoint result.
 */
export function formatPeersTable(result: DuplexResult, options: { width: number; color: boolean }): string[] {
  const peers = result.peers ?? [];
  if (peers.length === 0) return [];
  const server = result.endpoints.find((e) => e.id === 'B');
  const lines = [
    `${peers.length} clients A1…A${peers.length} on one server port B${server === undefined ? '' : ` ${server.address}:${server.port}`}; the A→B and B→A rows above are the sums over all clients, per client:`,
  ];
  const rows = peers.map(peerRow);
  const plain = plainTable(PEER_HEAD, rows);
  lines.push(
    maxLineWidth(plain) <= options.width
      ? plain
      : fitTable({ head: [...PEER_HEAD], rows, align: PEER_HEAD.map((_, i) => (i === 0 ? 'left' : 'right')) }, options.width, options.color).text,
  );
  lines.push(formatFairness(result));
  return lines;
}
