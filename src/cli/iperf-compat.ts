/**
 * Options that behave as iperf3's do, for people whose fingers know iperf3:
 * `-b` in bits/s, `-i` interval lines over N seconds, `--json-stream`
 * (NDJSON: one object per interval, then the result) and `--logfile`.
 * The short flags themselves (-t, -l, -p, -J) are declared in option-table.ts,
 * so they work in every command that has the option.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { OptionError } from '../errors.js';
import type { ProgressSample } from '../bench/run.js';
import { prepareOutput, SaveError } from './files.js';
import { setRedirected, type OutputOptions } from './common.js';
import { OPTIONS } from './option-table.js';

/**
 * Bits per second written with a bit unit (`20Mbit`, `800kbit`, `1Gbps`,
 * `100b/s`), or — with `bareUnit`, as iperf3's `-b` — without one (`2.5M`);
 * `null` when the text is not written that way.
 */
export function bitsPerSecondOf(text: string, bareUnit = false): number | null {
  const m = (bareUnit ? /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(bit|bps|b\/s)?$/i : /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(bit|bps|b\/s)$/i).exec(text.trim());
  if (m === null) return null;
  const unit = (m[2] ?? '').toLowerCase();
  return Number(m[1]) * (unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : unit === 'g' ? 1e9 : 1);
}

/**
 * iperf3's `-b n[KMG]`: bits per second of payload, 1000-based (iperf3's
 * rate units are decimal), turned into our bit-rate syntax for `--rate`.
 */
export function bitrateToRate(text: string): string {
  const m = /^(\d+(?:\.\d+)?)([KMGkmg]?)$/.exec(text.trim());
  if (m === null) throw new OptionError('-b', `"${text}" is not a bit rate (iperf3 style: 100M = 100 Mbit/s, 500K, 1G)`);
  return `${m[1]}${(m[2] ?? '').toLowerCase()}bit`;
}

/** Parses `-i`: whole seconds ≥ 0 (0 = no interval lines). */
export function parseInterval(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0 || v > 3600) throw new OptionError('-i', `"${text}" must be whole seconds from 0 to 3600 (0 turns interval lines off)`);
  return v;
}

/**
 * Sums per-second samples into one line per `seconds` per direction (as
 * iperf3's `-i`), always in the order A→B, B→A for the same interval. A last
 * partial interval is flushed by `flush()`.
 */
export function intervalAggregator(seconds: number, emit: (s: ProgressSample) => void): { add: (s: ProgressSample) => void; flush: () => void } {
  type Acc = { from: number; to: number; sent: number | null; received: number | null; lost: number | null; omitted: boolean; n: number };
  const acc = new Map<string, Acc>();
  const pending: ProgressSample[] = [];
  const out = (s: ProgressSample): void => {
    pending.push(s);
    // Emit in a fixed order: hold an A→B/B→A pair until both of the same interval are here.
    pending.sort((a, b) => a.toSeconds - b.toSeconds || a.direction.localeCompare(b.direction));
    while (pending.length >= 2 && pending[0]?.toSeconds === pending[1]?.toSeconds) {
      emit(pending.shift() as ProgressSample);
      emit(pending.shift() as ProgressSample);
    }
  };
  const close = (dir: string, a: Acc): void => {
    out({ direction: dir as ProgressSample['direction'], fromSeconds: a.from, toSeconds: a.to, sent: a.sent, received: a.received, lost: a.lost, omitted: a.omitted });
    acc.delete(dir);
  };
  return {
    add: (s) => {
      const key = `${s.direction}${s.omitted ? 'w' : ''}`;
      const a = acc.get(key) ?? { from: s.fromSeconds, to: s.toSeconds, sent: 0, received: 0, lost: 0, omitted: s.omitted, n: 0 };
      // Remote mode leaves a figure this side does not see `null`: it stays so.
      a.sent = s.sent === null || a.sent === null ? null : a.sent + s.sent;
      a.received = s.received === null || a.received === null ? null : a.received + s.received;
      a.lost = s.lost === null || a.lost === null ? null : a.lost + s.lost;
      a.to = s.toSeconds;
      a.n++;
      acc.set(key, a);
      if (a.n >= seconds) close(s.direction, a);
    },
    flush: () => {
      for (const [dir, a] of acc) close(dir.replace(/w$/, ''), a);
      while (pending.length > 0) emit(pending.shift() as ProgressSample);
    },
  };
}

/** One NDJSON line of `--json-stream` (iperf3's shape: an event name and its data). */
export function jsonStreamLine(event: 'interval' | 'end', data: unknown): string {
  return `${JSON.stringify({ event, data })}\n`;
}

/**
 * `--logfile FILE`: from here on, what would go to stdout and stderr is
 * appended to FILE instead (as iperf3's `--logfile`). Checked before the run
 * (exit 2 if it cannot be written). Returns a function that restores the
 * terminal.
 */
export function redirectToLogfile(file: string): () => void {
  try {
    prepareOutput(file);
  } catch (err) {
    throw new OptionError('--logfile', err instanceof SaveError ? err.message : String(err));
  }
  let fd: number;
  try {
    fd = openSync(file, 'a', 0o644);
  } catch (err) {
    throw new OptionError('--logfile', `cannot open ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  const write = (chunk: unknown): boolean => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk as Uint8Array);
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  // A log is read as piped output: 80 columns, no `\r`-updated progress line.
  setRedirected(true);
  return () => {
    setRedirected(false);
    process.stdout.write = origOut;
    process.stderr.write = origErr;
    closeSync(fd);
  };
}

/**
 * Runs a command's action with the output options of {@link OutputOptions}
 * applied, the same in every command that takes them: `--logfile` redirects
 * the terminal while the action runs, `-J` and `--json-stream` exclude each
 * other, and `-i 0` turns the progress lines off. The action gets the
 * interval in seconds.
 */
export async function withOutputOptions(raw: OutputOptions, action: (intervalSeconds: number) => Promise<number>): Promise<number> {
  const restore = raw.logfile === undefined ? null : redirectToLogfile(raw.logfile);
  try {
    if (raw.json === true && raw.jsonStream === true) throw new OptionError('--json-stream', 'give either -J/--json or --json-stream, not both');
    const interval = parseInterval(raw.interval ?? OPTIONS.interval.default);
    if (interval === 0) raw.progress = false;
    return await action(interval);
  } finally {
    restore?.();
  }
}
