/**
 * Helpers shared by the CLI commands: stderr lines, signal handling, saving
 * and printing results.
 */
import { defaultResultPath, writeFileAtomic } from './files.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';

/** Output options shared by the commands that produce a result. */
export interface OutputOptions {
  json?: boolean;
  save: boolean;
  out?: string;
  progress: boolean;
}

/** Writes one line to stderr (progress, notices). */
export function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
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

/**
 * Saves (unless `--no-save`) and prints a result: `render()` for the table,
 * or the JSON with `--json`. Returns the exit code.
 */
export function finishResult(
  result: { kind: string; startedAt: string; complete: boolean },
  out: OutputOptions,
  detail: string,
  render: () => string,
  signal: NodeJS.Signals | null,
): number {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (out.save || out.out !== undefined) {
    const file = out.out ?? defaultResultPath(result.kind, detail, result.startedAt);
    writeFileAtomic(file, text);
    stderrLine(`bench: result saved to ${file}`);
  }
  if (out.json) process.stdout.write(text);
  else process.stdout.write(`${render()}\n`);
  if (signal !== null) return signal === 'SIGINT' ? 130 : 143;
  return result.complete ? EXIT_OK : EXIT_FAILED;
}
