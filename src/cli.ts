#!/usr/bin/env node
/**
 * The command line: the only module that touches process.argv, process.exit,
 * signals and the terminal. Each command lives in its own `src/cli/*-command.ts`.
 * Progress goes to stderr, tables and JSON to stdout.
 */
import { Command, CommanderError } from 'commander';
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './cli/errors.js';
import { registerDuplex } from './cli/duplex-command.js';
import { registerListen } from './cli/listen-command.js';
import { registerMicro } from './cli/micro-command.js';
import { registerSweep } from './cli/sweep-command.js';
import { registerReport } from './cli/report-command.js';
import { TOOL_VERSION } from './version.js';

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('bench')
    .description('UDP full-duplex lab: one port per endpoint, sending and receiving at once, measured per direction')
    .version(TOOL_VERSION)
    .exitOverride()
    .configureOutput({
      // Commander's own errors become one line, prefixed like ours.
      outputError: (str, write) => write(`bench: ${str.replace(/^error: /, '').trim()}\n`),
    })
    .showSuggestionAfterError(false);
  registerDuplex(program, setExit);
  registerListen(program, setExit);
  registerMicro(program, setExit);
  registerSweep(program, setExit);
  registerReport(program, setExit);
  return program;
}

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
  let exitCode = EXIT_OK;
  const program = buildProgram((c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors 2 (commander already printed the line).
      exitCode = err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    } else {
      const { line, exitCode: code } = describeError(err);
      process.stderr.write(`bench: ${line}\n`);
      exitCode = code;
    }
  }
  process.exitCode = exitCode;
  // Workers and sockets are closed by now; exit promptly even if a stray handle lingers.
  setTimeout(() => process.exit(exitCode), 200).unref();
}

main().catch((err: unknown) => {
  const { line } = describeError(err);
  process.stderr.write(`bench: ${line}\n`);
  process.exit(EXIT_FAILED);
});
