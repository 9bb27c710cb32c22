/**
 * Helpers shared by the CLI commands: stderr lines, signal handling, saving
 * and printing results.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { defaultResultPath, prepareOutput, SaveError, writeFileAtomic } from './files.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { OptionError } from '../errors.js';
import { outputWidth, wrapLine } from '../report/fit.js';
import type { OUTPUT_OPTIONS, RawOptions } from './option-table.js';

/** Output options shared by the commands that produce a result. */
export type OutputOptions = RawOptions<(typeof OUTPUT_OPTIONS)[number]>;

/**
 * True while `--logfile` sends stdout and stderr to a file: the streams then
 * still say they are a terminal, but what is written is read as a log.
 */
let redirected = false;

/** Called by `--logfile` when it starts and stops redirecting the terminal. */
export function setRedirected(on: boolean): void {
  redirected = on;
}

/** Whether what is written to `stream` reaches a terminal (not a pipe, a file or `--logfile`). */
export function isTerminal(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !redirected;
}

/** The width lines written to `stream` must fit (see `outputWidth`); `wide` lifts the limit. */
export function streamWidth(stream: NodeJS.WriteStream, wide = false): number {
  return outputWidth({ isTTY: isTerminal(stream), columns: stream.columns, env: process.env['COLUMNS'], wide });
}

/**
 * Whether stdout carries the table: it then shows the warnings too, and
 * stderr need not repeat them. With `-J` or `--json-stream` stdout carries
 * them only inside the data, so they are said on stderr as well.
 */
export function tableOnStdout(out: Pick<OutputOptions, 'json' | 'jsonStream'>): boolean {
  return out.json !== true && out.jsonStream !== true;
}

/** Writes one line to stderr (progress, notices). */
export function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Writes a line of prose (a warning, a note) to stderr wrapped to stderr's
 * width (its columns on a terminal, else `COLUMNS` up to 80): continuation
 * lines are indented by two spaces.
 */
export function stderrWrapped(line: string): void {
  for (const l of wrapLine(line, streamWidth(process.stderr))) stderrLine(l);
}

/** Handle for the SIGINT/SIGTERM handlers of one command. */
export interface Interrupt {
  signal: AbortSignal;
  /** The first signal received, if any. */
  received: () => NodeJS.Signals | null;
  dispose: () => void;
}

/**
 * Installs SIGINT/SIGTERM handlers that abort the run (first signal) and
 * exit at once (second).
 */
export function interruptible(): Interrupt {
  const ac = new AbortController();
  let got: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals): void => {
    if (got !== null) process.exit(sig === 'SIGINT' ? 130 : 143);
    got = sig;
    stderrLine(`bench: ${sig} received, stopping and saving a partial result (again to quit at once)`);
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** Where a command's result will be saved, checked before the run. */
export type SavePlan = { to: 'none' } | { to: 'file'; file: string } | { to: 'default'; dir: string };

/**
 * The folder default saves go to: `BENCH_RESULTS_DIR` when set; in the
 * project's own checkout, `results/runs/` (beside the published results);
 * anywhere else the user's data directory (XDG Base Directory:
 * `$XDG_DATA_HOME/udp-duplex-lab/runs`, by default
 * `~/.local/share/udp-duplex-lab/runs`) — never whatever directory the tool
 * happens to be started in.
 */
export function defaultRunsDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.BENCH_RESULTS_DIR !== undefined && env.BENCH_RESULTS_DIR !== '') return env.BENCH_RESULTS_DIR;
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown };
    if (pkg.name === 'udp-duplex-lab') return join('results', 'runs');
  } catch {
    // not the checkout
  }
  const data = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(env.HOME ?? homedir(), '.local', 'share');
  return join(data, 'udp-duplex-lab', 'runs');
}

/**
 * Checks, before anything runs, that the result can be saved where it will
 * be: `--out FILE`, or the default folder unless `--no-save`. A place that
 * cannot be written is an option error (exit 2), found in a second rather
 * than after the run.
 */
export function planSave(out: Pick<OutputOptions, 'save' | 'out'>): SavePlan {
  if (out.out !== undefined) {
    try {
      prepareOutput(out.out);
    } catch (err) {
      throw new OptionError('--out', err instanceof SaveError ? err.message : String(err));
    }
    return { to: 'file', file: out.out };
  }
  if (!out.save) return { to: 'none' };
  const dir = defaultRunsDir();
  try {
    prepareOutput(join(dir, 'probe.json'));
  } catch (err) {
    throw new OptionError('--out', `${err instanceof SaveError ? err.message : String(err)}; pass --out FILE, --no-save, or set BENCH_RESULTS_DIR`);
  }
  return { to: 'default', dir };
}

/**
 * Saves a result where the plan says. Never throws: returns the line to
 * print and whether it failed. A failed save leaves any old file intact
 * (writeFileAtomic).
 */
export function saveResult(text: string, plan: SavePlan, kind: string, detail: string, at: Date = new Date()): { line: string | null; failed: boolean } {
  if (plan.to === 'none') return { line: null, failed: false };
  const file = plan.to === 'file' ? plan.file : defaultResultPath(kind, detail, at, plan.dir);
  try {
    writeFileAtomic(file, text);
    return { line: `bench: result saved to ${file}`, failed: false };
  } catch (err) {
    const why = err instanceof SaveError ? err.message : `cannot save ${file}: ${String((err as Error)?.message ?? err)}`;
    return { line: `bench: ${why}; the result was not saved and is printed instead`, failed: true };
  }
}

/**
 * Saves (as planned) and prints a result: `render()` for the table, or the
 * JSON with `--json`. When the save fails, the result is still printed —
 * the JSON goes to stderr too when stdout holds the table — so the
 * measurement is never lost, and the exit code is 1. Returns the exit code.
 */
export function finishResult(
  result: { kind: string; startedAt: string; complete: boolean },
  out: OutputOptions,
  plan: SavePlan,
  detail: string,
  render: () => string,
  signal: NodeJS.Signals | null,
): number {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const saved = saveResult(text, plan, result.kind, detail);
  if (saved.line !== null) stderrLine(saved.line);
  if (out.jsonStream) process.stdout.write(`${JSON.stringify({ event: 'end', data: result })}\n`);
  else if (out.json) process.stdout.write(text);
  else {
    process.stdout.write(`${render()}\n`);
    if (saved.failed) process.stderr.write(text);
  }
  if (signal !== null) return signal === 'SIGINT' ? 130 : 143;
  if (saved.failed) return EXIT_FAILED;
  return result.complete ? EXIT_OK : EXIT_FAILED;
}

/** The width stdout's tables must fit (see `outputWidth`); `wide` is `--wide` where a command has it. */
export function stdoutWidth(wide = false): number {
  return streamWidth(process.stdout, wide);
}
