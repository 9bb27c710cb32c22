#!/usr/bin/env node
/**
 * The command line: the only module that touches process.argv, process.exit,
 * signals and the terminal. Each command lives in its own `src/cli/*-command.ts`.
 * Progress goes to stderr, tables and JSON to stdout.
 */
import { describeError, EXIT_FAILED } from './cli/errors.js';
import { runProgram } from './cli/program.js';

/**
 * A reader that closed the pipe (`bench duplex --help | head -1`) is not an
 * error of ours: later writes to that stream are dropped, the run carries on
 * (its result is still saved) and exits with its own code — no stack trace.
 */
function tolerateClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    process.exitCode = EXIT_FAILED;
  });
}

async function main(): Promise<void> {
  tolerateClosedPipe(process.stdout);
  tolerateClosedPipe(process.stderr);
  const exitCode = await runProgram(process.argv.slice(2));
  process.exitCode = exitCode;
  // Workers and sockets are closed by now; exit promptly even if a stray handle lingers.
  setTimeout(() => process.exit(exitCode), 200).unref();
}

main().catch((err: unknown) => {
  const { line } = describeError(err);
  process.stderr.write(`bench: ${line}\n`);
  process.exit(EXIT_FAILED);
});
