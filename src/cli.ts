#!/usr/bin/env node
/**
 * The command line: the only module that touches process.argv, process.exit,
 * signals and the terminal. Progress goes to stderr, JSON to stdout.
 */
import { Command, CommanderError, Option } from 'commander';
import { describeError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './cli/errors.js';
import { resolveDuplexOptions, type RawDuplexOptions } from './cli/options.js';
import { defaultResultPath, writeFileAtomic } from './cli/files.js';
import { runLocalDuplex } from './bench/duplex.js';
import { formatDuplexTable, formatIntervalLine } from './report/table.js';
import type { DuplexResult } from './report/schema.js';
import { TOOL_VERSION } from './version.js';

/** Output options shared by the commands that produce a result. */
interface OutputOptions {
  json?: boolean;
  save: boolean;
  out?: string;
  progress: boolean;
}

function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Installs SIGINT/SIGTERM handlers that abort the run (first signal) and
 * exit at once (second). Returns the signal and a way to remove the handlers.
 */
function interruptible(): { signal: AbortSignal; received: () => NodeJS.Signals | null; dispose: () => void } {
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

/** Prints and saves a result; returns the exit code. */
function finishResult(result: DuplexResult, out: OutputOptions, detail: string, signal: NodeJS.Signals | null): number {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (out.save || out.out !== undefined) {
    const file = out.out ?? defaultResultPath(result.kind, detail, result.startedAt);
    writeFileAtomic(file, text);
    stderrLine(`bench: result saved to ${file}`);
  }
  if (out.json) process.stdout.write(text);
  else process.stdout.write(`${formatDuplexTable(result)}\n`);
  if (signal !== null) return signal === 'SIGINT' ? 130 : 143;
  return result.complete ? EXIT_OK : EXIT_FAILED;
}

async function duplexCommand(raw: RawDuplexOptions & OutputOptions): Promise<number> {
  const cfg = await resolveDuplexOptions(raw);
  if (cfg.peer !== null) throw Object.assign(new Error('remote mode (--peer) is not implemented yet'), { option: '--peer' });
  const intr = interruptible();
  try {
    const result = await runLocalDuplex(cfg, {
      signal: intr.signal,
      ...(raw.progress
        ? {
            onProgress: (s) =>
              stderrLine(
                formatIntervalLine({
                  direction: s.direction,
                  fromSeconds: s.fromSeconds,
                  toSeconds: s.toSeconds,
                  sent: s.sent,
                  received: s.received,
                  lost: s.lost,
                  sizeBytes: cfg.sizeBytes,
                  omitted: s.omitted,
                }),
              ),
          }
        : {}),
    });
    return finishResult(result, raw, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, intr.received());
  } finally {
    intr.dispose();
  }
}

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

  program
    .command('duplex')
    .description('flood both directions between endpoints A and B at once, each on one UDP port')
    .option('--host <addr>', 'address the endpoints bind (127.0.0.1, ::1, …)', '127.0.0.1')
    .option('--port <n>', 'A binds N and B binds N+1 (default: free ports)')
    .option('--peer <host:port>', 'run against `bench listen` on another machine')
    .option('--size <bytes>', 'UDP payload bytes per datagram, header included', '200')
    .option('--rate <rate>', 'per direction: datagrams/s (50k, 1.5M), bits/s (20Mbit) or max', '10k')
    .option('--rate-ab <rate>', 'rate A→B (overrides --rate)')
    .option('--rate-ba <rate>', 'rate B→A (overrides --rate)')
    .option('--duration <s>', 'measured seconds', '5')
    .option('--omit <s>', 'warm-up seconds before measuring (excluded from the figures)', '0')
    .option('--threads <mode>', 'single (one event loop per endpoint), split (sender and receiver threads) or auto', 'auto')
    .option('--rcvbuf <size>', 'SO_RCVBUF to request (k/m suffixes: 4m)')
    .option('--sndbuf <size>', 'SO_SNDBUF to request (k/m suffixes)')
    .addOption(new Option('--batch <n>', 'datagrams sent per event-loop turn before yielding to receives').hideHelp())
    .option('--json', 'print the full result as JSON on stdout instead of the table')
    .option('--no-save', 'do not save the result under results/runs/')
    .option('--out <file>', 'save the result to this file')
    .option('--no-progress', 'no per-second lines on stderr')
    .action(async (opts: RawDuplexOptions & OutputOptions) => {
      setExit(await duplexCommand(opts));
    });
  return program;
}

async function main(): Promise<void> {
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
      stderrLine(`bench: ${line}`);
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
