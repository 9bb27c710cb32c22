/**
 * Logs that a peer cannot flood: repeated events of one kind (busy, refused,
 * bad cookie, replay, bad tag, …) print at most one line per window, then one
 * summary line with the count of the ones held back. Strings a peer sent are
 * escaped and length-capped before they reach a log ({@link printable}).
 */
import type { Clock } from '../udp/clock.js';

/** Kinds of events a listener logs at a bounded rate. */
export type LogKind = 'busy' | 'refused' | 'bad-cookie' | 'replay' | 'bad-tag' | 'malformed' | 'foreign';

/** A peer-supplied value as a safe, bounded, one-line string (JSON-escaped, at most `max` characters). */
export function printable(value: unknown, max = 120): string {
  let s: string;
  try {
    s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  if (s.length > max) s = `${s.slice(0, max)}…`;
  // JSON escaping turns control characters, quotes and line breaks into visible escapes.
  return JSON.stringify(s).slice(1, -1);
}

interface Window {
  startNs: number;
  held: number;
  timer: NodeJS.Timeout | null;
}

/** At most one line per kind per window; the rest are counted and summarised. */
export class RateLimitedLog {
  private readonly windows = new Map<LogKind, Window>();

  constructor(
    private readonly emit: (line: string) => void,
    private readonly clock: Clock,
    private readonly windowMs = 1000,
  ) {}

  /** Logs `line` unless another `kind` line was logged in the current window (then counts it). */
  log(kind: LogKind, line: string): void {
    const now = this.clock.nowNs();
    const w = this.windows.get(kind);
    if (w === undefined || now - w.startNs >= this.windowMs * 1e6) {
      if (w !== undefined) this.flush(kind, w);
      this.windows.set(kind, { startNs: now, held: 0, timer: null });
      this.emit(line);
      return;
    }
    w.held++;
    if (w.timer === null) {
      w.timer = setTimeout(() => this.flush(kind, w), Math.max(1, this.windowMs - (now - w.startNs) / 1e6));
      w.timer.unref();
    }
  }

  private flush(kind: LogKind, w: Window): void {
    if (w.timer !== null) clearTimeout(w.timer);
    w.timer = null;
    if (w.held > 0) this.emit(`${kind}: ${w.held} more in the last ${(this.windowMs / 1000).toFixed(0)} s (not logged one by one)`);
    w.held = 0;
  }

  /** Prints the pending summaries and stops the timers. */
  close(): void {
    for (const [kind, w] of this.windows) this.flush(kind, w);
  }
}
