/**
 * Labels every printer shares (terminal, Markdown, HTML, SVG, compare): a
 * direction, an address, a result's completion, the undersent mark. Their
 * own module, so that the printers import them without importing each
 * other (table.ts, verdict.ts and peers.ts imported one another for them).
 */
import type { DirectionResult, DuplexResult, EndpointResult } from '../result/types.js';
import type { IncompleteReason } from '../result/incomplete.js';

/**
 * What marks an undersent direction's row: its figures describe a lower rate
 * than asked for. The warning line below the table says why.
 */
export const UNDERSENT_MARK = '!';

/** The legend of {@link UNDERSENT_MARK}, printed under a table that uses it. */
export const UNDERSENT_LEGEND = `${UNDERSENT_MARK} = undersent: the sender fell short of the offered rate, so that row describes a lower rate`;

/** `A→B`, or `A→B !` when the direction was undersent. */
export function directionRowLabel(direction: Pick<DirectionResult, 'from' | 'to' | 'undersent'>): string {
  return direction.undersent ? `${directionLabel(direction)} ${UNDERSENT_MARK}` : directionLabel(direction);
}

/** `A→B`. */
export function directionLabel(direction: Pick<DirectionResult, 'from' | 'to'>): string {
  return `${direction.from}→${direction.to}`;
}

/** `address:port`, with IPv6 addresses in brackets. */
export function formatAddress(endpoint: Pick<EndpointResult, 'address' | 'port'>): string {
  const host = endpoint.address.includes(':') ? `[${endpoint.address}]` : endpoint.address;
  return `${host}:${endpoint.port}`;
}

/** `complete`, or `PARTIAL (code)`: short, for tables and chart titles. */
export function completionLabel(result: { complete: boolean; incompleteReason: IncompleteReason | null }): string {
  return result.complete ? 'complete' : `PARTIAL (${result.incompleteReason ?? 'unknown reason'})`;
}

/**
 * The run's CPU cost in one line (issue 24), or `null` for results without
 * it: µs per datagram carried and the projection it gives, labelled as one.
 */
export function cpuCostLine(result: Pick<DuplexResult, 'cpuCost'>): string | null {
  const c = result.cpuCost;
  if (c === undefined || c.usPerDatagramCarried === null) return null;
  const cores = c.coresFor100kEachWay === null ? '' : `; projection, not a measurement: ${c.coresFor100kEachWay.toFixed(2)} cores for 100,000 datagrams/s each way`;
  return `CPU: ${c.usPerDatagramCarried.toFixed(2)} µs per datagram carried (user + system of every thread of both endpoints over ${c.datagrams.toLocaleString('en-US')} datagrams sent, warm-up included)${cores}`;
}
