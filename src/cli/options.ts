/**
 * Parsing and validating options, once, at the boundary: raw strings from the
 * command line become a resolved, typed {@link RunConfig}. Every failure is an
 * {@link OptionError} naming the option. The core never re-validates.
 */
import dns from 'node:dns/promises';
import os from 'node:os';
import { isIP } from 'node:net';
import { OptionError } from '../errors.js';
import { HEADER_BYTES, maxPayload } from '../bench/limits.js';
import { OPTIONS, type RawOptions } from './option-table.js';
import { resolveServerReceivers } from '../bench/clients.js';
import { MAX_CLIENTS, MAX_SERVER_RECEIVERS, type RunConfig, type ThreadMode } from '../result/types.js';
import { resolvePatterns, type RawPatternOptions } from './pattern-options.js';
import { resolveMedia, type RawMediaOptions } from './media-options.js';
import { bitsPerSecondOf } from './iperf-compat.js';
import { DEFAULT_SEND_BATCH } from '../bench/defaults.js';

/** Parses a byte size: `212992`, `208k` (KiB), `4m` (MiB), `1g` (GiB). */
export function parseSize(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(i?[bB])?$/.exec(text.trim());
  if (!m) throw new OptionError(option, `"${text}" is not a size (use bytes, or k/m suffixes for KiB/MiB, e.g. 4m)`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const v = Math.round(Number(m[1]) * mult);
  if (!Number.isSafeInteger(v) || v <= 0) throw new OptionError(option, `"${text}" must be a positive size`);
  if (v > 2 ** 31 - 1) throw new OptionError(option, `"${text}" is larger than the kernel accepts (2 GiB)`);
  return v;
}

/**
 * Parses a rate: datagrams per second (`50000`, `50k`, `1.5M`), bits per
 * second of UDP payload (`20Mbit`, `1Gbit`, `800kbit`, `100bit`), or `max`.
 * Returns datagrams per second, or `null` for `max`.
 */
export function parseRate(option: string, text: string, sizeBytes: number, allowZero = false): number | null {
  const t = text.trim();
  // A per-direction rate of 0 turns that direction off (a simplex run on the same port setup).
  if (allowZero && /^0+(\.0*)?$/.test(t)) return 0;
  if (t.toLowerCase() === 'max') return null;
  const bitsPs = bitsPerSecondOf(t);
  if (bitsPs !== null) {
    const pps = bitsPs / (sizeBytes * 8);
    // A paced sender below one datagram per second would measure nothing in a short run.
    if (!(pps >= 1)) throw new OptionError(option, `"${text}" is ${pps < 1 && pps >= 0.995 ? pps.toFixed(4) : pps.toPrecision(2)} datagrams/s at --size ${sizeBytes}: below one datagram per second`);
    return pps;
  }
  const pps = /^(\d+(?:\.\d+)?)\s*([kKM]?)(pps)?$/.exec(t);
  if (pps) {
    const unit = pps[2] ?? '';
    // iperf3's -b 100M means 100 Mbit/s; here a bare M would mean a million datagrams/s. Refuse rather than guess.
    if (unit === 'M' && pps[3] === undefined) {
      throw new OptionError(option, `"${text}" is ambiguous: for ${pps[1]} Mbit/s write -b ${pps[1]}M or ${option} ${pps[1]}Mbit; for ${pps[1]} million datagrams/s write ${option} ${pps[1]}Mpps`);
    }
    const mult = unit === 'k' || unit === 'K' ? 1e3 : unit === 'M' ? 1e6 : 1;
    const v = Number(pps[1]) * mult;
    if (!(v > 0)) throw new OptionError(option, `"${text}" must be a positive rate`);
    if (v < 1) throw new OptionError(option, `"${text}" is below one datagram per second`);
    if (v > 1e8) throw new OptionError(option, `"${text}" is above 100M datagrams/s; use "max" for as fast as possible`);
    return v;
  }
  throw new OptionError(option, `"${text}" is not a rate (e.g. 50k datagrams/s, 20Mbit, or max)`);
}

/** Parses a positive number of seconds. */
export function parseSeconds(option: string, text: string, allowZero: boolean): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new OptionError(option, `"${text}" must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds`);
  }
  if (v > 86_400) throw new OptionError(option, `"${text}" is longer than a day`);
  return v;
}

