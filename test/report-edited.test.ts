/**
 * Hand-edited result files: every field of a real published result is set to
 * null, to a string, to a nested object, or deleted, one at a time. Each
 * edited file is either read and rendered in every format, or refused with an
 * error that names the file and the schema path — never a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseResultFile } from '../src/result/read.js';
import { renderResult, type ReportFormat } from '../src/report/render.js';
import { ResultFileError } from '../src/errors.js';

const FILE = 'results/duplex-single-64B.json';

/** Every path to a value in a JSON document (arrays cut to their first two items to stay bounded). */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(v) ? [...v.keys()].slice(0, 2) : Object.keys(v);
  return [prefix, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function edit(doc: unknown, path: (string | number)[], how: 'null' | 'string' | 'object' | 'delete'): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string | number, unknown>;
  if (path.length === 0) return how === 'null' ? null : how === 'string' ? 'x' : how === 'object' ? { a: { b: 1 } } : {};
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (how === 'delete') delete parent[last];
  else parent[last] = how === 'null' ? null : how === 'string' ? '/../x\u0000' : { a: { b: [1] } };
  return copy;
}

describe('hand-edited result files', () => {
  it('are read and rendered, or refused naming the file and the schema path; nothing else escapes', () => {
    const doc = JSON.parse(readFileSync(FILE, 'utf8')) as unknown;
    const all = paths(doc);
    let refused = 0;
    let rendered = 0;
    for (const p of all) {
      for (const how of ['null', 'string', 'object', 'delete'] as const) {
        const text = JSON.stringify(edit(doc, p, how));
        let result;
        try {
          result = parseResultFile(text, 'edited.json');
        } catch (err) {
          expect(err, `${how} ${p.join('.')}`).toBeInstanceOf(ResultFileError);
          expect((err as Error).message).toMatch(/^edited\.json: /);
          refused++;
          continue;
        }
        for (const format of ['table', 'md', 'csv', 'json'] as ReportFormat[]) renderResult(result, format);
        rendered++;
      }
    }
    console.log(`${all.length} paths × 4 edits: ${refused} refused with a schema path, ${rendered} read and rendered`);
    expect(refused).toBeGreaterThan(100);
    expect(rendered).toBeGreaterThan(10);
  });
});
