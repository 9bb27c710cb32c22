/**
 * What the human-readable printers say about a direction beyond its figures:
 * that its sender fell short of the offered rate (`undersent`), and how the
 * independent loss derivations compare (`check`). Both become warning lines
 * merged with the run's own `warnings[]`, so each is printed exactly once
 * whether or not the producer already wrote it. Pure.
 */

import type { DirectionLabel, DirectionResult, DuplexResult, LossCheck, RunWarning } from '../result/types.js';
import { formatInteger, formatRate } from './format.js';
import { lossCheckOf } from './observed.js';

function labelOf(direction: Pick<DirectionResult, 'from' | 'to'>): DirectionLabel {
  return direction.from === 'A' ? 'A→B' : 'B→A';
}

/** A figure the loss check compares: `n/a` when not derived. */
function figure(value: number | null): string {
  return formatInteger(value);
}

/**
 * `A→B undersent: offered 300,000/s, sent 82,700/s (28 %) — the sender, not
 * the network, was the limit; loss figures describe a lower rate`.
 */
export function undersentMessage(direction: DirectionResult): string {
  const { offeredPps, sentPps } = direction;
  const share = offeredPps !== null && offeredPps > 0 && sentPps !== null ? ` (${Math.round((sentPps / offeredPps) * 100)} %)` : '';
  return (
    `${labelOf(direction)} undersent: offered ${formatRate(offeredPps)}/s, sent ${formatRate(sentPps)}/s${share}` +
    ' — the sender, not the network, was the limit; loss figures describe a lower rate'
  );
}

/** `lost 12, by sequence 15, kernel drops 10`: the three derivations side by side. */
export function checkFigures(direction: DirectionResult): string {
  const check = lossCheckOf(direction);
  return `lost ${figure(direction.lost)}, by sequence ${figure(check.lostBySequence)}, kernel drops ${figure(check.kernelDrops)}`;
}

/** How the check came out, in one word or phrase. */
export type CheckStatus = 'agree' | 'DISAGREE' | 'not checked by sequence' | 'not checked';

/**
 * `agree` only when the wire derivation exists and matches: a check without
 * `lostBySequence` (no end marker, or a schema-1 file) has not confirmed
 * anything, and must not read as if it had. A direction whose `lost` nobody
 * observed (a side of a remote run went missing) has nothing to check: that
 * is `not checked`, not a disagreement.
 */
export function checkStatus(check: LossCheck, lost?: number | null): CheckStatus {
  if (lost === null) return 'not checked';
  if (!check.agree) return 'DISAGREE';
  return check.lostBySequence === null ? 'not checked by sequence' : 'agree';
}

/** Whether a direction's loss could not be checked at all (its `lost` is unknown). */
export function isUncheckable(direction: DirectionResult): boolean {
  return direction.lost === null;
}

/** `lost 12, by sequence 12, kernel drops 12 — agree` (with the note in parentheses when there is one). */
export function formatLossCheck(direction: DirectionResult): string {
  const check = lossCheckOf(direction);
  const note = check.note === null ? '' : ` (${check.note})`;
  return `${checkFigures(direction)} — ${checkStatus(check, direction.lost)}${note}`;
}

/** `A→B loss check disagrees: lost 12, by sequence 15, kernel drops 10 — <note>`. */
export function checkDisagreesMessage(direction: DirectionResult): string {
  const what = isUncheckable(direction) ? 'loss not checked' : 'loss check disagrees';
  return `${labelOf(direction)} ${what}: ${checkFigures(direction)} — ${lossCheckOf(direction).note ?? 'no note recorded'}`;
}

/** Whether `warning` is about `label`: its `direction`, or (older results without it) its message naming it. */
function isAbout(warning: RunWarning, label: DirectionLabel): boolean {
  return warning.direction !== undefined ? warning.direction === label : warning.message.includes(label);
}

/**
 * The warnings to print for a run: its own, in order, then one `undersent`
 * per undersent direction and one `check-disagrees` per disagreeing check
 * that the run did not already carry.
 *
 * A producer's `undersent` warning is printed as written. A producer's
 * `check-disagrees` warning is rewritten to lead with the three figures
 * (its own words kept after them): the figures are the point of the line,
 * and a message without them would hide what disagreed.
 */
export function runWarnings(result: Pick<DuplexResult, 'warnings' | 'directions'>): RunWarning[] {
  // Identical warnings (e.g. the same buffer clamp reported by both endpoints) print once.
  const seen = new Set<string>();
  const out = result.warnings
    .filter((w) => {
      const key = JSON.stringify([w.code, w.direction ?? null, w.message, w.hint ?? null]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((w) => ({ ...w }));
  for (const direction of result.directions) {
    const label = labelOf(direction);
    if (direction.undersent && !out.some((w) => w.code === 'undersent' && isAbout(w, label))) {
      out.push({ code: 'undersent', direction: label, message: undersentMessage(direction) });
    }
    const check = lossCheckOf(direction);
    if (check.agree) continue;
    const message = checkDisagreesMessage(direction);
    if (isUncheckable(direction)) {
      if (!out.some((w) => w.code === 'loss-not-checked' && isAbout(w, label))) out.push({ code: 'loss-not-checked', direction: label, message });
      continue;
    }
    const existing = out.find((w) => w.code === 'check-disagrees' && isAbout(w, label));
    if (existing === undefined) {
      out.push({ code: 'check-disagrees', direction: label, message });
    } else if (!existing.message.includes(checkFigures(direction))) {
      const own = existing.message === check.note ? '' : ` (${existing.message})`;
      existing.message = `${message}${own}`;
    }
  }
  return out;
}
