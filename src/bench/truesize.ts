/**
 * The kernel memory one datagram of a size takes in a receive queue
 * (truesize), measured once per size and family per process by a loopback
 * probe (udp/rxqueue.ts) and kept: a sweep or a search asks for it in every
 * cell and trial, and the kernel's answer does not change within a process.
 */
import { measureTruesizeBytes } from '../udp/rxqueue.js';

const cache = new Map<string, Promise<number | null>>();

/** Truesize of one datagram of `sizeBytes` payload, bytes; `null` when /proc cannot tell. Never rejects. */
export function truesizeFor(sizeBytes: number, family: 4 | 6): Promise<number | null> {
  const key = `${family}/${sizeBytes}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = measureTruesizeBytes(sizeBytes, family).catch(() => null);
    cache.set(key, p);
  }
  return p;
}
