import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { diffCounters, parseSnmp, parseSnmp6, parseUdpTable, readPortDrops, readUdpCounters } from '../src/udp/kernel.js';

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
      { localPort: 8080, remotePort: 8081, connected: true, rxQueueBytes: 0x340, inode: 4242, drops: 17 },
      { localPort: 8080, remotePort: 0, connected: false, rxQueueBytes: 0, inode: 4243, drops: 0 },
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
});
