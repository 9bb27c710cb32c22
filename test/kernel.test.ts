import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { diffCounters, parseSnmp, parseSnmp6, parseUdpTable, procAddress, readPeerDrops, readPortDrops, readUdpCounters } from '../src/udp/kernel.js';

describe('kernel counters', () => {
  it('parses /proc/net/snmp and snmp6 text', () => {
    const snmp = 'Ip: Forwarding\nIp: 1\nUdp: InDatagrams NoPorts InErrors RcvbufErrors\nUdp: 10 2 3 4\nUdpLite: InDatagrams\nUdpLite: 0\n';
    expect(parseSnmp(snmp)).toEqual({ InDatagrams: 10, NoPorts: 2, InErrors: 3, RcvbufErrors: 4 });
    expect(parseSnmp6('Udp6InDatagrams   5\nUdp6RcvbufErrors 7\nIp6InReceives 9\n')).toEqual({ InDatagrams: 5, RcvbufErrors: 7 });
    expect(diffCounters({ a: 1, b: 2 }, { a: 4, b: 2, c: 9 })).toEqual({ a: 3, b: 0 });
  });

  it('parses /proc/net/udp rows with ports, connection state and drops', () => {
    const text = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  123: 0100007F:1F90 0100007F:1F91 01 00000000:00000340 00:00000000 00000000     0        0 4242 2 0000000000000000 17',
      '  124: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0',
    ].join('\n');
    const rows = parseUdpTable(text);
    expect(rows).toEqual([
      { localPort: 8080, remotePort: 8081, remoteAddress: '127.0.0.1', connected: true, rxQueueBytes: 0x340, inode: 4242, drops: 17 },
      { localPort: 8080, remotePort: 0, remoteAddress: '0.0.0.0', connected: false, rxQueueBytes: 0, inode: 4243, drops: 0 },
    ]);
  });

  it('reads the real counters and sees a real socket and its drops', async () => {
    const snap = readUdpCounters(4);
    expect(snap.available).toBe(true);
    expect(snap.counters.InDatagrams).toBeGreaterThanOrEqual(0);
    // Overflow a tiny receive buffer that nobody reads: the kernel counts the drops.
    const rx = dgram.createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
    rx.setRecvBufferSize(4096);
    const port = rx.address().port;
    const tx = dgram.createSocket('udp4');
    const payload = Buffer.alloc(1000);
    for (let i = 0; i < 200; i++) await new Promise<void>((r) => tx.send(payload, port, '127.0.0.1', () => r()));
    const drops = readPortDrops(port, 4);
    expect(drops?.sockets).toBe(1);
    expect(drops?.drops).toBeGreaterThan(0);
    tx.close();
    rx.close();
  });

  it('parses /proc addresses in host byte order, IPv4 and IPv6', () => {
    expect(procAddress('0100007F')).toBe('127.0.0.1');
    expect(procAddress('00000000000000000000000001000000')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(procAddress('0000000000000000FFFF00000100007F')).toBe('0000:0000:0000:0000:0000:ffff:7f00:0001');
    expect(procAddress('xyz')).toBe('');
  });

  // A listener's sessions share one port: each session's drops must be its own socket's, not the port's.
  for (const family of [4, 6] as const) {
    it(`reads the drops of the sockets connected to one peer, not the port's other sockets (IPv${family})`, async () => {
      const type = family === 6 ? 'udp6' : 'udp4';
      const lo = family === 6 ? '::1' : '127.0.0.1';
      const bind = async (port: number, reuseAddr: boolean): Promise<dgram.Socket> => {
        const s = dgram.createSocket({ type, reuseAddr });
        await new Promise<void>((r) => s.bind(port, lo, r));
        return s;
      };
      const tx1 = await bind(0, false);
      const tx2 = await bind(0, false);
      const rx1 = await bind(0, true);
      const port = rx1.address().port;
      const rx2 = await bind(port, true);
      rx1.setRecvBufferSize(4096);
      await new Promise<void>((r) => rx1.connect(tx1.address().port, lo, r));
      await new Promise<void>((r) => rx2.connect(tx2.address().port, lo, r));
      let got2 = 0;
      rx2.on('message', () => got2++);
      // 200 × 1000 B sent without a turn of the event loop in between overflow rx1's 4 KiB; rx2's 20 fit its default buffer.
      const payload = Buffer.alloc(1000);
      for (let i = 0; i < 200; i++) await new Promise<void>((r) => tx1.send(payload, port, lo, () => r()));
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => tx2.send(payload, port, lo, () => r()));
      await new Promise((r) => setTimeout(r, 100));
      const one = readPeerDrops(port, { address: lo, port: tx1.address().port }, family);
      const two = readPeerDrops(port, { address: lo, port: tx2.address().port }, family);
      const all = readPortDrops(port, family);
      expect(one?.sockets).toBe(1);
      expect(two?.sockets).toBe(1);
      expect(one?.drops).toBeGreaterThan(0);
      expect(two?.drops).toBe(0);
      expect(got2).toBe(20);
      expect(all?.drops).toBe((one?.drops ?? 0) + (two?.drops ?? 0));
      // Another spelling of the same address matches too.
      if (family === 6) expect(readPeerDrops(port, { address: '0:0:0:0:0:0:0:1', port: tx1.address().port }, 6)?.drops).toBe(one?.drops);
      for (const s of [tx1, tx2, rx1, rx2]) s.close();
    });
  }
});
