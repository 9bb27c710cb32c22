/**
 * Warnings about settings that shaped the figures. The tool never changes
 * system settings itself; it prints the command that would.
 */
import type { DirectionResult, EndpointResult, RunConfig, RunWarning } from '../result/types.js';
import { readSysctl } from '../udp/kernel.js';
import { makeWarning } from '../result/warnings.js';

/**
 * Linux doubles a requested SO_RCVBUF/SO_SNDBUF (for bookkeeping overhead) and
 * caps the request at net.core.rmem_max / wmem_max (socket(7)). A buffer is
 * clamped when the effective size is below twice the request.
 */
export function isClamped(requested: number | null, effective: number): boolean {
  return requested !== null && effective < requested * 2;
}

/** Warnings for buffers the kernel clamped, with the sysctl that would lift the cap. */
export function bufferWarnings(cfg: RunConfig, endpoints: readonly EndpointResult[]): RunWarning[] {
  const out: RunWarning[] = [];
  const check = (kind: 'rcvbuf' | 'sndbuf', sysctl: string, requested: number | null): void => {
    const clamped = endpoints.filter((e) => isClamped(requested, e[kind].effective));
    if (requested === null || clamped.length === 0) return;
    const cap = readSysctl(sysctl);
    const eff = clamped[0]?.[kind].effective ?? 0;
    out.push(makeWarning(`${kind}-clamped`, { requestedBytes: requested, effectiveBytes: eff, sysctl, cap: cap ?? null }, { hint: `sysctl -w ${sysctl}=${requested}` }));
  };
  check('rcvbuf', 'net.core.rmem_max', cfg.rcvbufBytes);
  check('sndbuf', 'net.core.wmem_max', cfg.sndbufBytes);
  return out;
}



/**
 * Warnings about the figures themselves, per direction: a sender that fell
 * short of the offered rate (the tool, not the path, was the limit) and a
 * loss figure that its independent derivations contradict. Never hidden.
 */
export function directionWarnings(directions: readonly DirectionResult[]): RunWarning[] {
  const out: RunWarning[] = [];
  for (const d of directions) {
    const direction = d.from === 'A' ? 'A→B' : 'B→A';
    if (d.undersent && d.offeredPps !== null && d.sentPps !== null) out.push(makeWarning('undersent', { direction, offeredPps: d.offeredPps, sentPps: d.sentPps }));
    if (!d.check.agree && d.check.lostBySequence !== null && d.lost !== null) {
      out.push(makeWarning('check-disagrees', { direction, lost: d.lost, lostBySequence: d.check.lostBySequence, kernelDrops: d.check.kernelDrops, note: d.check.note }));
    }
  }
  return out;
}
