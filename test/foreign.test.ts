import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runLocalDuplex } from '../src/bench/duplex.js';
import { createHeader, encodeHeader, HEADER_BYTES } from '../src/udp/wire.js';
import { expectChecked, localConfig } from './helpers.js';
import type { ThreadMode } from '../src/result/types.js';
import { readFileSync } from 'node:fs';
import { parseUdpTable } from '../src/udp/kernel.js';

/** The kernel's view of the sockets bound to a port (real /proc). */
function socketsOn(port: number): { connected: boolean; remotePort: number }[] {
  return parseUdpTable(readFileSync('/proc/net/udp', 'utf8')).filter((r) => r.localPort === port);
}

/** Sprays `count` foreign datagrams of three kinds at a port, from another socket. */
async function spray(port: number, count: number): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const wrongSession = Buffer.alloc(100);
  const h = createHeader();
  h.session = 1; // sessions are random in 1..2^32-1; 1 is as good as any
  encodeHeader(wrongSession, h);
  const kinds = [Buffer.from('hello, not a benchmark datagram'), Buffer.alloc(HEADER_BYTES - 1, 0x55), wrongSession];
  let sent = 0;
  for (let i = 0; i < count; i++) {
    await new Promise<void>((r) => s.send(kinds[i % 3] as Buffer, port, '127.0.0.1', () => r()));
    sent++;
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  s.close();
  return sent;
}

describe.each<ThreadMode>(['single', 'split'])('foreign datagrams during a %s-mode run', (threads) => {
  it('are counted and change nothing else', async () => {
    let sprayed: Promise<number> = Promise.resolve(0);
    let onB: { connected: boolean; remotePort: number }[] = [];
    let aPort = 0;
    const result = await runLocalDuplex(localConfig({ threads, rateAbPps: 2000, rateBaPps: 2000 }), {
      onReady: (eps) => {
        const b = eps.find((e) => e.id === 'B');
        aPort = eps.find((e) => e.id === 'A')?.port ?? 0;
        if (b) onB = socketsOn(b.port);
        if (b) sprayed = new Promise((r) => setTimeout(r, 500)).then(() => spray(b.port, 300));
      },
    });
    // Both modes: two sockets on B's port, one connected to A (it gets A's datagrams), one
    // unconnected (split: the sender; single: the stranger socket), where the spray lands.
    expect(onB).toHaveLength(2);
    expect(onB.filter((r) => r.connected).map((r) => r.remotePort)).toEqual([aPort]);
    const n = await sprayed;
    expect(n).toBe(300);
    expectChecked(result);
    const ab = result.directions.find((d) => d.from === 'A');
    const ba = result.directions.find((d) => d.from === 'B');
    // All landed at B (A→B's receiving end); nothing at A.
    expect(ab?.foreign).toBe(300);
    expect(ba?.foreign).toBe(0);
    expect(ab?.duplicates).toBe(0);
    expect(result.endpoints.every((e) => e.leaked === 0)).toBe(true);
  });
});
