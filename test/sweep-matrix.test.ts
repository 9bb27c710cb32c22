import { describe, expect, it } from 'vitest';
import { runSweep, sweepCombinations, type SweepPlan } from '../src/bench/sweep.js';
import type { SweepAxes } from '../src/result/types.js';
import { formatSweepTable } from '../src/report/sweep.js';
import { expectChecked, localConfig } from './helpers.js';

// Both buffers are below the stock net.core.rmem_max (208 KiB), so no clamping is expected anywhere.
const RCVBUFS = [64 * 1024, 128 * 1024];
const SIZES = [64, 512];

describe('bench sweep: a 2 × 2 matrix on loopback', () => {
  it('runs one full duplex run per cell, in plan order, with the effective buffer sizes recorded', async () => {
    const axes: SweepAxes = { rcvbufBytes: RCVBUFS, sndbufBytes: [], sizeBytes: SIZES, rates: ['2k'], threads: ['single'] };
    const plan: SweepPlan = {
      axes,
      cells: sweepCombinations(axes).map((combo) => ({
        ...combo,
        findMax: null,
        config: localConfig({ rcvbufBytes: combo.rcvbufBytes, sizeBytes: combo.sizeBytes, rateAbPps: 2000, rateBaPps: 2000, rateAbText: '2k', rateBaText: '2k', durationSeconds: 1 }),
      })),
    };
    const done: number[] = [];
    const result = await runSweep(plan, { onCellDone: (cell) => done.push(cell.index) });

    expect(result.kind).toBe('sweep');
    expect(result.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(result.complete).toBe(true);
    expect(result.plannedCells).toBe(4);
    expect(done).toEqual([0, 1, 2, 3]);
    // Buffers outermost, then size: the matrix in the order of the table.
    expect(result.cells.map((c) => [c.rcvbufBytes, c.sizeBytes])).toEqual([
      [RCVBUFS[0], 64],
      [RCVBUFS[0], 512],
      [RCVBUFS[1], 64],
      [RCVBUFS[1], 512],
    ]);
    for (const cell of result.cells) {
      expect(cell.error).toBeNull();
      expect(cell.search).toBeNull();
      const run = cell.run;
      if (run === null) throw new Error(`cell ${cell.index} has no run`);
      expect(run.complete).toBe(true);
      expect(run.config.sizeBytes).toBe(cell.sizeBytes);
      expectChecked(run);
      for (const endpoint of run.endpoints) {
        expect(endpoint.rcvbuf.requested).toBe(cell.rcvbufBytes);
        // Linux doubles an unclamped request (socket(7)); what matters here is that it was read back.
        expect(endpoint.rcvbuf.effective).toBeGreaterThanOrEqual(cell.rcvbufBytes ?? 0);
        expect(endpoint.sndbuf.requested).toBeNull();
        expect(endpoint.sndbuf.effective).toBeGreaterThan(0);
      }
    }
    // The environment (sysctls included) is recorded once for the sweep.
    expect(Object.keys(result.environment.sysctls)).toContain('net.core.rmem_max');
    expect(result.environment).toHaveProperty('ethtool');

    // The table has one row per cell (rows start with the cell number).
    const rows = formatSweepTable(result).split('\n').filter((line) => /^│ \d+ /.test(line));
    expect(rows).toHaveLength(4);
  });
});
