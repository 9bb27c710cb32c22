/**
 * The trace file of `--pattern trace`: one CSV row per datagram,
 * `time_us,size[,frame]`. A file is untrusted input: every row is checked
 * here (a pure function of the text) and the first problem is reported with
 * its line number; nothing is used before the whole file passed.
 *
 * Format:
 * - optional header line `time_us,size` or `time_us,size,frame`;
 * - blank lines and lines starting with `#` are skipped;
 * - `time_us`: integer µs from the loop's start, not decreasing;
 * - `size`: UDP payload bytes, header included ({@link FRAMED_MIN_BYTES} to the family's largest);
 * - `frame` (optional, in every row or in none): consecutive rows with the
 *   same value are one frame (at most {@link MAX_FRAME_DATAGRAMS} rows).
 *
 * The trace repeats: one loop lasts the last row's time plus the mean gap
 * between its distinct times (20 ms when all rows share one time), so a file
 * of 30 frames 33,333 µs apart loops every second.
 */
import { FRAMED_MIN_BYTES, MAX_FRAME_DATAGRAMS, type TraceRow } from '../udp/pattern.js';

/** Most rows a trace may have (memory stays bounded whatever the file says). */
export const MAX_TRACE_ROWS = 1_000_000;
/** Longest loop a trace may describe, µs (one hour). */
export const MAX_TRACE_TIME_US = 3_600_000_000;
/** Loop gap when every row has the same time, µs. */
const SINGLE_TIME_GAP_US = 20_000;

export type TraceParse = { ok: true; rows: TraceRow[]; periodUs: number; frames: number } | { ok: false; line: number; message: string };

function fail(line: number, message: string): TraceParse {
  return { ok: false, line, message };
}

/** Parses and checks a trace file's text. Pure; never throws. */
export function parseTraceCsv(text: string, maxSizeBytes: number): TraceParse {
  const lines = text.split(/\r?\n/);
  const rows: TraceRow[] = [];
  let withFrame: boolean | null = null;
  let frames = 0;
  let runLength = 0;
  let distinctTimes = 0;
  let firstDataLine = true;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim());
    if (firstDataLine) {
      firstDataLine = false;
      if (!/^\d/.test(line)) {
        const header = fields.join(',').toLowerCase();
        if (header !== 'time_us,size' && header !== 'time_us,size,frame') return fail(n, `header must be time_us,size or time_us,size,frame`);
        withFrame = fields.length === 3;
        continue;
      }
    }
    if (fields.length !== 2 && fields.length !== 3) return fail(n, `${fields.length} fields; a row is time_us,size[,frame]`);
    const has = fields.length === 3;
    if (withFrame === null) withFrame = has;
    else if (withFrame !== has) return fail(n, withFrame ? 'no frame value; every row must have one, or none' : 'a frame value, but earlier rows have none');
    const [t, s, f] = fields as [string, string, string | undefined];
    if (!/^\d{1,10}$/.test(t)) return fail(n, `time_us "${t.slice(0, 20)}" is not a whole number of microseconds`);
    if (!/^\d{1,5}$/.test(s)) return fail(n, `size "${s.slice(0, 20)}" is not a whole number of bytes`);
    const timeUs = Number(t);
    const sizeBytes = Number(s);
    if (timeUs > MAX_TRACE_TIME_US) return fail(n, `time_us ${timeUs} is past one hour`);
    const prev = rows[rows.length - 1];
    if (prev !== undefined && timeUs < prev.timeUs) return fail(n, `time_us ${timeUs} is before the previous row's ${prev.timeUs}`);
    if (sizeBytes < FRAMED_MIN_BYTES || sizeBytes > maxSizeBytes) return fail(n, `size ${sizeBytes} is outside ${FRAMED_MIN_BYTES}–${maxSizeBytes} bytes`);
    let frame: number | null = null;
    if (f !== undefined) {
      if (!/^\d{1,10}$/.test(f)) return fail(n, `frame "${f.slice(0, 20)}" is not a whole number`);
      frame = Number(f);
    }
    if (frame !== null && prev !== undefined && prev.frame === frame) {
      if (++runLength > MAX_FRAME_DATAGRAMS) return fail(n, `frame ${frame} has more than ${MAX_FRAME_DATAGRAMS} datagrams`);
    } else {
      runLength = 1;
      frames++;
    }
    if (prev === undefined || timeUs !== prev.timeUs) distinctTimes++;
    if (rows.length >= MAX_TRACE_ROWS) return fail(n, `more than ${MAX_TRACE_ROWS} rows`);
    rows.push({ timeUs, sizeBytes, frame });
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined) return fail(lines.length, 'no rows');
  const gapUs = distinctTimes > 1 ? (last.timeUs - first.timeUs) / (distinctTimes - 1) : SINGLE_TIME_GAP_US;
  return { ok: true, rows, periodUs: last.timeUs + gapUs, frames };
}
