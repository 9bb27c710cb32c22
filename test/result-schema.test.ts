import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { AnyResultSchema, firstProblem, resultJsonSchema } from '../src/result/schema.js';
import { parseResultFile } from '../src/result/read.js';

describe('the published JSON Schema', () => {
  it('schema/result.schema.json is the current schema (run `npm run schema` after changing it)', () => {
    expect(JSON.parse(readFileSync('schema/result.schema.json', 'utf8'))).toEqual(resultJsonSchema());
  });

  it('every published result in results/ passes it (older schema versions after the reader fills them in)', () => {
    const files = readdirSync('results').filter((f) => f.endsWith('.json') && !f.startsWith('perf'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const raw = JSON.parse(readFileSync(`results/${f}`, 'utf8')) as { schemaVersion: number };
      // Current files must pass as written; older ones through the reader's upgrade.
      const doc = raw.schemaVersion >= 2 ? raw : parseResultFile(JSON.stringify(raw), f);
      expect(firstProblem(AnyResultSchema, doc), f).toBeNull();
    }
  });

  it('refuses a result with a figure of the wrong type, pointing at it', () => {
    const doc = JSON.parse(readFileSync('results/duplex-single-64B.json', 'utf8')) as { directions: { sent: unknown }[] };
    const upgraded = parseResultFile(JSON.stringify(doc), 'x.json') as unknown as { directions: { sent: unknown }[] };
    (upgraded.directions[0] as { sent: unknown }).sent = 'many';
    expect(firstProblem(AnyResultSchema, upgraded)?.path).toBe('/directions/0/sent');
  });

  it('knows every warning code there is: a made-up one is refused at its path', () => {
    const doc = parseResultFile(readFileSync('results/duplex-single-64B.json', 'utf8'), 'x.json') as unknown as { warnings: { code: string; message: string }[] };
    doc.warnings = [{ code: 'made-up', message: 'x' }];
    expect(firstProblem(AnyResultSchema, doc)?.path).toBe('/warnings/0/code');
    doc.warnings = [{ code: 'search-stopped', message: 'x' }];
    expect(firstProblem(AnyResultSchema, doc)).toBeNull();
  });
});
