/**
 * `bench duplex`: options, run, progress lines, table or JSON.
 */
import { Option, type Command } from 'commander';
import { resolveDuplexOptions, type RawDuplexOptions } from './options.js';
import { finishResult, interruptible, stderrLine, type OutputOptions } from './common.js';
import { runDuplex } from '../bench/run.js';
import type { ProgressSample } from '../bench/run.js';
import { formatDuplexTable, formatIntervalLine } from '../report/table.js';

/** Options of `bench duplex` that describe one run (shared with `bench sweep`). */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--host <addr>', 'address to bind (default 127.0.0.1; with --peer, the wildcard of the peer\'s family)')
    .option('--port <n>', 'A binds N and B binds N+1 (default: free ports)')
    .option('--peer <host:port>', 'run against `bench listen` on another machine ([::1]:5301 for IPv6)')
    .option('--size <bytes>', 'UDP payload bytes per datagram, header included', '200')
    .option('--rate <rate>', 'per direction: datagrams/s (50k, 1.5M), bits/s (20Mbit) or max', '10k')
    .option('--rate-ab <rate>', 'rate A→B (overrides --rate)')
    .option('--rate-ba <rate>', 'rate B→A (overrides --rate)')
    .option('--duration <s>', 'measured seconds', '5')
    .option('--omit <s>', 'warm-up seconds before measuring (excluded from the figures)', '0')
    .option('--threads <mode>', 'single (one event loop per endpoint), split (sender and receiver threads) or auto', 'auto')
    .option('--rcvbuf <size>', 'SO_RCVBUF to request (k/m suffixes: 4m)')
    .option('--sndbuf <size>', 'SO_SNDBUF to request (k/m suffixes)')
    .option('--secret <s>', 'shared secret for remote mode (or BENCH_SECRET)')
    .option('--peer-timeout <s>', 'remote mode: give up when the peer is silent this long', '3')
    .addOption(new Option('--batch <n>', 'datagrams sent per event-loop turn before yielding to receives').hideHelp());
}

/** Output options shared by result-producing commands. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print the full result as JSON on stdout instead of the table')
    .option('--no-save', 'do not save the result under results/runs/')
    .option('--out <file>', 'save the result to this file')
    .option('--no-progress', 'no progress lines on stderr');
}

/** Formats a progress sample for stderr. */
export function progressLine(s: ProgressSample, sizeBytes: number): string {
  // Remote mode: each side sees only its own sender and its own receiver.
  if (s.sent < 0) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  recv ${String(s.received).padStart(6)} pps  lost ${String(s.lost).padStart(6)}  (peer counts the sending)`;
  if (s.received < 0) return `[${s.direction}] ${s.fromSeconds.toFixed(2).padStart(6)}-${s.toSeconds.toFixed(2)} s  sent ${String(s.sent).padStart(6)} pps  (peer counts the receiving)`;
  return formatIntervalLine({ ...s, sizeBytes });
}

async function duplexAction(raw: RawDuplexOptions & OutputOptions): Promise<number> {
  const cfg = await resolveDuplexOptions(raw);
  const intr = interruptible();
  try {
    const result = await runDuplex(cfg, {
      signal: intr.signal,
      ...(raw.progress ? { onProgress: (s: ProgressSample) => stderrLine(progressLine(s, cfg.sizeBytes)) } : {}),
      onNotice: (line: string) => stderrLine(`bench: ${line}`),
      secret: raw.secret ?? process.env.BENCH_SECRET ?? null,
    });
    return finishResult(result, raw, `${result.mode}-${cfg.threads}-${cfg.sizeBytes}B`, () => formatDuplexTable(result), intr.received());
  } finally {
    intr.dispose();
  }
}

/** Registers `bench duplex`. */
export function registerDuplex(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command('duplex').description('flood both directions between endpoints A and B at once, each on one UDP port');
  addOutputOptions(addRunOptions(cmd)).action(async (opts: RawDuplexOptions & OutputOptions) => {
    setExit(await duplexAction(opts));
  });
}
