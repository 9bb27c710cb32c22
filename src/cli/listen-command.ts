/**
 * `bench listen`: serve remote duplex tests on one UDP port.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { OptionError } from '../errors.js';
import { parsePort, parseRate, parseSeconds, pickThreads, resolveHost } from './options.js';
import { finishResult, interruptible, planSave, stderrLine, stdoutWidth, type OutputOptions } from './common.js';
import { progressLine } from './progress-display.js';
import { addOptions, type OptionName } from './option-table.js';
import { runListener, type ListenConfig } from '../bench/listen.js';
import { formatDuplexTable } from '../report/table.js';

interface RawListenOptions extends OutputOptions {
  host: string;
  port: string;
  secret?: string;
  maxRate?: string;
  maxDuration?: string;
  once?: boolean;
  threads: string;
}

/** Validates `bench listen` options. */
export async function resolveListenOptions(raw: RawListenOptions, envSecret: string | undefined): Promise<ListenConfig> {
  const { address, family } = await resolveHost('--host', raw.host);
  const port = parsePort('--port', raw.port);
  if (raw.threads !== 'single' && raw.threads !== 'split' && raw.threads !== 'auto') throw new OptionError('--threads', `"${raw.threads}" must be single, split or auto`);
  // --max-rate in bits/s is converted at the largest datagram, the most generous reading.
  const maxRatePps = raw.maxRate === undefined ? null : parseRate('--max-rate', raw.maxRate, 40);
  if (raw.maxRate !== undefined && maxRatePps === null) throw new OptionError('--max-rate', '"max" is not a limit; omit --max-rate for no limit');
  const secret = raw.secret ?? envSecret ?? null;
  if (secret === '') throw new OptionError('--secret', 'is empty');
  return {
    host: address,
    family,
    port,
    threads: pickThreads(raw.threads, 1),
    secret,
    maxRatePps,
    maxDurationSeconds: raw.maxDuration === undefined ? null : parseSeconds('--max-duration', raw.maxDuration, false),
    once: raw.once === true,
  };
}

/** The options of `bench listen`, in `--help` order. */
const LISTEN_OPTIONS: readonly OptionName[] = ['host', 'port', 'secret', 'maxRate', 'maxDuration', 'threads', 'once', 'json', 'save', 'out', 'progress'];

/** Registers `bench listen`. */
export function registerListen(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('listen')
    .addHelpText('after', examplesText('listen'))
    .description('serve remote duplex tests (`bench duplex --peer HOST:PORT`) on one UDP port');
  addOptions(cmd, 'listen', LISTEN_OPTIONS).action(async (raw: RawListenOptions) => {
    const cfg = await resolveListenOptions(raw, process.env.BENCH_SECRET);
    const plan = planSave(raw);
    const intr = interruptible();
    let lastCode = 0;
    try {
      await runListener(cfg, {
        signal: intr.signal,
        onLog: (line) => stderrLine(`bench listen: ${line}`),
        ...(raw.progress ? { onProgress: (s) => stderrLine(progressLine(s, 0)) } : {}),
        onResult: (result) => {
          // Named from this listener's own settings and clock, never from what the peer sent;
          // a failed save is reported by finishResult and the listener keeps serving.
          lastCode = finishResult(result, raw, plan, `remote-listener-port${cfg.port}`, () => formatDuplexTable(result, { width: stdoutWidth() }), null);
        },
      });
    } finally {
      intr.dispose();
    }
    // A listener stopped by a signal has done its job: 0, unless --once and its one session failed.
    setExit(cfg.once ? lastCode : 0);
  });
}
