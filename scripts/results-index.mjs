#!/usr/bin/env node
/**
 * `npm run results`: regenerates, from the JSON files in results/ (not
 * results/runs/), each file's Markdown table (X.md) and chart (X.svg), and the
 * index results/README.md — so the published tables never drift from the data.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseResultFile } from '../dist/result/read.js';
import { renderChart, renderResult } from '../dist/report/render.js';
import { writeFileAtomic } from '../dist/cli/files.js';

const DIR = 'results';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.startsWith('perf-')).sort();
// Schema 2 makes unobserved figures null (schema 1 files have numbers): show n/a.
const pct = (v) => (v === null || v === undefined ? 'n/a' : `${v.toFixed(v < 0.01 && v > 0 ? 4 : 2)} %`);
const num = (v) => (v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const kib = (b) => (b === null || b === undefined ? 'default' : b >= 1048576 ? `${b / 1048576} MiB` : `${Math.round(b / 1024)} KiB`);

function envLine(e) {
  const s = e.sysctls ?? {};
  return `${e.cpuModel} × ${e.cpuCount}, ${e.kernel}, Node ${e.nodeVersion}; rmem_max ${s['net.core.rmem_max'] ?? 'n/a'}, wmem_max ${s['net.core.wmem_max'] ?? 'n/a'}, rmem_default ${s['net.core.rmem_default'] ?? 'n/a'}, netdev_max_backlog ${s['net.core.netdev_max_backlog'] ?? 'n/a'}, udp_mem ${s['net.ipv4.udp_mem'] ?? 'n/a'}`;
}

/** The machine a result ran on, in the words figures are compared by: CPU model × cores, Node version. */
function machine(e) {
  return e ? `${e.cpuModel} × ${e.cpuCount}, Node ${e.nodeVersion}` : 'n/a';
}

/** Both machines of a remote result (client = A, listener = B) when they differ. */
function machines(r) {
  const a = machine(r.environment);
  if (r.mode !== 'remote' || !r.peerEnvironment) return a;
  const b = machine(r.peerEnvironment);
  return a === b ? `${a} (both hosts)` : `client: ${a}; listener: ${b}`;
}

/**
 * Each endpoint's thread mode, named by its role: a remote result's client
 * (A) and listener (B) choose theirs separately, so one word would hide one.
 */
function threadModes(r, endpoints) {
  const role = (id) => (r.mode === 'remote' ? (id === 'A' ? 'client A' : 'listener B') : id);
  if (endpoints.length === 0) return `both ${r.config?.threads ?? 'n/a'}`;
  const modes = new Set(endpoints.map((e) => e.threads));
  if (r.mode !== 'remote' && modes.size === 1) return `A and B ${endpoints[0].threads}`;
  return endpoints.map((e) => `${role(e.id)} ${e.threads}`).join(', ');
}

