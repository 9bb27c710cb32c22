/**
 * A receive-buffer request the kernel must clamp: above net.core.rmem_max
 * (read from the real /proc), yet still an int for setsockopt. Tests of the
 * clamp warning use it; where /proc/sys cannot be read they skip with `skipNote`.
 */
import { readFileSync } from 'node:fs';

/** net.core.rmem_max, or null where /proc/sys cannot be read (containers, other OSes). */
function readRmemMax(): number | null {
  try {
    const v = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim());
    return Number.isSafeInteger(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

const rmemMax = readRmemMax();
/** Bytes to ask for with --rcvbuf, or null when no request can be clamped here. */
export const clampedRcvbufRequest: number | null = rmemMax === null ? null : 2 * rmemMax + 1;
/** Whether the request is usable (an int setsockopt accepts). */
export const canClampRcvbuf = clampedRcvbufRequest !== null && clampedRcvbufRequest <= 2 ** 31 - 1;
/** Why the clamp tests skip, when they do. */
export const clampSkipNote = rmemMax === null ? 'skipped: /proc/sys/net/core/rmem_max is unreadable here' : 'skipped: rmem_max is so large no request can exceed it';
