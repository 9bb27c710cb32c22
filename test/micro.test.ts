import { describe, expect, it } from 'vitest';
import { MICRO_NAMES, MICRO_ROW_NAMES, TARGET_LIMIT_NS, runMicro } from '../src/bench/micro.js';
import { formatMicroTable } from '../src/report/micro.js';
import { SCHEMA_VERSION } from '../src/result/types.js';

describe('bench micro', () => {
  it('measures every hot path and reports the decode + accounting target', async () => {
    const result = await runMicro({ timeMs: 5, iterations: 4 });
    expect(result.kind).toBe('micro');
    expect(result.schemaVersion).toBe(SCHEMA_VERSION);
    expect(result.complete).toBe(true);
    expect(result.rows.map((r) => r.name)).toEqual([...MICRO_ROW_NAMES]);
    for (const row of result.rows) {
      expect(Number.isFinite(row.nsPerOp), row.name).toBe(true);
      expect(row.nsPerOp, row.name).toBeGreaterThan(0);
      expect(Number.isFinite(row.opsPerSecond), row.name).toBe(true);
      expect(row.opsPerSecond, row.name).toBeGreaterThan(0);
      expect(row.samples, row.name).toBeGreaterThanOrEqual(1);
    }
    const target = result.rows.find((r) => r.name === MICRO_NAMES.decodeAccounting);
    expect(result.target.name).toBe(MICRO_NAMES.decodeAccounting);
    expect(result.target.limitNs).toBe(TARGET_LIMIT_NS);
    expect(result.target.measuredNs).toBe(target?.nsPerOp);
    expect(result.target.pass).toBe(result.target.measuredNs <= TARGET_LIMIT_NS);
    if (result.target.heapBytesPerOp !== undefined) expect(result.target.heapBytesPerOp).toBeGreaterThanOrEqual(0);

    // Plain data: survives a JSON round trip.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);

    const table = formatMicroTable(result);
    for (const name of MICRO_ROW_NAMES) expect(table).toContain(name);
    expect(table).toMatch(/decode \+ accounting: .* ns per datagram, limit 150 ns: (PASS|FAIL)/);
    expect(table).not.toContain('\u001b['); // no colour
    // At 80 columns every line fits, and every benchmark is still named.
    const narrow = formatMicroTable(result, { width: 80 });
    for (const line of narrow.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    for (const name of MICRO_ROW_NAMES) expect(narrow).toContain(name);
  });
});