function summary(r) {
  if (r.kind === 'duplex') {
    const d = (from) => r.directions.find((x) => x.from === from);
    const ab = d('A');
    const ba = d('B');
    const threads = threadModes(r, r.endpoints);
    return {
      what: `duplex ${r.mode}, ${r.config.sizeBytes} B, rate ${r.config.rateAbText}/${r.config.rateBaText}, ${r.config.durationSeconds} s`,
      threads,
      buffers: `rcvbuf ${kib(r.config.rcvbufBytes)} → ${kib(r.endpoints[0]?.rcvbuf.effective)}`,
      figures: `A→B ${num(ab?.receivedPps)}/s, loss ${pct(ab?.lossPercent)}; B→A ${num(ba?.receivedPps)}/s, loss ${pct(ba?.lossPercent)}`,
    };
  }
  if (r.kind === 'search') {
    const dirs = r.directions;
    return {
      what: `find-max ${r.mode}, ${r.config.sizeBytes} B, loss ≤ ${r.search.lossThresholdPercent} %, ${r.search.trialSeconds} s trials`,
      // Every trial runs both endpoints; the first trial run says how they were threaded.
      threads: threadModes(r, r.trialRuns?.[0]?.endpoints ?? []),
      buffers: `rcvbuf ${kib(r.config.rcvbufBytes)}`,
      figures: dirs === null ? 'incomplete' : `A→B ${num(dirs.ab.ratePps)}/s (${dirs.ab.limitedBy}${dirs.ab.confirmed ? ', confirmed' : ''}); B→A ${num(dirs.ba.ratePps)}/s (${dirs.ba.limitedBy}${dirs.ba.confirmed ? ', confirmed' : ''})`,
    };
  }
  const ax = r.axes;
  return {
    what: `sweep ${r.mode}: ${r.cells.length} cells (rcvbuf ${ax.rcvbufBytes.map(kib).join(',')} × size ${ax.sizeBytes.join(',')} × rate ${ax.rates.join(',') || 'find-max'} × threads ${ax.threads.join(',')})`,
    threads: [...new Set(r.cells.map((c) => (c.run ? threadModes(c.run, c.run.endpoints) : `A and B ${c.threads}`)))].join('; '),
    buffers: 'swept',
    figures: lossRange(r.cells.flatMap((c) => (c.run ? c.run.directions.map((d) => d.lossPercent) : []))),
  };
}

function lossRange(losses) {
  const known = losses.filter((v) => typeof v === 'number');
  return known.length === 0 ? 'loss n/a' : `worst loss ${pct(Math.max(...known))}; best ${pct(Math.min(...known))}`;
}

const rows = [];
for (const file of files) {
  const path = join(DIR, file);
  const result = parseResultFile(readFileSync(path, 'utf8'), path);
  const base = file.replace(/\.json$/, '');
  writeFileAtomic(join(DIR, `${base}.md`), renderResult(result, 'md'));
  writeFileAtomic(join(DIR, `${base}.svg`), renderChart(result));
  rows.push({ base, result, ...summary(result) });
  process.stderr.write(`results: ${base}.md, ${base}.svg\n`);
}

const perf = readdirSync(DIR).filter((f) => /^perf-.*\.md$/.test(f)).sort();
/** The machine of a perf run, from its JSON beside the .md (none: n/a). */
function perfMachine(md) {
  try {
    return machine(JSON.parse(readFileSync(join(DIR, md.replace(/\.md$/, '.json')), 'utf8')).environment);
  } catch {
    return 'n/a';
  }
}
const lines = [
  '# Published results',
  '',
  'Generated by `npm run results` from the JSON files in this folder: do not edit by hand. Each result has its Markdown table (`.md`) and chart (`.svg`) beside it; `bench report FILE` renders any of them again.',
  '',
  'Each row names the machine it ran on (CPU model × cores, Node version; the full environment is below and in each file). Figures from different machines are not comparable: the same kind of shared 2-core VM may be an AMD EPYC or an Intel Xeon, and its neighbours differ from run to run. Threads are per endpoint: A and B locally; a remote run\'s client (A) and listener (B) choose theirs separately.',
  '',
  '| result | what | threads | buffers | figures | machine | complete | started |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| [${r.base}](${r.base}.md) ([chart](${r.base}.svg)) | ${r.what} | ${r.threads} | ${r.buffers} | ${r.figures} | ${machines(r.result)} | ${r.result.complete ? 'yes' : 'no'} | ${r.result.startedAt.slice(0, 16).replace('T', ' ')} |`),
  '',
  '## Environments',
  '',
  ...[...new Set(rows.map((r) => envLine(r.result.environment)))].map((l) => `- ${l}`),
  '',
  ...(perf.length > 0 ? ['## Performance (`npm run bench:perf`)', '', ...perf.map((f) => `- [${f.replace(/\.md$/, '')}](${f}): ${perfMachine(f)}`), ''] : []),
];
writeFileAtomic(join(DIR, 'README.md'), `${lines.join('\n')}\n`);
process.stderr.write(`results: README.md (${rows.length} results)\n`);
