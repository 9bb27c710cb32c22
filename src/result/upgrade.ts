/**
 * Fills the fields schema 2 added to results that lack them: files written by
 * schema 1 (in `results/` and users' directories), so the printers can rely
 * on schema 2 alone. Pure: returns an upgraded copy, never edits its input.
 *
 * What a schema-1 file did not record is not invented:
 *
 * - `offeredPps` comes from the run's own config (`rateAbPps` / `rateBaPps`):
 *   schema 1 recorded the asked rate there, so this is exact.
 * - `undersent` applies the same 95 % rule the producers use
 *   (`isUndersent`); when the achieved rate is unknown it is `false`, and
 *   `check.note` says it could not be computed.
 * - `check`: schema 1 derived loss only one way (`sent − received`), so
 *   `lostBySequence` is `null` and `kernelDrops` is the direction's own
 *   counter. `agree` is `true` in the schema's own sense — "every AVAILABLE
 *   derivation equals lost" holds vacuously, none being available — and the
 *   note says exactly that nothing was checked. `false` would be the
 *   dishonest choice: every old file would print a "check disagrees" warning
 *   about a disagreement nobody observed. The printers show a check without
 *   `lostBySequence` as "not checked by sequence", never as "agree".
 * - Partial schema-1 results wrote 0 for the side nobody observed
 *   (`observedBy: 'sender'`: all receive figures; `observedBy: 'receiver'`
 *   without an end marker: `sent` was a guess from the highest sequence
 *   number). Those become `null`, as schema 2 writes them.
 */

import { legacyIncompleteReason } from './incomplete.js';
import { SCHEMA_VERSION } from './types.js';
import { isUndersent } from './undersent.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number field, or `null` when absent or not a number. */
function numberOr(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The note a filled-in check carries, by where the result came from. */
function checkNote(schemaVersion: number, extra: readonly string[]): string {
  const origin =
    schemaVersion < 2
      ? 'written by schema 1: no independent check recorded'
      : 'no check recorded in this result';
  return [origin, ...extra].join('; ');
}

/** Nulls the figures nobody observed in a schema-1 partial result. */
function nullUnobserved(direction: Json): void {
  if (direction['observedBy'] === 'sender') {
    for (const key of ['received', 'lost', 'duplicates', 'reordered', 'late', 'foreign', 'lossPercent', 'receivedPps', 'bitsPerSecond', 'kernelDrops', 'lossAttribution']) {
      direction[key] = null;
    }
    if (Array.isArray(direction['intervals'])) {
      for (const sample of direction['intervals']) if (isObject(sample)) (sample['received'] = null), (sample['lost'] = null);
    }
  } else if (direction['observedBy'] === 'receiver' && direction['endMarkerSeen'] !== true) {
    // Schema 1 guessed `sent` from the highest sequence number: a floor, not a count.
    for (const key of ['sent', 'lost', 'lossPercent', 'sentPps', 'lossAttribution']) direction[key] = null;
    if (Array.isArray(direction['intervals'])) {
      for (const sample of direction['intervals']) if (isObject(sample)) (sample['sent'] = null), (sample['lost'] = null);
    }
  }
}

/** Fills one direction's missing schema-2 fields from its run's config. */
function upgradeDirection(direction: Json, config: Json, schemaVersion: number): void {
  if (schemaVersion < 2) nullUnobserved(direction);
  const extra: string[] = [];
  if (!('offeredPps' in direction)) {
    direction['offeredPps'] = numberOr(direction['from'] === 'B' ? config['rateBaPps'] : config['rateAbPps']);
  }
  if (!('undersent' in direction)) {
    // Unknown stays unknown (null): a missing sent rate is not "kept up".
    const verdict = isUndersent(numberOr(direction['sentPps']), numberOr(direction['offeredPps']));
    if (verdict === null) extra.push('undersent unknown (no sent rate)');
    direction['undersent'] = verdict;
  }
  if (schemaVersion < 2 && direction['observedBy'] === 'sender' && direction['endMarkerSeen'] === false) direction['endMarkerSeen'] = null;
  if (!isObject(direction['check'])) {
    direction['check'] = {
      lostBySequence: null,
      kernelDrops: numberOr(direction['kernelDrops']),
      // Vacuously true: no derivation to compare (see the module comment).
      agree: true,
      note: checkNote(schemaVersion, extra),
    };
  }
}

/** Upgrades a duplex result (top level or nested in a sweep or search) in place. */
function upgradeDuplex(run: Json): void {
  const schemaVersion = numberOr(run['schemaVersion']) ?? 1;
  const config = isObject(run['config']) ? run['config'] : {};
  if (Array.isArray(run['directions'])) {
    for (const direction of run['directions']) if (isObject(direction)) upgradeDirection(direction, config, schemaVersion);
  }
  run['schemaVersion'] = Math.max(schemaVersion, SCHEMA_VERSION);
}

/** Upgrades a search result's runs in place. */
function upgradeSearch(search: Json): void {
  if (Array.isArray(search['trialRuns'])) for (const run of search['trialRuns']) if (isObject(run)) upgradeDuplex(run);
  if (isObject(search['ceilingRun'])) upgradeDuplex(search['ceilingRun']);
  search['schemaVersion'] = Math.max(numberOr(search['schemaVersion']) ?? 1, SCHEMA_VERSION);
}

/**
 * A copy of `result` with every direction (its own, or its nested runs')
 * carrying the schema-2 fields. Results that already have them are returned
 * equal to their input; the copy's `schemaVersion` is the current one, since
 * it now has this version's shape (the check notes keep the origin).
 *
 * @param result - a parsed result that passed the reader's shape checks
 */
export function upgradeResult<T extends { kind: string }>(result: T): T {
  const copy = structuredClone(result) as unknown as Json;
  upgradeReason(copy);
  if (copy['kind'] === 'duplex') upgradeDuplex(copy);
  else if (copy['kind'] === 'search') upgradeSearch(copy);
  else if (copy['kind'] === 'sweep') {
    if (Array.isArray(copy['cells'])) {
      for (const cell of copy['cells']) {
        if (!isObject(cell)) continue;
        if (isObject(cell['run'])) {
          upgradeReason(cell['run']);
          upgradeDuplex(cell['run']);
        }
        if (isObject(cell['search'])) {
          upgradeReason(cell['search']);
          upgradeSearch(cell['search']);
        }
      }
    }
    copy['schemaVersion'] = Math.max(numberOr(copy['schemaVersion']) ?? 1, SCHEMA_VERSION);
  }
  return copy as unknown as T;
}

/**
 * Earlier versions wrote free-text reasons (`trial-incomplete (sender-timeout)`,
 * `peer-peer-timeout`); they map onto the closed list. An unknown text is left
 * as it is, so the schema check names it instead of hiding it.
 */
function upgradeReason(r: Json): void {
  const v = r['incompleteReason'];
  if (typeof v !== 'string') return;
  const known = legacyIncompleteReason(v);
  if (known !== null) r['incompleteReason'] = known;
}
