/**
 * The one place that turns errors into a message line and an exit code.
 * Exit codes: 0 ok, 1 run failed, 2 bad input (options, files), 130/143
 * interrupted by SIGINT/SIGTERM (the partial result is still saved).
 */
import { BenchError, OptionError, ResultFileError, SocketError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A one-line message (never a stack trace) and the exit code for an error. */
export function describeError(err: unknown): { line: string; exitCode: number } {
  if (err instanceof OptionError || err instanceof ResultFileError) return { line: err.message, exitCode: EXIT_USAGE };
  if (err instanceof SocketError) {
    return err.option !== null ? { line: `${err.option}: ${err.message}`, exitCode: EXIT_USAGE } : { line: err.message, exitCode: EXIT_FAILED };
  }
  const withOption = err as { option?: unknown; message?: unknown; code?: unknown };
  if (typeof withOption.option === 'string' && typeof withOption.message === 'string') {
    // A socket error raised inside a worker arrives as a plain object with the option.
    return { line: `${withOption.option}: ${withOption.message}`, exitCode: EXIT_USAGE };
  }
  if (err instanceof BenchError) return { line: err.message, exitCode: EXIT_FAILED };
  const e = err as Error;
  return { line: `unexpected error: ${e?.message ?? String(err)}`, exitCode: EXIT_FAILED };
}
