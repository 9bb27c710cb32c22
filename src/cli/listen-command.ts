/**
 * `bench listen`: serve remote duplex tests on one UDP port.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { OptionError } from '../errors.js';
import { parseIntIn, parsePort, parseRate, parseSeconds, pickThreads, resolveHost } from './options.js';
import { finishResult, interruptible, planSave, stderrLine, stderrWrapped, stdoutWidth, type OutputOptions } from './common.js';
import { intervalAggregator, withOutputOptions } from './iperf-compat.js';
import { sessionCountsNote, sessionProgressLine } from './progress-display.js';
import { addOptions, type OptionName, type RawOptions } from './option-table.js';
import type { ListenConfig } from '../bench/listen.js';
import type { RateCap } from '../bench/listen-limits.js';
import { HEADER_BYTES } from '../bench/limits.js';
import { bitsPerSecondOf } from './iperf-compat.js';
import type { ProgressSample } from '../bench/run.js';
import { formatDuplexTable } from '../report/table.js';

type RawListenOptions = OutputOptions & RawOptions<'host' | 'port' | 'secret' | 'maxRate' | 'maxTotalRate' | 'maxDuration' | 'maxClients' | 'threads' | 'once', 'host' | 'port'>;

/** Most sessions a listener runs at once: each has its own worker thread(s) and sockets. */
const MAX_LISTEN_CLIENTS = 64;

/**
 * A listener's rate cap: payload bits/s when written with a bit unit
 * (`10Mbit`), else datagrams/s (`1000`, `50k`). Kept in the unit the
 * operator wrote, so that a bit cap caps bits at every datagram size.
 */
export function parseRateCap(option: string, text: string): RateCap {
  const bits = bitsPerSecondOf(text);
  if (bits !== null) {
    if (!(bits >= 8 && bits <= 1e12)) throw new OptionError(option, `"${text}" must be from 8 bit/s to 1000 Gbit/s`);
    return { unit: 'bits', perSecond: bits };
  }
  const pps = parseRate(option, text, HEADER_BYTES);
  if (pps === null) throw new OptionError(option, '"max" is not a limit; omit the option for no limit');
  return { unit: 'datagrams', perSecond: pps };
}

/** Validates `bench listen` options. */
export async function resolveListenOptions(raw: RawListenOptions, envSecret: string | undefined): Promise<ListenConfig> {
  const { address, family } = await resolveHost('--host', raw.host);
  const port = parsePort('--port', raw.port);
  if (raw.threads !== 'single' && raw.threads !== 'split' && raw.threads !== 'auto') throw new OptionError('--threads', `"${raw.threads}" must be single, split or auto`);
  const maxRate = raw.maxRate === undefined ? null : parseRateCap('--max-rate', raw.maxRate);
  // One session alone is held to --max-rate; all of them together to --max-total-rate, by default the same figure.
  const maxTotalRate = raw.maxTotalRate === undefined ? maxRate : parseRateCap('--max-total-rate', raw.maxTotalRate);
  const secret = raw.secret ?? envSecret ?? null;
  if (secret === '') throw new OptionError('--secret', 'is empty');
  return {
    host: address,
    family,
    port,
    threads: pickThreads(raw.threads, 1),
    secret,
    maxRate,
    maxTotalRate,
    maxDurationSeconds: raw.maxDuration === undefined ? null : parseSeconds('--max-duration', raw.maxDuration, false),
    maxClients: parseIntIn('--max-clients', raw.maxClients, 1, MAX_LISTEN_CLIENTS),
    once: raw.once === true,
  };
}

/** The options of `bench listen`, in `--help` order. */
const LISTEN_OPTIONS: readonly OptionName[] = ['host', 'port', 'secret', 'maxRate', 'maxTotalRate', 'maxDuration', 'maxClients', 'threads', 'once', 'json', 'interval', 'logfile', 'save', 'out', 'progress', 'wide'];

/**
 * The listener's interval lines: per session, the samples summed over `-i`
 * seconds by the aggregator `bench duplex` uses, so each interval prints
 * A→B then B→A, always in that order; before a session's first line, a note
 * on whose counts they are.
 */
function sessionLines(interval: number): { add: (s: ProgressSample, session: number) => void; end: (session: number) => void; endAll: () => void } {
  const open = new Map<number, ReturnType<typeof intervalAggregator>>();
  const ended = new Set<number>();
  const aggregatorOf = (session: number): ReturnType<typeof intervalAggregator> => {
    let lines = open.get(session);
    if (lines === undefined) {
      let first = true;
      lines = intervalAggregator(interval, (s) => {
        if (first) stderrWrapped(sessionCountsNote(session));
        first = false;
        stderrLine(sessionProgressLine(s, session));
      });
      open.set(session, lines);
    }
    return lines;
  };
  const end = (session: number): void => {
    open.get(session)?.flush();
    open.delete(session);
    ended.add(session);
  };
  return {
    add: (s, session) => {
      // A sample after the session's result (none is expected) is printed as it comes rather than held forever.
      if (ended.has(session)) stderrLine(sessionProgressLine(s, session));
      else aggregatorOf(session).add(s);
    },
    end,
    endAll: () => {
      for (const session of [...open.keys()]) end(session);
    },
  };
}

async function listenAction(raw: RawListenOptions, interval: number): Promise<number> {
  const cfg = await resolveListenOptions(raw, process.env.BENCH_SECRET);
  const plan = planSave(raw);
  const intr = interruptible();
  const lines = sessionLines(interval);
  // With --once, the exit code is the first session's (the one --once waits for).
  let firstCode: number | null = null;
  try {
    // Loaded on demand, with the control protocol's schemas (typebox): other commands never pay for them.
    const { runListener } = await import('../bench/listen.js');
    await runListener(cfg, {
      signal: intr.signal,
      onLog: (line) => stderrLine(`bench listen: ${line}`),
      // Sessions run at once: each line says whose it is.
      ...(raw.progress ? { onProgress: (s, info) => lines.add(s, info.session) } : {}),
      onResult: (result, info) => {
        lines.end(info.session);
        // Named from this listener's own port, clock and session id, never from what the peer sent
        // (the id keeps the names of sessions ending at once apart); a failed save is reported by
        // finishResult and the listener keeps serving.
        const code = finishResult(
          result,
          raw,
          plan,
          `remote-listener-port${info.port}-session${info.session.toString(16)}`,
          () => formatDuplexTable(result, { width: stdoutWidth(raw.wide) }),
          null,
        );
        firstCode ??= code;
      },
    });
  } finally {
    lines.endAll();
    intr.dispose();
  }
  // A listener stopped by a signal has done its job: 0, unless --once and its first session failed.
  return cfg.once ? (firstCode ?? 0) : 0;
}

/** Registers `bench listen`. */
export function registerListen(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('listen')
    .addHelpText('after', examplesText('listen'))
    .description('serve remote duplex tests (`bench duplex --peer HOST:PORT`) on one UDP port');
  addOptions(cmd, 'listen', LISTEN_OPTIONS).action(async (raw: RawListenOptions) => {
    // -i, --logfile and -J as in `bench duplex` (the listener has no --json-stream).
    setExit(await withOutputOptions(raw, (interval) => listenAction(raw, interval)));
  });
}
