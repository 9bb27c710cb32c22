import { describe, it, expect } from 'vitest';
import { CSV_HEADER, formatDuplexCsv } from '../src/report/csv.js';
import { buildDuplexResult } from './report-fixture.js';
import { expectGolden } from './report-golden.js';
import { csvRows as rowsOf, parseCsv } from './csv-parse.js';


describe('formatDuplexCsv', () => {
  it('matches the golden CSV of the fixture', () => {
    expectGolden(formatDuplexCsv(buildDuplexResult()), 'duplex.csv');
  });

  it('has one header row and one row per direction', () => {
    const records = parseCsv(formatDuplexCsv(buildDuplexResult()));
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual([...CSV_HEADER]);
  });

  it('carries exactly the JSON figures, unrounded', () => {
    const result = buildDuplexResult();
    const rows = rowsOf(formatDuplexCsv(result));
    result.directions.forEach((d, i) => {
      const row = rows[i] ?? {};
      expect(row['direction']).toBe(`${d.from}->${d.to}`);
      expect(Number(row['sent'])).toBe(d.sent);
      expect(Number(row['received'])).toBe(d.received);
      expect(Number(row['lost'])).toBe(d.lost);
      // Full precision: 13580 / 612345 × 100 has many decimals, and they all survive.
      expect(Number(row['lossPercent'])).toBe(d.lossPercent);
      expect(Number(row['bitsPerSecond'])).toBe(d.bitsPerSecond);
      expect(Number(row['receivedPps'])).toBe(d.receivedPps);
    });
    expect(rows[1]?.['lossPercent']).toBe(String((13580 / 612345) * 100));
  });

  it('writes null as an empty field and quotes per RFC 4180', () => {
    const result = buildDuplexResult({ complete: false, incompleteReason: 'peer said "bye", then\r\nleft' });
    const rows = rowsOf(formatDuplexCsv(result));
    expect(rows[0]?.['incompleteReason']).toBe('peer said "bye", then\r\nleft');
    expect(rows[0]?.['complete']).toBe('false');
    // B→A delay was not measured.
    expect(rows[1]?.['latencyP50Us']).toBe('');
    expect(rows[1]?.['sendErrors']).toBe('ENOBUFS=1234');
  });
});
