/**
 * Turning a peer's compressed results blob into a {@link RemoteReport}, off
 * the control path. A blob that inflates to the cap (16 MiB of
 * `{"warnings":[{},{},…]}` from 17 kB on the wire) took the listener's main
 * thread 10.6 s to inflate, parse and schema-check, and no hello was
 * answered meanwhile (issue 21). Now:
 *  - the blob is capped before inflation by the session's own figure
 *    (report-bounds.ts `maxBytes`: the control channel accepts no more
 *    chunks than that, control.ts), and inflated with that output limit;
 *  - inflating, parsing, the schema check and the physical bounds run in a
 *    worker thread, which is ended if it takes longer than a deadline;
 *  - only a report that passed all of them crosses back (its size is
 *    bounded by the session), so the main thread's share is one structured
 *    clone of a plausible report.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { RemoteReportSchema, firstProblem } from './control-schema.js';
import { checkReportBounds, type ReportBounds } from './report-bounds.js';
import type { RemoteReport } from './session.js';

/** What decoding a peer's blob came to. */
export type DecodedReport = { ok: true; report: RemoteReport } | { ok: false; path: string; message: string };

/** How long the worker may take before it is ended and the report refused. */
export const DECODE_TIMEOUT_MS = 10_000;

/** Decodes on the calling thread (the worker's body; tests). Never throws. */
export function decodeReportBlob(compressed: Uint8Array, bounds: ReportBounds): DecodedReport {
  let text: string;
  try {
    text = inflateRawSync(compressed, { maxOutputLength: bounds.maxBytes }).toString('utf8');
  } catch (err) {
    const tooBig = (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    return { ok: false, path: '/', message: tooBig ? `inflates to more than the session's ${bounds.maxBytes} bytes` : 'not a deflated blob' };
  }
  // Bodies may be zero-padded (control.ts parseBody).
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(0, end));
  } catch {
    return { ok: false, path: '/', message: 'not JSON' };
  }
  const p = firstProblem(RemoteReportSchema, value);
  if (p !== null) return { ok: false, path: p.path, message: p.message };
  const report = value as RemoteReport;
  const b = checkReportBounds(report, bounds);
  if (b !== null) return { ok: false, path: b.path, message: b.message };
  return { ok: true, report };
}

/** The compiled worker script (from TypeScript sources under vitest, the build in dist/). */
function workerScript(): URL {
  const here = new URL('./report-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../dist/bench/report-worker.js', import.meta.url);
}

/** Decodes in a worker thread; resolves (never rejects) within about `timeoutMs`. */
export function decodeReportOffThread(compressed: Uint8Array, bounds: ReportBounds, timeoutMs = DECODE_TIMEOUT_MS): Promise<DecodedReport> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (d: DecodedReport): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(d);
    };
    // A heap limit of its own: a hostile blob runs the worker, not the listener, out of memory.
    const worker = new Worker(workerScript(), { workerData: { compressed, bounds }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    const timer = setTimeout(() => settle({ ok: false, path: '/', message: `took longer than ${timeoutMs / 1000} s to decode` }), timeoutMs);
    worker.once('message', (d: DecodedReport) => settle(d));
    worker.once('error', (err) => settle({ ok: false, path: '/', message: `decoder failed: ${err.message.slice(0, 100)}` }));
    worker.once('exit', () => settle({ ok: false, path: '/', message: 'decoder exited without an answer' }));
  });
}
