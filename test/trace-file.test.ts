/**
 * parseTraceCsv (bench/trace-file.ts): the `--pattern trace` file is
 * untrusted input. Good files give rows and the loop period; every bad file
 * gives the first problem with its 1-based line number; nothing throws.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTraceCsv, type TraceParse } from '../src/bench/trace-file.js';
import { MAX_FRAME_DATAGRAMS } from '../src/udp/pattern.js';

const MAX = 65507;

function ok(p: TraceParse): Extract<TraceParse, { ok: true }> {
  if (!p.ok) throw new Error(`expected ok, got line ${p.line}: ${p.message}`);
  return p;
}

function bad(p: TraceParse): Extract<TraceParse, { ok: false }> {
  if (p.ok) throw new Error(`expected an error, got ${p.rows.length} rows`);
  return p;
}

describe('parseTraceCsv: good files', () => {
  it('a header with a frame column: rows, frames and period', () => {
    const p = ok(parseTraceCsv('time_us,size,frame\n0,100,0\n0,200,0\n10000,300,1\n20000,400,2\n', MAX));
    expect(p.rows).toEqual([
      { timeUs: 0, sizeBytes: 100, frame: 0 },
      { timeUs: 0, sizeBytes: 200, frame: 0 },
      { timeUs: 10000, sizeBytes: 300, frame: 1 },
      { timeUs: 20000, sizeBytes: 400, frame: 2 },
    ]);
    expect(p.frames).toBe(3);
    // Distinct times 0, 10000, 20000: mean gap 10000.
    expect(p.periodUs).toBe(30000);
  });

  it('a header without a frame column: each row a frame of its own', () => {
    const p = ok(parseTraceCsv('time_us,size\n0,100\n0,100\n5000,100\n', MAX));
    expect(p.rows.map((r) => r.frame)).toEqual([null, null, null]);
    expect(p.frames).toBe(3);
    expect(p.periodUs).toBe(10000);
  });

  it('no header at all', () => {
    const p = ok(parseTraceCsv('0,100\n1000,200\n', MAX));
    expect(p.rows).toHaveLength(2);
    expect(p.periodUs).toBe(2000);
  });

  it('header case and spaces around fields do not matter', () => {
    const p = ok(parseTraceCsv('  Time_US , Size , FRAME \n 0 , 100 , 5 \n', MAX));
    expect(p.rows).toEqual([{ timeUs: 0, sizeBytes: 100, frame: 5 }]);
  });

  it("'#' comments and blank lines are skipped anywhere (before the header too)", () => {
    const text = ['# a trace', '', 'time_us,size', '# first row next', '0,100', '', '   ', '#0,abc', '20000,100', '# end', ''].join('\n');
    const p = ok(parseTraceCsv(text, MAX));
    expect(p.rows.map((r) => r.timeUs)).toEqual([0, 20000]);
    expect(p.periodUs).toBe(40000);
  });

  it('CRLF line ends', () => {
    const p = ok(parseTraceCsv('time_us,size,frame\r\n0,100,1\r\n33333,100,2\r\n', MAX));
    expect(p.rows).toEqual([
      { timeUs: 0, sizeBytes: 100, frame: 1 },
      { timeUs: 33333, sizeBytes: 100, frame: 2 },
    ]);
    expect(p.periodUs).toBe(66666);
  });

  it('period = last time + mean gap between distinct times (first time not 0, repeated times counted once)', () => {
    // Distinct times 1000, 2000, 4000, 7000: mean gap (7000 − 1000) / 3 = 2000.
    const p = ok(parseTraceCsv('1000,100\n2000,100\n2000,100\n4000,100\n7000,100\n7000,100\n', MAX));
    expect(p.periodUs).toBe(9000);
  });

  it('30 frames 33,333 µs apart loop about every second', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i * 33333},1000`).join('\n');
    expect(ok(parseTraceCsv(rows, MAX)).periodUs).toBe(29 * 33333 + 33333);
  });

  it('one time only: 20 ms after it', () => {
    expect(ok(parseTraceCsv('0,100\n', MAX)).periodUs).toBe(20000);
    expect(ok(parseTraceCsv('5000,100\n5000,200\n5000,300\n', MAX)).periodUs).toBe(25000);
  });

  it('sizes 48 and the maximum are accepted', () => {
    const p = ok(parseTraceCsv(`0,48\n1,${MAX}\n`, MAX));
    expect(p.rows.map((r) => r.sizeBytes)).toEqual([48, MAX]);
  });

  it('a frame of exactly MAX_FRAME_DATAGRAMS rows is accepted; the same value after another is a new frame', () => {
    const rows = Array.from({ length: MAX_FRAME_DATAGRAMS }, () => '0,100,1');
    const p = ok(parseTraceCsv(['time_us,size,frame', ...rows, '1,100,2', '2,100,1'].join('\n'), MAX));
    expect(p.frames).toBe(3);
  });
});

describe('parseTraceCsv: errors name the 1-based line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['wrong header', 'time,size\n0,100\n', 1, /header/],
    ['wrong header after comments', '# c\n\ntime_us,bytes\n0,100\n', 3, /header/],
    ['header with 4 columns', 'time_us,size,frame,extra\n0,100,1,1\n', 1, /header/],
    ['one field', 'time_us,size\n0,100\n100\n', 3, /1 fields/],
    ['four fields', '0,100\n10,100,1,2\n', 2, /4 fields/],
    ['one field as the first data row', '100\n', 1, /1 fields/],
    ['non-integer time', 'time_us,size\n0,100\n1.5,100\n', 3, /time_us "1\.5"/],
    ['negative time', '0,100\n-5,100\n', 2, /time_us "-5"/],
    ['time with an exponent', '0,100\n1e3,100\n', 2, /time_us/],
    ['time past one hour', '0,100\n3600000001,100\n', 2, /past one hour/],
    ['decreasing time', 'time_us,size\n0,100\n2000,100\n1999,100\n', 4, /before the previous row's 2000/],
    ['size below 48', 'time_us,size\n0,47\n', 2, /size 47 is outside 48–65507/],
    ['size above the maximum', '0,100\n\n0,65508\n', 3, /size 65508 is outside 48–65507/],
    ['size not a number', '0,big\n', 1, /size "big"/],
    ['frame not a number', '0,100,x\n', 1, /frame "x"/],
    ['frame column after rows without', 'time_us,size\n0,100\n1,100,3\n', 3, /a frame value, but earlier rows have none/],
    ['no frame after rows with', '0,100,1\n1,100,1\n2,100\n', 3, /no frame value; every row must have one, or none/],
    ['no frame under a frame header', 'time_us,size,frame\n0,100\n', 2, /no frame value/],
    ['a frame under a header without', 'time_us,size\n0,100,1\n', 2, /a frame value/],
    ['CRLF: line numbers still count lines', 'time_us,size\r\n0,100\r\n# x\r\n0,10\r\n', 4, /size 10/],
  ];

  it.each(cases)('%s', (_name, text, line, message) => {
    const p = bad(parseTraceCsv(text, MAX));
    expect(p.line).toBe(line);
    expect(p.message).toMatch(message);
  });

  it('the maximum size is the one passed (IPv6 allows 65527)', () => {
    expect(ok(parseTraceCsv('0,65527\n', 65527)).rows).toHaveLength(1);
    const p = bad(parseTraceCsv('0,100\n0,1473\n', 1472));
    expect(p.line).toBe(2);
    expect(p.message).toMatch(/outside 48–1472/);
  });

  it(`a frame with more than ${MAX_FRAME_DATAGRAMS} rows: the line of row ${MAX_FRAME_DATAGRAMS + 1}`, () => {
    const rows = Array.from({ length: MAX_FRAME_DATAGRAMS + 5 }, (_, i) => `${i},100,9`);
    const p = bad(parseTraceCsv(['time_us,size,frame', ...rows].join('\n'), MAX));
    expect(p.line).toBe(1 + MAX_FRAME_DATAGRAMS + 1);
    expect(p.message).toMatch(new RegExp(`frame 9 has more than ${MAX_FRAME_DATAGRAMS} datagrams`));
  });

  it("empty files: 'no rows'", () => {
    for (const text of ['', '\n', '# only a comment\n', 'time_us,size\n', 'time_us,size,frame', '\r\n\r\n']) {
      const p = bad(parseTraceCsv(text, MAX));
      expect(p.message).toBe('no rows');
      expect(p.line).toBeGreaterThanOrEqual(1);
    }
    expect(bad(parseTraceCsv('', MAX)).line).toBe(1);
  });

  it('the first problem is reported, not a later one', () => {
    const p = bad(parseTraceCsv('0,100\n5,10\n1,100\n', MAX));
    expect(p.line).toBe(2);
  });
});

describe('parseTraceCsv on arbitrary text', () => {
  it('never throws: ok with rows, or an error with a line inside the file', () => {
    const row = fc.tuple(fc.nat({ max: 5_000_000 }), fc.integer({ min: 0, max: 70_000 }), fc.option(fc.nat({ max: 5 }))).map(([t, s, f]) => (f === null ? `${t},${s}` : `${t},${s},${f}`));
    const line = fc.oneof(fc.string({ maxLength: 30 }), row, fc.constantFrom('', '#', 'time_us,size', 'time_us,size,frame', ' , ,', ',,,'));
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ maxLength: 300, unit: 'binary' }),
      fc.tuple(fc.array(line, { maxLength: 20 }), fc.constantFrom('\n', '\r\n', '\r')).map(([ls, eol]) => ls.join(eol)),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 48, max: 65527 }), (t, max) => {
        let p: TraceParse;
        try {
          p = parseTraceCsv(t, max);
        } catch (err) {
          throw new Error(`threw on ${JSON.stringify(t)}: ${String(err)}`);
        }
        if (p.ok) {
          expect(p.rows.length).toBeGreaterThan(0);
          expect(p.periodUs).toBeGreaterThan(p.rows[p.rows.length - 1]?.timeUs ?? Infinity);
          for (const r of p.rows) {
            expect(r.sizeBytes).toBeGreaterThanOrEqual(48);
            expect(r.sizeBytes).toBeLessThanOrEqual(max);
          }
        } else {
          expect(Number.isInteger(p.line)).toBe(true);
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(t.split(/\r?\n/).length);
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
