/**
 * The machine and OS settings recorded with every result.
 */
import os from 'node:os';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { readMtu, readSysctls } from '../udp/kernel.js';
import type { Environment, EthtoolInfo } from '../result/types.js';

/** The interface that carries traffic from `address`, from `os.networkInterfaces()`. */
export function interfaceFor(address: string): string | null {
  const want = address.replace(/^\[|\]$/g, '').toLowerCase();
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.address.toLowerCase() === want) return name;
  }
  if (want.startsWith('127.') || want === '::1') return 'lo';
  return null;
}

/**
 * The local address the kernel picks to reach `peer` (a connected UDP
 * socket's name; nothing is sent), for finding the interface and its MTU when
 * bound to a wildcard. Falls back to `fallback`.
 */
export function localAddressToward(peer: { address: string; port: number }, family: 4 | 6, fallback: string): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (addr: string): void => {
      try {
        s.close();
      } catch {
        // already closed
      }
      resolve(addr);
    };
    s.once('error', () => done(fallback));
    s.connect(peer.port, peer.address, () => {
      try {
        done(s.address().address);
      } catch {
        done(fallback);
      }
    });
  });
}

/** Collects the environment for a run whose traffic uses `address`. */
export function collectEnvironment(address: string): Environment {
  const cpus = os.cpus();
  const ifname = interfaceFor(address);
  return {
    hostname: os.hostname(),
    nodeVersion: process.version,
    platform: os.platform(),
    osRelease: os.release(),
    kernel: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    sysctls: readSysctls(),
    mtu: ifname === null ? null : readMtu(ifname),
    interfaceName: ifname,
    ethtool: ifname === null ? null : collectEthtool(ifname),
  };
}

/** `ethtool` must never hold up a run: a hung driver query is abandoned after this. */
const ETHTOOL_TIMEOUT_MS = 1000;

/**
 * Cached per interface for the process: sweeps and searches collect the
 * environment once per run, and rings and offloads do not change between
 * cells (the tool never changes them). `ethtoolUnusable` skips every later call once
 * the command is missing or hung (a hung one would cost its timeout on every run).
 */
const ethtoolCache = new Map<string, EthtoolInfo | null>();
let ethtoolUnusable = false;

/** Runs `ethtool <flag> <ifname>`; its stdout, or `null` (missing, failed, timed out). */
function runEthtool(flag: string, ifname: string): string | null {
  if (ethtoolUnusable) return null;
  // No shell, fixed arguments: the interface name comes from the OS, but is still never interpreted.
  const r = spawnSync('ethtool', [flag, ifname], {
    encoding: 'utf8',
    timeout: ETHTOOL_TIMEOUT_MS,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ETIMEDOUT') ethtoolUnusable = true;
    return null;
  }
  return r.status === 0 ? r.stdout : null;
}

/**
 * Parses `ethtool -g` (ring parameters): the numeric lines under "Pre-set
 * maximums" and "Current hardware settings". `n/a` entries are skipped.
 */
export function parseEthtoolRings(text: string): EthtoolInfo['rings'] {
  const max: Record<string, number> = {};
  const current: Record<string, number> = {};
  let section: Record<string, number> | null = null;
  for (const line of text.split('\n')) {
    if (/^pre-set maximums/i.test(line)) section = max;
    else if (/^current hardware settings/i.test(line)) section = current;
    else if (section !== null) {
      const m = /^([A-Za-z][\w -]*?):\s+(\d+)\s*$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) section[m[1]] = Number(m[2]);
    }
  }
  return Object.keys(max).length === 0 && Object.keys(current).length === 0 ? null : { current, max };
}

/**
 * Parses `ethtool -k` (features): top-level `name: on|off` lines only (the
 * indented sub-features repeat what their parent says for UDP purposes).
 */
export function parseEthtoolOffloads(text: string): EthtoolInfo['offloads'] {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9][\w-]*):\s+(on|off)\b/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return Object.keys(out).length === 0 ? null : out;
}

/**
 * Ring sizes and offloads of `ifname` from `ethtool`, when the command exists
 * and reports something (loopback has no rings; missing ethtool is normal).
 * Optional by design: never an error, never a warning.
 */
export function collectEthtool(ifname: string): EthtoolInfo | null {
  const cached = ethtoolCache.get(ifname);
  if (cached !== undefined) return cached;
  const ringsText = runEthtool('-g', ifname);
  const offloadsText = runEthtool('-k', ifname);
  const rings = ringsText === null ? null : parseEthtoolRings(ringsText);
  const offloads = offloadsText === null ? null : parseEthtoolOffloads(offloadsText);
  const info = rings === null && offloads === null ? null : { rings, offloads };
  ethtoolCache.set(ifname, info);
  return info;
}
