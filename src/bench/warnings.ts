/**
 * Warnings about settings that shaped the figures. The tool never changes
 * system settings itself; it prints the command that would.
 */
import type { DirectionResult, EndpointResult, RunConfig, RunWarning } from '../result/types.js';
import { readSysctl } from '../udp/kernel.js';
import { formatRate } from '../result/numbers.js';

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
    out.push({
      code: `${kind}-clamped`,
      message: `--${kind} ${requested} bytes was clamped: the kernel gave ${eff} bytes (${sysctl} = ${cap ?? 'unknown'} caps the request; the kernel doubles what it grants)`,
      hint: `sysctl -w ${sysctl}=${requested}`,
    });
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
    if (d.undersent && d.offeredPps !== null && d.sentPps !== null) {
      const share = Math.round((d.sentPps / d.offeredPps) * 100);
      out.push({
        code: 'undersent',
        direction,
        message: `${direction} undersent: offered ${formatRate(d.offeredPps)}/s, sent ${formatRate(d.sentPps)}/s (${share} %): the sender, not the network, was the limit; its loss figures describe the lower rate`,
      });
    }
    if (!d.check.agree && d.check.lostBySequence !== null && d.lost !== null) {
      out.push({
        code: 'check-disagrees',
        direction,
        message: `${direction} loss check disagrees: sent − received = ${d.lost}, by sequence ${d.check.lostBySequence}, kernel drops ${d.check.kernelDrops ?? 'n/a'}${d.check.note === null ? '' : ` (${d.check.note})`}`,
      });
    }
  }
  return out;
}
