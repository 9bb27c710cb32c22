/**
 * The kernel's view of UDP: namespace-wide counters from `/proc/net/snmp`
 * (`/proc/net/snmp6` for IPv6), per-socket drop counts from `/proc/net/udp`
 * (`udp6`), and the sysctls that bound socket buffers. Every reader returns
 * "not available, because …" instead of throwing where `/proc` is absent.
 */
import { readFileSync } from 'node:fs';
import { BlockList } from 'node:net';

/** A snapshot of UDP counters; `counters` is empty when not available. */
export interface UdpCounterSnapshot {
  available: boolean;
  /** The file read, or why nothing could be read. */
  source: string;
  counters: Record<string, number>;
}

/** Reads a /proc file afresh (the kernel generates it per read); `null` when it cannot be read. */
export function tryRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Parses the `Udp:` header/value line pair of `/proc/net/snmp`. Pure. */
export function parseSnmp(text: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith('Udp:'));
  const out: Record<string, number> = {};
  const names = lines[0]?.split(/\s+/).slice(1) ?? [];
  const values = lines[1]?.split(/\s+/).slice(1) ?? [];
  names.forEach((name, i) => {
    const v = Number(values[i]);
    if (name && Number.isFinite(v)) out[name] = v;
  });
  return out;
}

/** Parses the `Udp6*` lines of `/proc/net/snmp6`, names without the prefix. Pure. */
export function parseSnmp6(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^Udp6(\w+)\s+(\d+)/.exec(line);
    if (m?.[1] && m[2]) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Reads the namespace's UDP counters for an address family (`procRoot` for tests). */
export function readUdpCounters(family: 4 | 6, procRoot = '/proc'): UdpCounterSnapshot {
  const path = `${procRoot}/net/${family === 6 ? 'snmp6' : 'snmp'}`;
  const text = tryRead(path);
  if (text === null) return { available: false, source: `${path} is not readable on this system`, counters: {} };
  const counters = family === 6 ? parseSnmp6(text) : parseSnmp(text);
  if (Object.keys(counters).length === 0) return { available: false, source: `${path} has no UDP counters`, counters: {} };
  return { available: true, source: path, counters };
}

/** After − before for every counter present in both. Pure. */
export function diffCounters(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const b = before[k];
    if (b !== undefined) out[k] = v - b;
  }
  return out;
}

/** One row of `/proc/net/udp`. */
export interface UdpSocketRow {
  localPort: number;
  remotePort: number;
  /** The remote address, IPv4 dotted or IPv6 as eight full groups ('' when unparsable). */
  remoteAddress: string;
  /** Whether the socket is connected (remote address not all zeros). */
  connected: boolean;
  rxQueueBytes: number;
  inode: number;
  drops: number;
}

/** The socket table of a family: `/proc/net/udp` or `/proc/net/udp6`. */
export function udpTablePath(family: 4 | 6, procRoot = '/proc'): string {
  return `${procRoot}/net/${family === 6 ? 'udp6' : 'udp'}`;
}

/** Parses `/proc/net/udp` or `/proc/net/udp6`. Pure. */
export function parseUdpTable(text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const local = f[1] ?? '';
    const remote = f[2] ?? '';
    const queues = (f[4] ?? '').split(':');
    const localPort = parseInt(local.split(':')[1] ?? '', 16);
    const remotePort = parseInt(remote.split(':')[1] ?? '', 16);
    const drops = Number(f[12]);
    if (!Number.isFinite(localPort) || !Number.isFinite(drops)) continue;
    rows.push({
      localPort,
      remotePort: Number.isFinite(remotePort) ? remotePort : 0,
      remoteAddress: procAddress(remote.split(':')[0] ?? ''),
      connected: /[1-9A-Fa-f]/.test(remote.split(':')[0] ?? ''),
      rxQueueBytes: parseInt(queues[1] ?? '0', 16) || 0,
      inode: Number(f[9]) || 0,
      drops,
    });
  }
  return rows;
}

/**
 * An address as `/proc/net/udp*` prints it: IPv4 as one 32-bit word, IPv6
 * as four, each in host byte order (little-endian here, the machines this
 * tool runs on). Returns dotted IPv4 or eight full IPv6 groups; '' if the
 * text is neither. Pure.
 */
export function procAddress(hex: string): string {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return '';
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(hex.slice(w + b, w + b + 2), 16));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/** Drops of all sockets bound to a local port, or `null` when `/proc` is unavailable. */
export interface PortDrops {
  /** Sum over the port's sockets (both of a split endpoint). */
  drops: number;
  sockets: number;
}

/** Reads the drop counters of the sockets bound to `port`. Call before the sockets close. */
export function readPortDrops(port: number, family: 4 | 6, procRoot = '/proc'): PortDrops | null {
  const text = tryRead(udpTablePath(family, procRoot));
  if (text === null) return null;
  let drops = 0;
  let sockets = 0;
  for (const row of parseUdpTable(text)) {
    if (row.localPort === port) {
      drops += row.drops;
      sockets++;
    }
  }
  return { drops, sockets };
}

/**
 * Reads the drop counters of the sockets bound to `port` and connected to
 * `peer`: on a port shared by several sessions (a listener), these are one
 * session's receiving sockets, and the port's other sockets (the control
 * socket, other sessions') are left out. Call before the sockets close.
 */
export function readPeerDrops(port: number, peer: { address: string; port: number }, family: 4 | 6, procRoot = '/proc'): PortDrops | null {
  const text = tryRead(udpTablePath(family, procRoot));
  if (text === null) return null;
  // BlockList compares addresses in any spelling (::1, 0000:…:0001, ::ffff:127.0.0.1).
  const match = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  try {
    match.addAddress(peer.address, type);
  } catch {
    return { drops: 0, sockets: 0 };
  }
  let drops = 0;
  let sockets = 0;
  for (const row of parseUdpTable(text)) {
    if (row.localPort === port && row.connected && row.remotePort === peer.port && row.remoteAddress !== '' && match.check(row.remoteAddress, type)) {
      drops += row.drops;
      sockets++;
    }
  }
  return { drops, sockets };
}

/** The sysctls reported with every result. */
export const SYSCTLS = [
  'net.core.rmem_max',
  'net.core.wmem_max',
  'net.core.rmem_default',
  'net.core.wmem_default',
  'net.core.netdev_max_backlog',
  'net.core.optmem_max',
  'net.ipv4.udp_mem',
  'net.ipv4.udp_rmem_min',
  'net.ipv4.udp_wmem_min',
] as const;

/** Reads one sysctl through `/proc/sys`, whitespace normalised; `null` if unreadable. */
export function readSysctl(name: string, procRoot = '/proc'): string | null {
  const text = tryRead(`${procRoot}/sys/${name.replace(/\./g, '/')}`);
  return text === null ? null : text.trim().replace(/\s+/g, ' ');
}

/** Reads {@link SYSCTLS}. */
export function readSysctls(): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of SYSCTLS) out[name] = readSysctl(name);
  return out;
}

/** Reads the MTU of an interface from sysfs; `null` if unknown. */
export function readMtu(ifname: string): number | null {
  const text = tryRead(`/sys/class/net/${ifname}/mtu`);
  const n = text === null ? NaN : Number(text.trim());
  return Number.isFinite(n) ? n : null;
}
