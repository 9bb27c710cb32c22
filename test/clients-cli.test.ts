import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, runCli } from './cli.js';
import { parseResultFile } from '../src/result/read.js';
import type { DuplexResult } from '../src/result/types.js';
import { maxLineWidth } from '../src/report/fit.js';
import { formatDuplexTable } from '../src/report/table.js';
import { renderChart } from '../src/report/render.js';

describe('bench duplex --clients', () => {
  it('runs N clients against one server port, saves a result the schema accepts, and prints it in every format', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clients-'));
    const file = path.join(dir, 'c.json');
    const port = await freePort();
    const run = await runCli(['duplex', '--clients', '3', '-p', String(port), '-t', '1', '--rate', '2k', '--out', file], { env: { ...process.env, COLUMNS: '80' } });
    expect(run.code, run.stderr).toBe(0);
    const result = parseResultFile(readFileSync(file, 'utf8'), file) as DuplexResult;
    expect(result.config.clients).toBe(3);
    // The server binds --port; every client its own free port.
    expect(result.endpoints.find((e) => e.id === 'B')?.port).toBe(port);
    expect(result.peers?.map((p) => p.index)).toEqual([1, 2, 3]);
    // The printed summary fits 80 columns and ends with the server's verdict.
    for (const line of run.stdout.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(run.stdout).toMatch(/one server port: B 127\.0\.0\.1:\d+ sent [\d,]+ to 3 clients/);
    expect(run.stdout).toMatch(/^A3 \d+ /m);
    expect(maxLineWidth(formatDuplexTable(result, { width: 80 }))).toBeLessThanOrEqual(80);

    const csv = await runCli(['report', file, '--format', 'csv']);
    const rows = csv.stdout.trimEnd().split('\r\n');
    const header = rows[0]?.split(',') ?? [];
    // The last column (notes before it may hold quoted commas).
    // Appended after the two-endpoint columns (later columns may follow it).
    expect(header).toContain('client');
    // Two sums, then two rows per client.
    expect(rows).toHaveLength(1 + 2 + 2 * 3);
    // Counted from the end: the notes before it may hold quoted commas.
    const fromEnd = header.indexOf('client') - header.length;
    expect(rows.slice(1).map((r) => r.split(',').at(fromEnd))).toEqual(['', '', 'A1', 'A1', 'A2', 'A2', 'A3', 'A3']);

    const md = await runCli(['report', file, '--format', 'md']);
    expect(md.stdout).toMatch(/\| A2 \d+ \|/);
    expect(md.stdout).toMatch(/fairness \(Jain's index/);

    const svg = renderChart(result);
    expect(svg).toMatch(/per client, 3 clients on one server port/);
  });

  it('bench sweep --clients 1,2 runs a cell per client count, the many-client cell with its per-client rows', async () => {
    const r = await runCli(['sweep', '--clients', '1,2', '-t', '1', '--rate', '1k', '--json', '--no-save', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const sweep = JSON.parse(r.stdout);
    expect(sweep.axes.clients).toEqual([1, 2]);
    expect(sweep.cells.map((c: { clients: number }) => c.clients)).toEqual([1, 2]);
    expect(sweep.cells[0].run.peers).toBeUndefined();
    expect(sweep.cells[1].run.peers).toHaveLength(2);
    expect(sweep.cells[1].run.directions[0].offeredPps).toBe(2000);
  });

  it('refuses --clients out of range, and remote clients whose ports would pass 65535, in one line, exit 2', async () => {
    for (const args of [['--clients', '0'], ['--clients', '65'], ['--clients', '3', '--peer', '127.0.0.1:9', '--port', '65534']]) {
      const r = await runCli(['duplex', ...args, '-t', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--clients|--port: 65534 \+ 3 clients/);
    }
  });
});
