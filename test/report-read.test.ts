import { describe, it, expect } from 'vitest';
import { ResultFileError } from '../src/errors.js';
import { parseResultFile } from '../src/report/read.js';
import { SCHEMA_VERSION } from '../src/report/schema.js';
import { buildDuplexResult } from './report-fixture.js';

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
});
