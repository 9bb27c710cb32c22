/**
 * The machine and OS settings recorded with every result.
 */
import os from 'node:os';
import { readMtu, readSysctls } from '../udp/kernel.js';
import type { Environment } from '../report/schema.js';

/** The interface that carries traffic from `address`, from `os.networkInterfaces()`. */
export function interfaceFor(address: string): string | null {
  const want = address.replace(/^\[|\]$/g, '').toLowerCase();
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.address.toLowerCase() === want) return name;
  }
  if (want.startsWith('127.') || want === '::1') return 'lo';
  return null;
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
  };
}
