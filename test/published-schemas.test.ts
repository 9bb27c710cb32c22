/**
 * Every file in results/ validates against the published JSON Schema of its
 * kind (issue 21, finding 7), checked with Ajv — a standard validator that
 * reads the published documents as any user would, not the TypeBox objects
 * they were generated from. A corrupted perf file is refused by the schema
 * and by `bench report`, with one line naming the field.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { microJsonSchema, perfJsonSchema } from '../src/result/perf-schema.js';
import { runCli } from './cli.js';

const load = (f: string): Record<string, unknown> => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: false, strict: false });
const validators = {
  result: ajv.compile(load('schema/result.schema.json')),
  perf: ajv.compile(load('schema/perf.schema.json')),
  micro: ajv.compile(load('schema/micro.schema.json')),
};
const SCHEMA_OF_KIND: Record<string, keyof typeof validators> = { duplex: 'result', search: 'result', sweep: 'result', perf: 'perf', 'perf-nodes': 'perf', ab: 'perf', 'perf-cpu': 'perf', 'perf-receivers': 'perf', micro: 'micro' };

function ajvProblem(which: keyof typeof validators, doc: unknown): string | null {
  const v = validators[which];
  return v(doc) ? null : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('; ');
}

describe('the published schemas', () => {
  it('schema/perf.schema.json and schema/micro.schema.json are current (run `npm run schema` after changing them)', () => {
    expect(load('schema/perf.schema.json')).toEqual(perfJsonSchema());
    expect(load('schema/micro.schema.json')).toEqual(microJsonSchema());
  });

  it('every file in results/ validates against the published schema of its kind (Ajv, draft 2020-12)', () => {
    const files = readdirSync('results').filter((f) => f.endsWith('.json'));
    const byKind: Record<string, number> = {};
    for (const f of files) {
      const doc = load(`results/${f}`);
      const which = SCHEMA_OF_KIND[String(doc['kind'])];
      expect(which, `${f}: kind ${String(doc['kind'])} has no published schema`).toBeDefined();
      expect(ajvProblem(which as keyof typeof validators, doc), f).toBeNull();
      byKind[String(doc['kind'])] = (byKind[String(doc['kind'])] ?? 0) + 1;
    }
    // 11 runs and the 7 speed measurements the issue found unreadable, none skipped.
    expect(files.length).toBeGreaterThanOrEqual(18);
    expect((byKind['perf'] ?? 0) + (byKind['perf-nodes'] ?? 0) + (byKind['ab'] ?? 0)).toBeGreaterThanOrEqual(7);
  });

  it('a real bench micro --json result validates against schema/micro.schema.json', async () => {
    const r = await runCli(['micro', '--time', '20', '--json', '--no-save'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(ajvProblem('micro', JSON.parse(r.stdout))).toBeNull();
  }, 90_000);

  it('refuses a corrupted perf file: Ajv names the field, bench report says so in one line (exit 2); a valid one is named by its kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-perf-schema-'));
    const doc = load('results/perf-2026-11-24.json') as { searches: { ratePps: unknown; status: unknown }[]; targets: { pass: unknown }[] };
    const cases: [string, (d: typeof doc) => void, RegExp][] = [
      ['a rate as text', (d) => ((d.searches[0] as { ratePps: unknown }).ratePps = 'fast'), /\/searches\/0\/ratePps/],
      ['an unknown status', (d) => ((d.searches[0] as { status: unknown }).status = 'probably'), /\/searches\/0\/status/],
      ['a pass of "yes"', (d) => ((d.targets[0] as { pass: unknown }).pass = 'yes'), /\/targets\/0\/pass/],
    ];
    for (const [what, edit, path] of cases) {
      const bad = structuredClone(doc);
      edit(bad);
      expect(ajvProblem('perf', bad), what).toMatch(path);
      const file = join(dir, 'perf.json');
      writeFileSync(file, JSON.stringify(bad));
      const r = await runCli(['report', file]);
      expect(r.code, what).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/an npm run bench:perf run \(kind "perf"\) that does not match schema\/perf\.schema\.json at /);
      expect(lines[0]).toMatch(path);
    }
    const ok = await runCli(['report', 'results/perf-nodes-2026-11-24.json']);
    expect(ok.code).toBe(2);
    expect(ok.stderr.trim().split('\n')).toHaveLength(1);
    expect(ok.stderr).toMatch(/kind "perf-nodes", valid against schema\/perf\.schema\.json\): bench report renders duplex, search and sweep results only/);
  }, 60_000);
});
