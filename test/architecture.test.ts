/**
 * The layers of docs/architecture.md, checked on the source: every import of
 * every module in src/ points down (cli → bench → udp; bench and report →
 * result), and no module imports itself back at run time through a chain of
 * others. Type-only imports (`import type`) do not exist at run time; they
 * may point sideways (the schema proofs name the interfaces they prove), but
 * never up a layer.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re = /^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.{1,2}\/[^']+)'|^import\s+'(\.{1,2}\/[^']+)'/gm;
  for (const m of text.matchAll(re)) {
    const spec = (m[3] ?? m[4]) as string;
    out.push({ from: file, to: normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))), typeOnly: m[2] !== undefined });
  }
  // Dynamic imports are run-time imports too.
  for (const m of text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) out.push({ from: file, to: normalize(join(dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))), typeOnly: false });
  return out;
}

const layerOf = (file: string): string => {
  const r = relative('src', file);
  return r.includes('/') ? (r.split('/')[0] as string) : 'root';
};

/** What each layer may import (besides itself); `root` is src/errors.ts, src/version.ts and src/cli.ts. */
const ALLOWED: Record<string, readonly string[]> = {
  result: ['root'],
  udp: ['root'],
  report: ['result', 'root'],
  bench: ['udp', 'result', 'root'],
  cli: ['bench', 'report', 'result', 'root'],
  root: ['cli', 'bench', 'report', 'result', 'udp'],
};

const files = sources('src');
const all = files.flatMap(importsOf);

describe('the layers of docs/architecture.md', () => {
  it('every import points down a layer (type-only imports included)', () => {
    const wrong = all.filter((i) => layerOf(i.from) !== layerOf(i.to) && !(ALLOWED[layerOf(i.from)] ?? []).includes(layerOf(i.to)));
    expect(wrong.map((i) => `${i.from} → ${i.to}`)).toEqual([]);
  });

  it('src/errors.ts and src/version.ts import nothing of ours', () => {
    expect(all.filter((i) => ['src/errors.ts', 'src/version.ts'].includes(i.from)).map((i) => i.to)).toEqual([]);
  });

  it('no run-time import cycle', () => {
    const graph = new Map<string, string[]>();
    for (const i of all) if (!i.typeOnly) graph.set(i.from, [...(graph.get(i.from) ?? []), i.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].join(' → '));
        return;
      }
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) visit(t);
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) visit(f);
    expect(cycles).toEqual([]);
  });

  it('every import resolves to a file (the check above sees every edge)', () => {
    const known = new Set(files);
    expect(all.filter((i) => !known.has(i.to)).map((i) => `${i.from} → ${i.to}`)).toEqual([]);
  });
});
