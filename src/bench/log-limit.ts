/**
 * Logs that a peer cannot flood: repeated events of one kind (busy, refused,
 * bad cookie, replay, bad tag, …) print at most one line per window (1 s),
 * which carries the count of the events held back since the previous one.
 * Strings a peer sent are escaped and length-capped before they reach a log
 * ({@link printable}).
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
  /** When the last line of this kind was printed (ns), or -Infinity before the first. */
  lastNs: number;
  /** Events held back since that line. */
  held: number;
  /** The latest of them, printed (with the count of the others) when the window ends. */
  latest: string;
  timer: NodeJS.Timeout | null;
}

/**
 * At most one line per kind per window: the first event of a kind prints at
 * once; the ones that follow within the window are held back and counted,
 * and when the window ends one line prints the latest of them with the count
 * of the others, "… (and N more in the last 1 s)". Any two lines of one kind
 * are a window apart, so a flood of T seconds prints at most T/window + 1
 * lines of that kind, and every event is accounted for in one of them.
 */
export class RateLimitedLog {
  private readonly windows = new Map<LogKind, Window>();

  constructor(
    private readonly emit: (line: string) => void,
    private readonly clock: Clock,
    private readonly windowMs = 1000,
  ) {}

  /** Logs `line` unless a `kind` line was printed less than a window ago (then holds it back, counted). */
  log(kind: LogKind, line: string): void {
    const now = this.clock.nowNs();
    let w = this.windows.get(kind);
    if (w === undefined) {
      w = { lastNs: -Infinity, held: 0, latest: '', timer: null };
      this.windows.set(kind, w);
    }
    w.held++;
    w.latest = line;
    const waitMs = this.windowMs - (now - w.lastNs) / 1e6;
    if (waitMs <= 0) return this.flush(w);
    // One timer per kind and window: it prints the held events when the window ends (+1 ms: never early).
    if (w.timer === null) {
      const wr = w;
      w.timer = setTimeout(() => this.flush(wr), Math.ceil(waitMs) + 1);
      w.timer.unref();
    }
  }

  /** Prints the held events of `w` as one line (the latest, with the count of the others), if any. */
  private flush(w: Window): void {
    if (w.timer !== null) clearTimeout(w.timer);
    w.timer = null;
    if (w.held === 0) return;
    const others = w.held - 1;
    w.held = 0;
    w.lastNs = this.clock.nowNs();
    this.emit(others === 0 ? w.latest : `${w.latest} (and ${others} more in the last ${windowText(this.windowMs)})`);
  }

  /** Prints the pending lines and stops the timers (the listener is closing). */
  close(): void {
    for (const w of this.windows.values()) this.flush(w);
  }
}

function windowText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
