/**
 * Reading result files back (`bench report`, `bench compare`): parse and
 * refuse anything the printers could not handle, with a message naming the
 * file. Pure: the caller reads the file and passes its text.
 */

import { ResultFileError } from '../errors.js';
import { SCHEMA_VERSION, isResultLike, type AnyResult } from './types.js';
import { upgradeResult } from './upgrade.js';
import { DuplexResultSchema, SearchResultSchema, SweepResultSchema, firstProblem } from './schema.js';
import { PERF_KINDS, isPerfKind, type PerfKind } from './perf-schema.js';

/** The `kind`s this version can read. Sweep and search join when they exist. */
export const KNOWN_KINDS: readonly string[] = ['duplex', 'sweep', 'search'];

/**
 * Parses the text of a result file.
 *
 * @param text - the file's contents
 * @param file - the file name, for error messages
 * @returns the result, typed by its `kind`, with fields added by later
 *   schema versions filled in (see `upgrade.ts`: schema-1 files stay readable)
 * @throws ResultFileError when the text is not JSON, not a result of this
 *   tool, written by a newer schema version, of an unknown kind, or missing
 *   the parts every printer relies on
 */
export function parseResultFile(text: string, file: string): AnyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ResultFileError(file, `not JSON (${detail})`);
  }
  if (!isResultLike(value)) {
    throw new ResultFileError(file, 'not a result file of this tool (no "kind" and "schemaVersion")');
  }
  const { kind, schemaVersion } = value;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new ResultFileError(file, `invalid schemaVersion ${JSON.stringify(schemaVersion)}`);
  }
  // Checked before the kind: a newer version may well bring a new kind, and
  // "upgrade" is the useful answer then.
  if (schemaVersion > SCHEMA_VERSION) {
    throw new ResultFileError(
      file,
      `written by a newer version (schema ${schemaVersion}), this tool reads up to ${SCHEMA_VERSION}`,
    );
  }
  // The project's own speed measurements (results/perf-*.json, bench micro --json) have their
  // own published schemas; they are checked against them and then named, not rendered.
  if (isPerfKind(kind)) refusePerf(value, kind, file);
  if (!KNOWN_KINDS.includes(kind)) {
    throw new ResultFileError(file, `unknown result kind ${JSON.stringify(kind)} (known: ${KNOWN_KINDS.join(', ')}; and ${Object.keys(PERF_KINDS).join(', ')}, which it names but does not render)`);
  }
  if (kind === 'duplex') checkDuplexShape(value, file);
  else if (kind === 'sweep') checkListShape(value, file, 'sweep', ['cells', 'warnings']);
  else checkListShape(value, file, 'search', ['trials', 'trialRuns', 'warnings']);
  // Every file passes the published schema (after filling in what older
  // versions did not write), so printers never meet a shape they cannot handle.
  // Validated against its own kind's schema only: against the union, the
  // deepest error of any branch was shown, often one from another kind.
  const schema = kind === 'duplex' ? DuplexResultSchema : kind === 'sweep' ? SweepResultSchema : SearchResultSchema;
  let result: AnyResult;
  try {
    result = upgradeResult(value as AnyResult);
  } catch {
    const p = firstProblem(schema, value);
    throw new ResultFileError(file, `does not match the result schema${p === null ? '' : ` at ${p.path}: ${p.message}`}`);
  }
  const problem = firstProblem(schema, result);
  if (problem !== null) throw new ResultFileError(file, `does not match the result schema at ${problem.path}: ${problem.message}`);
  return result;
}

/**
 * A speed measurement is not a run: one line that says what it is, whether
 * it matches its published schema (and where not), and where its summary is.
 * Always throws.
 */
function refusePerf(value: object, kind: PerfKind, file: string): never {
  const k = PERF_KINDS[kind];
  const problem = firstProblem(k.schema, value);
  if (problem !== null) throw new ResultFileError(file, `${k.what} (kind "${kind}") that does not match ${k.published} at ${problem.path}: ${problem.message}`);
  const summary = kind === 'micro' ? 'bench micro prints its own table' : 'its summary is the .md file written beside it';
  throw new ResultFileError(file, `${k.what} (kind "${kind}", valid against ${k.published}): bench report renders duplex, search and sweep results only; ${summary}`);
}

/**
 * A shallow check of what every printer dereferences, so a truncated or
 * hand-edited file fails here with its name rather than as a TypeError deep
 * in a printer.
 */
function checkDuplexShape(value: object, file: string): void {
  const record = value as Record<string, unknown>;
  for (const key of ['directions', 'endpoints', 'warnings'] as const) {
    if (!Array.isArray(record[key])) throw new ResultFileError(file, `incomplete duplex result: "${key}" is not a list`);
  }
  for (const key of ['config', 'environment', 'kernel'] as const) {
    if (!isObject(record[key])) throw new ResultFileError(file, `incomplete duplex result: "${key}" is missing`);
  }
  (record['directions'] as unknown[]).forEach((direction, i) => {
    const ok =
      isObject(direction) &&
      typeof direction['from'] === 'string' &&
      typeof direction['to'] === 'string' &&
      isObject(direction['latencyUs']) &&
      // Schema 2: `null` when the loss is unknown.
      (isObject(direction['lossAttribution']) || direction['lossAttribution'] === null) &&
      isObject(direction['sendErrors']) &&
      Array.isArray(direction['intervals']);
    if (!ok) throw new ResultFileError(file, `incomplete duplex result: directions[${i}] is malformed`);
  });
}

/** Sweeps and searches: the lists and objects their printers walk; nested runs are checked like duplex results. */
function checkListShape(value: object, file: string, kind: string, lists: readonly string[]): void {
  const record = value as Record<string, unknown>;
  for (const key of lists) {
    if (!Array.isArray(record[key])) throw new ResultFileError(file, `incomplete ${kind} result: "${key}" is not a list`);
  }
  for (const key of ['config', 'environment'] as const) {
    if (!isObject(record[key])) throw new ResultFileError(file, `incomplete ${kind} result: "${key}" is missing`);
  }
  const runs: unknown[] = kind === 'sweep' ? (record['cells'] as Record<string, unknown>[]).flatMap((c) => (isObject(c) && isObject(c['run']) ? [c['run']] : [])) : (record['trialRuns'] as unknown[]);
  runs.forEach((run) => {
    if (!isObject(run)) throw new ResultFileError(file, `incomplete ${kind} result: a run is malformed`);
    checkDuplexShape(run, file);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
