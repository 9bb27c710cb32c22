/**
 * What the CLI prints on stderr while a run, sweep or search is going: the
 * per-second lines of a run, warning lines, and the progress display of
 * sweeps and searches — the only place that decides between a `\r`-updated
 * TTY line and plain lines.
 */
import type { ProgressSample } from '../bench/run.js';
import { formatProgress, type ProgressState } from './progress.js';
import type { RunWarning } from '../result/types.js';
import { formatIntervalLine, formatWarning } from '../report/table.js';
import { wrapLine } from '../report/fit.js';
import { isTerminal, streamWidth } from './common.js';

/** Formats a progress sample (its counts over its interval; the line shows rates) for stderr. */
export function progressLine(s: ProgressSample, sizeBytes: number): string {
  const span = s.toSeconds - s.fromSeconds > 0 ? s.toSeconds - s.fromSeconds : 1;
  const pps = (n: number): string => String(Math.round(n / span)).padStart(6);
  // Remote mode: each side sees only its own sender and its own receiver.
  if (s.sent === null) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  recv ${pps(s.received ?? 0)} pps  lost ${String(s.lost ?? 'n/a').padStart(6)}  (peer counts the sending)`;
  if (s.received === null || s.lost === null) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  sent ${pps(s.sent)} pps  (peer counts the receiving)`;
  return formatIntervalLine({ ...s, sent: s.sent, received: s.received, lost: s.lost, sizeBytes });
}

/**
 * A listener's interval line for one session: what this side (B) counted —
 * A→B received and lost, B→A sent; the client counts the other half (said
 * once per session by {@link sessionCountsNote}). At most 80 characters, as
 * the client's lines.
 */
export function sessionProgressLine(s: ProgressSample, session: number): string {
  const span = s.toSeconds - s.fromSeconds > 0 ? s.toSeconds - s.fromSeconds : 1;
  const pps = (n: number): string => String(Math.round(n / span)).padStart(7);
  const head = `session ${session.toString(16)} [${s.direction}] ${`${s.fromSeconds.toFixed(2)}-${s.toSeconds.toFixed(2)}`.padStart(11)} s`;
  const figures = [
    ...(s.sent !== null ? [`sent ${pps(s.sent)} pps`] : []),
    ...(s.received !== null ? [`recv ${pps(s.received)} pps`] : []),
    ...(s.received !== null && s.lost !== null ? [`lost ${String(s.lost).padStart(6)}`] : []),
  ];
  return `${head}  ${figures.join('  ')}${s.omitted ? '  (omitted)' : ''}`.trimEnd();
}

/** Said before a session's first interval line on the listener: whose counts the lines show. */
export function sessionCountsNote(session: number): string {
  return `bench listen: session ${session.toString(16)}: this side counts what A→B received and B→A sent`;
}

/** What a progress display shows besides the counts. */
export interface ProgressPlan {
  job: string;
  unit: string;
  total: number;
  totalIsUpperBound: boolean;
  unitSecondsEstimate: number;
}

/** How often the TTY line is redrawn between events (elapsed and estimate move on). */
const PROGRESS_REDRAW_MS = 1000;

/**
 * The progress of a sweep or search on stderr. On a TTY: one line updated in
 * place with `\r` (and redrawn every second), cleared before any other line
 * is printed so lines never interleave. Otherwise (pipes, logs, CI): a plain
 * line each time a unit starts. Time is the monotonic clock.
 */
export class ProgressDisplay {
  private readonly t0 = process.hrtime.bigint();
  private done = 0;
  private lastDoneSeconds = 0;
  private current = '';
  private drawn = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly plan: ProgressPlan,
    /** `--no-progress` turns the display off; notes are still printed. */
    private readonly enabled: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = isTerminal(out);
  }

  /** A unit (cell, trial) starts. */
  startUnit(current: string): void {
    this.current = current;
    if (!this.enabled) return;
    if (this.tty) {
      if (this.timer === null) this.timer = setInterval(() => this.draw(), PROGRESS_REDRAW_MS).unref();
      this.draw();
    } else this.writeLines(formatProgress(this.state()));
  }

  /** Changes what the running unit is said to be doing (TTY only; plain output stays one line per unit). */
  detail(current: string): void {
    this.current = current;
    if (this.enabled && this.tty) this.draw();
  }

  /** A unit finished. */
  finishUnit(): void {
    this.done += 1;
    this.lastDoneSeconds = this.elapsed();
    this.current = ''; // the finished unit's label would otherwise sit next to the next unit's number
  }

  /** Prints a line of its own (a trial, a warning) without breaking the progress line. */
  note(line: string): void {
    this.clear();
    this.writeLines(line);
    if (this.enabled && this.tty && this.timer !== null) this.draw();
  }

  /** Removes the progress line and stops redrawing. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private state(): ProgressState {
    return {
      ...this.plan,
      done: this.done,
      elapsedSeconds: this.elapsed(),
      elapsedAtLastDoneSeconds: this.lastDoneSeconds,
      current: this.current,
    };
  }

  private elapsed(): number {
    return Number(process.hrtime.bigint() - this.t0) / 1e9;
  }

  /** Writes a line wrapped to the stream's width (continuation lines indented), so no line is wider than the terminal or 80 columns piped. */
  private writeLines(line: string): void {
    for (const l of wrapLine(line, streamWidth(this.out))) this.out.write(`${l}\n`);
  }

  private draw(): void {
    // Wider than the terminal would wrap, and `\r` would then only return to the last row.
    // Some pseudo-terminals report 0 columns: assume 80 then.
    const columns = this.out.columns > 0 ? this.out.columns : 80;
    const width = Math.max(20, columns - 1);
    const text = [...formatProgress(this.state())];
    const line = text.length > width ? `${text.slice(0, width - 1).join('')}…` : text.join('');
    this.out.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\u001b[K');
    this.drawn = false;
  }
}

/** Prints a warning on stderr (results also record it; the table shows it on stdout). */
export function warningLine(warning: RunWarning): string {
  return `bench: ${formatWarning(warning)}`;
}
