/**
 * The program: every command registered on one commander program, and one
 * run of it over an argument list that resolves with the exit code. It never
 * exits the process (src/cli.ts does), so tests can run a command's option
 * handling in-process (test/cli-inprocess.ts).
 */
import { Command, CommanderError } from 'commander';
import { describeError, EXIT_OK, EXIT_USAGE } from './errors.js';
import { registerDuplex } from './duplex-command.js';
import { registerListen } from './listen-command.js';
import { registerMicro } from './micro-command.js';
import { registerSweep } from './sweep-command.js';
import { registerReport } from './report-command.js';
import { TOOL_VERSION } from '../version.js';

export function buildProgram(setExit: (code: number) => void): Command {
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

/** Runs the program over `args` (without node and the script): resolves with the exit code; errors become one line on stderr. */
export async function runProgram(args: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
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
  return exitCode;
}