/** Parses a port 0–65535. */
export function parsePort(option: string, text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(v) || v < 0 || v > 65535) {
    throw new OptionError(option, `"${text}" is not a port (0–65535)`);
  }
  return v;
}

/** Parses a positive integer within bounds. */
export function parseIntIn(option: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max) throw new OptionError(option, `"${text}" must be an integer from ${min} to ${max}`);
  return v;
}

/** Resolves a host to an IP literal and family. IP literals never hit DNS. */
export async function resolveHost(option: string, text: string): Promise<{ address: string; family: 4 | 6 }> {
  const host = text.trim().replace(/^\[(.*)\]$/, '$1');
  const fam = isIP(host);
  if (fam === 4 || fam === 6) return { address: host, family: fam };
  if (host === '') throw new OptionError(option, 'is empty');
  try {
    const r = await dns.lookup(host);
    return { address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch {
    throw new OptionError(option, `cannot resolve host "${text}"`);
  }
}

/** Parses `HOST:PORT`, `[V6]:PORT`. */
export function parseHostPort(option: string, text: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text.trim());
  const v4 = /^([^:[\]]+):(\d+)$/.exec(text.trim());
  const m = v6 ?? v4;
  if (!m?.[1] || !m[2]) throw new OptionError(option, `"${text}" is not HOST:PORT (IPv6 as [::1]:5301)`);
  const port = parsePort(option, m[2]);
  if (port === 0) throw new OptionError(option, 'port 0 is not a peer port');
  return { host: m[1], port };
}

/** Raw `bench duplex` options (one run's) as commander hands them over: derived from the option table. */
export type RawDuplexOptions = RawPatternOptions &
  Partial<RawMediaOptions> &
  RawOptions<'host' | 'port' | 'peer' | 'size' | 'rate' | 'rateAb' | 'rateBa' | 'duration' | 'omit' | 'threads' | 'rcvbuf' | 'sndbuf' | 'batch' | 'secret' | 'peerTimeout' | 'clients' | 'serverReceivers'>;


/**
 * `auto` picks split threads when the machine has at least two cores per
 * endpoint that runs here (two endpoints in local mode, one in remote mode).
 */
export function pickThreads(requested: 'single' | 'split' | 'auto', endpointsHere: number, cores: number = os.availableParallelism()): ThreadMode {
  if (requested !== 'auto') return requested;
  return cores >= 2 * endpointsHere ? 'split' : 'single';
}

/** Validates and resolves `bench duplex` options. */
export async function resolveDuplexOptions(raw: RawDuplexOptions): Promise<RunConfig> {
  // Remote mode: the peer decides the family; the local bind address
  // defaults to that family's wildcard (like an iperf3 client).
  let peer: string | null = null;
  let peerAddress: { address: string; family: 4 | 6 } | null = null;
  let peerPort = 0;
  if (raw.peer !== undefined) {
    const hp = parseHostPort('--peer', raw.peer);
    peerAddress = await resolveHost('--peer', hp.host);
    peerPort = hp.port;
    peer = peerAddress.family === 6 ? `[${peerAddress.address}]:${peerPort}` : `${peerAddress.address}:${peerPort}`;
  }
  const hostText = raw.host ?? (peerAddress === null ? '127.0.0.1' : peerAddress.family === 6 ? '::' : '0.0.0.0');
  const { address, family } = await resolveHost('--host', hostText);
  if (peerAddress !== null && peerAddress.family !== family) throw new OptionError('--host', `${hostText} is IPv${family} but the peer is IPv${peerAddress.family}`);
  const port = raw.port === undefined ? null : parsePort('--port', raw.port);
  if (peer === null && port !== null && port !== 0 && port + 1 > 65535) throw new OptionError('--port', `${port} leaves no room for endpoint B on ${port + 1}`);
  const givenSize = raw.size === undefined ? null : parseIntIn('--size', raw.size, 0, Number.MAX_SAFE_INTEGER);
  const patterns = await resolvePatterns(raw, { sizeBytes: givenSize, family, remote: peer !== null, durationSeconds: parseSeconds('--duration', raw.duration, false) });
  const sizeBytes = givenSize ?? patterns.defaultSizeBytes;
  const maxSize = maxPayload(family);
  if (sizeBytes < HEADER_BYTES || sizeBytes > maxSize) {
    throw new OptionError('--size', `${sizeBytes} is outside ${HEADER_BYTES}–${maxSize} bytes (header size to the largest IPv${family} UDP payload)`);
  }
  let rateAbText = raw.rateAb ?? raw.rate;
  let rateBaText = raw.rateBa ?? raw.rate;
  parseRate('--rate', raw.rate, sizeBytes);
  let rateAbPps = parseRate(raw.rateAb !== undefined ? '--rate-ab' : '--rate', rateAbText, sizeBytes, raw.rateAb !== undefined);
  let rateBaPps = parseRate(raw.rateBa !== undefined ? '--rate-ba' : '--rate', rateBaText, sizeBytes, raw.rateBa !== undefined);
  // A real-time pattern sets its own rate: the direction's rate is what its schedule offers.
  if (patterns.patternAb.kind !== 'cbr') {
    rateAbPps = patterns.patternAb.offered.datagramsPerSecond;
    rateAbText = patterns.patternAb.kind;
  }
  if (patterns.patternBa.kind !== 'cbr') {
    rateBaPps = patterns.patternBa.offered.datagramsPerSecond;
    rateBaText = patterns.patternBa.kind;
  }
  if (rateAbPps === 0 && rateBaPps === 0) throw new OptionError('--rate-ab', 'both directions are off (0); at least one must send');
  const durationSeconds = parseSeconds('--duration', raw.duration, false);
  const omitSeconds = parseSeconds('--omit', raw.omit, true);
  // A paced direction that would not send one datagram in the measured time measures nothing.
  for (const [option, pps] of [[raw.rateAb !== undefined ? '--rate-ab' : '--rate', rateAbPps], [raw.rateBa !== undefined ? '--rate-ba' : '--rate', rateBaPps]] as const) {
    if (pps !== null && pps > 0 && pps * durationSeconds < 1) {
      throw new OptionError(option, `${pps.toPrecision(3)} datagrams/s for --duration ${durationSeconds} s sends less than one datagram`);
    }
  }
  if (raw.threads !== 'single' && raw.threads !== 'split' && raw.threads !== 'auto') {
    throw new OptionError('--threads', `"${raw.threads}" must be single, split or auto`);
  }
  const clients = parseIntIn('--clients', raw.clients ?? OPTIONS.clients.default, 1, MAX_CLIENTS);
  // Remote clients bind --port, --port + 1, …: all of them must be ports.
  if (peer !== null && port !== null && port !== 0 && port + clients - 1 > 65535) throw new OptionError('--port', `${port} + ${clients} clients runs past port 65535`);
  // Endpoints run here: A and B, or the server and its N clients; remote mode runs one per client.
  const threads = pickThreads(raw.threads, peer === null ? 1 + clients : clients);
  const receivers = resolveServerReceivers({
    requested: raw.serverReceivers === undefined ? null : parseIntIn('--server-receivers', raw.serverReceivers, 1, MAX_SERVER_RECEIVERS),
    clients,
    threads,
    family,
    remote: peer !== null,
  });
  if (!receivers.ok) throw new OptionError('--server-receivers', receivers.reason);
  const rcvbufBytes = raw.rcvbuf === undefined ? null : parseSize('--rcvbuf', raw.rcvbuf);
  const sndbufBytes = raw.sndbuf === undefined ? null : parseSize('--sndbuf', raw.sndbuf);
  const sendBatch = raw.batch === undefined ? DEFAULT_SEND_BATCH[threads] : parseIntIn('--batch', raw.batch, 1, 1024);
  const peerTimeoutSeconds = parseSeconds('--peer-timeout', raw.peerTimeout ?? OPTIONS.peerTimeout.default, false);
  const media = resolveMedia(raw, { patternAb: patterns.patternAb, patternBa: patterns.patternBa, sizeBytes });
  return {
    host: address,
    family,
    port: port === 0 ? null : port,
    peer,
    sizeBytes,
    rateAbPps,
    rateBaPps,
    rateAbText,
    rateBaText,
    durationSeconds,
    omitSeconds,
    threadsRequested: raw.threads,
    threads,
    rcvbufBytes,
    sndbufBytes,
    sendBatch,
    peerTimeoutSeconds,
    clients,
    ...(receivers.k > 1 ? { serverReceivers: receivers.k } : {}),
    patternAb: patterns.patternAb,
    patternBa: patterns.patternBa,
    stall: patterns.stall,
    ...media,
  };
}
