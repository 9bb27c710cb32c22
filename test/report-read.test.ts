import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultFileError } from '../src/errors.js';
import { parseResultFile } from '../src/result/read.js';
import { renderChart, renderResult } from '../src/report/render.js';
import { SCHEMA_VERSION, type DirectionResult, type DuplexResult } from '../src/result/types.js';
import { buildDuplexResult } from './report-fixture.js';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** The fixture as schema 1 wrote it: no offeredPps, undersent or check. */
function schema1(result: DuplexResult = buildDuplexResult()): Record<string, unknown> {
  const directions = result.directions.map((d) => {
    const { offeredPps: _o, undersent: _u, check: _c, ...rest } = d;
    return rest;
  });
  return { ...result, schemaVersion: 1, directions };
}

/** Every direction of a parsed result, nested runs included. */
function allDirections(result: ReturnType<typeof parseResultFile>): DirectionResult[] {
  if (result.kind === 'duplex') return result.directions;
  const runs = result.kind === 'search' ? result.trialRuns : result.cells.flatMap((c) => (c.run !== null ? [c.run] : c.search?.trialRuns ?? []));
  return runs.flatMap((r) => r.directions);
}

/** The error `parseResultFile` throws for `text` (fails the test if it does not throw). */
function refusal(text: string): ResultFileError {
  try {
    parseResultFile(text, 'runs/x.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ResultFileError);
    return error as ResultFileError;
  }
  throw new Error('parseResultFile accepted the input');
}

describe('parseResultFile', () => {
  it('accepts a result round-tripped through JSON', () => {
    const result = buildDuplexResult();
    expect(parseResultFile(JSON.stringify(result, null, 2), 'runs/x.json')).toEqual(result);
  });

  it('refuses text that is not JSON, naming the file', () => {
    const error = refusal('{"kind": "duplex",');
    expect(error.file).toBe('runs/x.json');
    expect(error.message).toMatch(/^runs\/x\.json: not JSON \(/);
    expect(error.code).toBe('ERESULTFILE');
  });

  it('refuses JSON that is not a result of this tool', () => {
    for (const text of ['{"name": "package"}', '[1, 2]', 'null', '"duplex"', '{"kind": "duplex", "schemaVersion": "1"}']) {
      expect(refusal(text).message).toMatch(/not a result file of this tool/);
    }
  });

  it('refuses a result written by a newer schema', () => {
    const newer = { ...buildDuplexResult(), schemaVersion: SCHEMA_VERSION + 1 };
    expect(refusal(JSON.stringify(newer)).message).toBe(
      `runs/x.json: written by a newer version (schema ${SCHEMA_VERSION + 1}), this tool reads up to ${SCHEMA_VERSION}`,
    );
  });

  it('refuses an unknown kind', () => {
    const message = refusal(JSON.stringify({ ...buildDuplexResult(), kind: 'banana' })).message;
    expect(message).toMatch(/unknown result kind "banana"/);
  });

  it('refuses an invalid schema version and a duplex result missing its parts', () => {
    expect(refusal(JSON.stringify({ ...buildDuplexResult(), schemaVersion: 0 })).message).toMatch(/invalid schemaVersion/);
    const { directions: _directions, ...noDirections } = buildDuplexResult();
    expect(refusal(JSON.stringify(noDirections)).message).toMatch(/"directions" is not a list/);
    const broken = buildDuplexResult() as unknown as { directions: Record<string, unknown>[] };
    delete broken.directions[1]?.['latencyUs'];
    expect(refusal(JSON.stringify(broken)).message).toMatch(/directions\[1\] is malformed/);
  });

  it('names the path of a bad field in the schema of the file\'s own kind', () => {
    // Against the union of kinds, the deepest error of any kind was shown (e.g. /peerEnvironment).
    const controlChars = { ...buildDuplexResult(), startedAt: 'a\u0000b\u001b[31m' };
    expect(refusal(JSON.stringify(controlChars)).message).toMatch(/^runs\/x\.json: does not match the result schema at \/startedAt: /);
    const badKernel = buildDuplexResult() as unknown as { kernel: Record<string, unknown> };
    badKernel.kernel['delta'] = 'lots';
    expect(refusal(JSON.stringify(badKernel)).message).toMatch(/at \/kernel\/delta/);
  });

  it('reads a schema-1 duplex result, filling the schema-2 fields honestly', () => {
    const read = parseResultFile(JSON.stringify(schema1()), 'old.json') as DuplexResult;
    expect(read.schemaVersion).toBe(SCHEMA_VERSION);
    const [ab, ba] = read.directions;
    // The offered rate is the config's: 10k for A→B, unpaced (`max`) for B→A.
    expect(ab?.offeredPps).toBe(10000);
    expect(ba?.offeredPps).toBeNull();
    expect(ab?.undersent).toBe(false);
    expect(ab?.check).toEqual({ lostBySequence: null, kernelDrops: 10, agree: true, note: 'written by schema 1: no independent check recorded' });
    // Never shown as a confirmed agreement, never as a disagreement.
    const markdown = renderResult(read, 'md');
    expect(markdown).toContain('- loss check A→B: lost 12, by sequence n/a, kernel drops 10 — not checked by sequence (written by schema 1: no independent check recorded)');
    expect(markdown).not.toMatch(/disagree/i);
  });

  it('applies the 95 % rule to a schema-1 result that fell short of its rate', () => {
    const old = buildDuplexResult();
    old.config.rateAbPps = 60000;
    old.config.rateAbText = '60k';
    old.directions[0]!.sentPps = 34700;
    const read = parseResultFile(JSON.stringify(schema1(old)), 'old.json') as DuplexResult;
    expect(read.directions[0]?.offeredPps).toBe(60000);
    expect(read.directions[0]?.undersent).toBe(true);
    const undersent = renderResult(read, 'table').split('\n').filter((l) => l.includes('undersent') && l.startsWith('warning'));
    expect(undersent).toEqual([
      'warning [undersent]: A→B undersent: offered 60,000/s, sent 34,700/s (58 %) — the sender, not the network, was the limit; loss figures describe a lower rate',
    ]);
  });

  it('turns the 0s a schema-1 partial result wrote for the unobserved side into null', () => {
    const old = buildDuplexResult({ complete: false, incompleteReason: 'peer-timeout' });
    Object.assign(old.directions[0]!, { observedBy: 'sender', received: 0, lost: 0, lossPercent: 0, receivedPps: 0, bitsPerSecond: 0, duplicates: 0 });
    const read = parseResultFile(JSON.stringify(schema1(old)), 'old.json') as DuplexResult;
    const ab = read.directions[0]!;
    for (const key of ['received', 'lost', 'lossPercent', 'receivedPps', 'bitsPerSecond', 'duplicates', 'lossAttribution'] as const) expect(ab[key], key).toBeNull();
    expect(ab.sent).toBe(50000);
    const row = renderResult(read, 'table').split('\n').find((l) => l.startsWith('│ A→B')) ?? '';
    expect(row.split('│').map((c) => c.trim()).slice(3, 7)).toEqual(['n/a', 'n/a', 'n/a', 'n/a']);
  });

  it('does not touch a result that already has the schema-2 fields', () => {
    const result = buildDuplexResult();
    result.directions[0]!.undersent = true;
    result.directions[0]!.check = { lostBySequence: 99, kernelDrops: 1, agree: false, note: 'x' };
    expect(parseResultFile(JSON.stringify(result), 'new.json')).toEqual(result);
  });

  it.each(['duplex-split-64B.json', 'remote-netns-client-single-listener-split-200B.json', 'findmax-single-64B.json', 'sweep-rcvbuf-size-rate.json'])(
    // Copies of the published results as schema 1 wrote them (before the re-run), kept as fixtures.
    'reads and renders the schema-1 file %s (as published before schema 2)',
    (name) => {
      const read = parseResultFile(readFileSync(join('test', 'fixtures', 'schema1', name), 'utf8'), name);
      const directions = allDirections(read);
      expect(directions.length).toBeGreaterThan(0);
      for (const d of directions) {
        expect(typeof d.undersent).toBe('boolean');
        expect(d.check.lostBySequence).toBeNull();
        expect(d.check.agree).toBe(true);
        expect(d.check.note).toMatch(/^written by schema 1/);
      }
      for (const format of ['table', 'md', 'csv'] as const) expect(renderResult(read, format).length).toBeGreaterThan(100);
      expect(renderChart(read)).toContain('</svg>');
    },
  );
});
