/**
 * The one-line verdict after a duplex run: what the run shows about each
 * endpoint's one port sending and receiving at the same time, worded from the
 * figures — never a fixed "success" line. Pure.
 */

import type { DirectionResult, DuplexResult, EndpointResult } from '../result/types.js';
import { formatInteger, formatPercent, formatPps } from './format.js';
import { lossCheckOf, observedFigures } from './observed.js';
import { incompleteText } from '../result/incomplete.js';

import { isUncheckable } from './direction-notes.js';
import { directionLabel, formatAddress } from './labels.js';

/** B's counts within this share of A's read as "likewise" (a symmetric run); otherwise B's own figures are given. */
const LIKEWISE_TOLERANCE = 0.01;

function near(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return false;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 || Math.abs(a - b) / scale <= LIKEWISE_TOLERANCE;
}

/** What one endpoint's port did: sent its direction, received the other. */
interface PortCounts {
  endpoint: EndpointResult | undefined;
  id: 'A' | 'B';
  sent: number | null;
  received: number | null;
}

function portCounts(result: DuplexResult, id: 'A' | 'B'): PortCounts {
  const out = result.directions.find((d) => d.from === id);
  const into = result.directions.find((d) => d.to === id);
  return {
    endpoint: result.endpoints.find((e) => e.id === id),
    id,
    sent: out === undefined ? null : observedFigures(out).sent,
    received: into === undefined ? null : observedFigures(into).received,
  };
}

function describePort(port: PortCounts): string {
  const where = port.endpoint === undefined ? '' : ` ${formatAddress(port.endpoint)}`;
  return `${port.id}${where} sent ${formatInteger(port.sent)} and received ${formatInteger(port.received)}`;
}

/** `full duplex` only when both ports are known to have sent and received; otherwise what is missing. */
function duplexClaim(ports: readonly PortCounts[]): string {
  const silent = ports.flatMap((p) => [
    ...(p.sent === 0 ? [`${p.id} sent nothing`] : []),
    ...(p.received === 0 ? [`${p.id} received nothing`] : []),
  ]);
  if (silent.length > 0) return `NOT full duplex: ${silent.join(', ')}`;
  const unknown = ports.flatMap((p) => [
    ...(p.sent === null ? [`${p.id}'s sending`] : []),
    ...(p.received === null ? [`${p.id}'s receiving`] : []),
  ]);
  if (unknown.length > 0) return `full duplex not confirmed: no figures for ${unknown.join(' or ')}`;
  return 'full duplex';
}

/** `0.00 % loss` when both directions print the same, else `loss A→B 0.02 %, B→A 2.22 %`. */
function lossPhrase(directions: readonly DirectionResult[]): string {
  const shown = directions.map((d) => formatPercent(observedFigures(d).lossPercent));
  if (shown.length > 0 && shown.every((s) => s === shown[0])) return `${shown[0] ?? ''} loss`;
  return `loss ${directions.map((d, i) => `${directionLabel(d)} ${shown[i] ?? ''}`).join(', ')}`;
}

/** The qualifications that change what the figures mean, each a short clause. */
function qualifications(directions: readonly DirectionResult[]): string[] {
  const out: string[] = [];
  for (const d of directions) {
    if (!d.undersent) continue;
    const { sentPps } = observedFigures(d);
    out.push(`${directionLabel(d)} undersent (${formatPps(sentPps)}/s of ${formatPps(d.offeredPps)}/s offered: the sender was the limit)`);
  }
  const dropping = directions.filter((d) => (d.kernelDrops ?? 0) > 0);
  if (dropping.length > 0) {
    out.push(`kernel drops ${dropping.map((d) => `${directionLabel(d)} ${formatInteger(d.kernelDrops)}`).join(', ')} (receive buffer full)`);
  }
  const disagreeing = directions.filter((d) => !lossCheckOf(d).agree && !isUncheckable(d));
  if (disagreeing.length > 0) out.push(`loss check disagrees for ${disagreeing.map(directionLabel).join(', ')} (see warnings)`);
  // A side that went missing left nothing to check: say so, not "disagrees".
  const unchecked = directions.filter(isUncheckable);
  if (unchecked.length > 0) out.push(`loss not checked for ${unchecked.map(directionLabel).join(', ')} (not observed by both sides)`);
  return out;
}

/**
 * e.g. `one port each: A 127.0.0.1:41169 sent 49,975 and received 49,977
 * datagrams in the same 5.0 s; B likewise — full duplex, 0.00 % loss`, with
 * undersent directions, kernel drops and check disagreements appended and a
 * `PARTIAL (reason):` prefix for an incomplete run.
 */
export function formatVerdict(result: DuplexResult): string {
  if (result.peers !== undefined && result.peers.length > 0) return formatServerVerdict(result);
  const a = portCounts(result, 'A');
  const b = portCounts(result, 'B');
  const seconds = Math.max(0, ...result.directions.map((d) => d.durationSeconds ?? 0));
  const bPart = near(a.sent, b.sent) && near(a.received, b.received) ? 'B likewise' : describePort(b);
  const claim = [duplexClaim([a, b]), lossPhrase(result.directions)].join(', ');
  const extra = qualifications(result.directions);
  const partial = result.complete ? '' : `PARTIAL (${incompleteText(result.incompleteReason)}): `;
  const tail = extra.length > 0 ? `; ${extra.join('; ')}` : '';
  return `${partial}one port each: ${describePort(a)} datagrams in the same ${seconds.toFixed(1)} s; ${bPart} — ${claim}${tail}`;
}

/**
 * With `--clients N`: what the server's one port did, e.g. `one server port:
 * B 127.0.0.1:5301 sent 40,000 to 4 clients and received 39,990 from them in
 * the same 5.0 s; every client's port sent and received — full duplex, …`.
 */
function formatServerVerdict(result: DuplexResult): string {
  const peers = result.peers ?? [];
  const b = portCounts(result, 'B');
  const where = b.endpoint === undefined ? '' : ` ${formatAddress(b.endpoint)}`;
  const seconds = Math.max(0, ...result.directions.map((d) => d.durationSeconds ?? 0));
  // Each client is a port of its own: every one must have sent and received.
  const clientPorts: PortCounts[] = peers.map((p) => {
    const up = p.directions.find((d) => d.from === 'A');
    const down = p.directions.find((d) => d.from === 'B');
    return { endpoint: undefined, id: 'A', sent: up === undefined ? null : observedFigures(up).sent, received: down === undefined ? null : observedFigures(down).received };
  });
  const silent = clientPorts.filter((c) => c.sent === 0 || c.received === 0).length;
  const clientsPart = silent > 0 ? `${silent} of ${peers.length} clients sent or received nothing` : "every client's port sent and received";
  const claim = silent > 0 ? `NOT full duplex for every client` : duplexClaim([b]);
  const extra = qualifications(result.directions);
  const partial = result.complete ? '' : `PARTIAL (${incompleteText(result.incompleteReason)}): `;
  const tail = extra.length > 0 ? `; ${extra.join('; ')}` : '';
  return `${partial}one server port: B${where} sent ${formatInteger(b.sent)} to ${peers.length} clients and received ${formatInteger(b.received)} from them in the same ${seconds.toFixed(1)} s; ${clientsPart} — ${claim}, ${lossPhrase(result.directions)}${tail}`;
}
