/**
 * One port, proven on the wire (issue 13, part 4): a local `bench duplex
 * --clients 8` run on loopback is captured with dumpcap and every datagram is
 * read with tshark. Every datagram to or from the server used its one port;
 * every client talked to the server's port only; and per client:
 *
 *   client → server:  measured data on the wire = the client's sent,
 *                     warm-up on the wire = the client's warmupSent,
 *                     end markers = END_MARKER_COPIES
 *   server → client:  measured data on the wire = the server's sent to it,
 *                     end markers = END_MARKER_COPIES
 *   server warm-up on the wire to each client = that peer's warmupSent.ba,
 *   server warm-up on the wire (all clients) = the server's warmupSent
 *
 * Needs root, dumpcap and tshark (`npm run test:capture`); skipped with the
 * reason otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reusePortNode, runCli } from '../test/cli.js';
import { END_MARKER_COPIES, FLAG_WARMUP, Kind, MAGIC } from '../src/udp/wire.js';
import { type Capture, type Packet, captureSkipReason, isProbe, killCapture, readHeader, readPackets, startCapture, stopCapture, waitCapturing } from './capture.js';

const SKIP = captureSkipReason();
if (SKIP !== null) console.log(`clients capture test: skipped: ${SKIP}`);

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

interface Tally {
  data: number;
  warmup: number;
  end: number;
}

// `--server-receivers 2` (issue 24): K receiver sockets in an SO_REUSEPORT group still make one port on the wire.
const REUSE = SKIP === null ? reusePortNode() : { skip: SKIP };
if ('skip' in REUSE && SKIP === null) console.log(`clients capture test, --server-receivers 2: skipped: ${REUSE.skip}`);
type Layout = 'single' | 'split' | 'split, 2 receivers';

describe.skipIf(SKIP !== null)('packet capture: --clients N uses the server\'s one port', () => {
  it.each(['single', 'split', 'split, 2 receivers'] as const)('%s threads: every datagram to or from the server on its port; per client, wire = sent + warm-up + end markers', async (layout: Layout) => {
    if (layout === 'split, 2 receivers' && 'skip' in REUSE) return;
    const threads = layout === 'single' ? 'single' : 'split';
    const reuse = layout === 'split, 2 receivers';
    // 16 clients spread over 2 receivers by a hash: all on one has odds 2^-15 (8 clients: 2^-7).
    const n = reuse ? 16 : 8;
    let done = false;
    for (let attempt = 1; attempt <= 5 && !done; attempt++) {
      const port = randomInt(20_000, 32_000);
      const dir = mkdtempSync(join(tmpdir(), 'udx-clients-capture-'));
      tempDirs.push(dir);
      let cap: Capture | undefined;
      try {
        // Every datagram carrying the wire magic, on any port: the clients' ports are not known in advance.
        cap = await startCapture(join(dir, 'magic.pcapng'), `udp and udp[8:4] = 0x${MAGIC.toString(16)}`);
        await waitCapturing([cap], port);
        const args = ['duplex', '--clients', String(n), '--port', String(port), '--rate', reuse ? '500' : '1k', '--duration', '1', '--size', '100', '--threads', threads, ...(reuse ? ['--server-receivers', '2'] : []), '--json', '--no-save', '--no-progress'];
        const run = await runCli(args, { timeoutMs: 90_000, ...(reuse && 'node' in REUSE ? { node: REUSE.node } : {}) });
        await new Promise((r) => setTimeout(r, 300));
        const stats = await stopCapture(cap);
        if (run.code !== 0 && /already in use/.test(run.stderr)) continue;
        expect(run.code, `bench ${args.join(' ')}\n${run.stderr}`).toBe(0);
        expect(stats.dropped, stats.summary).toBe(0);
        const result = JSON.parse(run.stdout);
        const packets: Packet[] = [];
        await readPackets(cap.file, (p) => {
          if (!isProbe(p.payload)) packets.push(p);
        });

        const server = result.endpoints.find((e: { id: string }) => e.id === 'B');
        expect(server.port).toBe(port);
        const clientPorts = new Map<number, number>(result.peers.map((p: { port: number; index: number }) => [p.port, p.index]));
        expect(clientPorts.size).toBe(n);
        const up = new Map<number, Tally>();
        const down = new Map<number, Tally>();
        for (const p of clientPorts.keys()) {
          up.set(p, { data: 0, warmup: 0, end: 0 });
          down.set(p, { data: 0, warmup: 0, end: 0 });
        }
        const stray: string[] = [];
        // Other tests on this loopback may carry the magic too: only this run's session counts.
        const session = (() => {
          for (const p of packets) {
            if (p.srcPort === port || p.dstPort === port) return readHeader(p.payload)?.session;
          }
          return undefined;
        })();
        expect(session).toBeDefined();
        for (const p of packets) {
          const h = readHeader(p.payload);
          if (h === null || h.session !== session) continue;
          const where = `frame ${p.frame} ${p.srcAddr}:${p.srcPort} → ${p.dstAddr}:${p.dstPort}`;
          // A datagram of this run between anything but the server's port and one of its clients' ports.
          const t = p.dstPort === port && clientPorts.has(p.srcPort) ? up.get(p.srcPort) : p.srcPort === port && clientPorts.has(p.dstPort) ? down.get(p.dstPort) : undefined;
          if (t === undefined) {
            stray.push(where);
            continue;
          }
          if (h.kind === Kind.Data && h.flags === 0) t.data++;
          else if (h.kind === Kind.Data && h.flags === FLAG_WARMUP) t.warmup++;
          else if (h.kind === Kind.End) t.end++;
          else stray.push(`${where}: kind ${h.kind}`);
        }
        expect(stray.slice(0, 10), `${stray.length} datagrams of the run off the server's port`).toEqual([]);
        const clientEndpoints = result.endpoints.filter((e: { id: string }) => e.id === 'A');
        let serverWarmupOnWire = 0;
        for (const peer of result.peers) {
          const u = up.get(peer.port) as Tally;
          const d = down.get(peer.port) as Tally;
          const [dirUp, dirDown] = peer.directions;
          const client = clientEndpoints.find((e: { port: number }) => e.port === peer.port);
          const label = `client A${peer.index} (${threads})`;
          console.log(`${label}: up wire ${u.data}/${dirUp.sent} data, ${u.warmup}/${client.warmupSent} warm-up, ${u.end} ends; down wire ${d.data}/${dirDown.sent} data, ${d.end} ends`);
          expect(u.data, `${label} → server: data on the wire vs sent`).toBe(dirUp.sent);
          expect(u.warmup, `${label} → server: warm-up on the wire vs warmupSent`).toBe(client.warmupSent);
          expect(u.end, `${label} → server: end markers`).toBe(END_MARKER_COPIES);
          expect(d.data, `server → ${label}: data on the wire vs sent`).toBe(dirDown.sent);
          expect(d.end, `server → ${label}: end markers`).toBe(END_MARKER_COPIES);
          // Per client: the result's own warm-up counts of both sides for this client.
          expect(peer.warmupSent.ab, `${label}: the peer entry's client warm-up`).toBe(u.warmup);
          expect(d.warmup, `server → ${label}: warm-up on the wire vs the peer entry's server warm-up`).toBe(peer.warmupSent.ba);
          serverWarmupOnWire += d.warmup;
        }
        expect(serverWarmupOnWire, 'server warm-up on the wire vs its warmupSent').toBe(server.warmupSent);
        if (reuse) {
          // Two receiver threads, both given a share by the kernel, together reading what the per-client rows say arrived.
          expect(result.config.serverReceivers).toBe(2);
          const receivers = server.cpu.filter((c: { thread: string }) => c.thread.startsWith('receiver'));
          expect(receivers.map((c: { thread: string }) => c.thread)).toEqual(['receiver 1/2', 'receiver 2/2']);
          const read = receivers.map((c: { receivedDatagrams: number }) => c.receivedDatagrams);
          console.log(`server receivers read ${read.join(' + ')} datagrams`);
          for (const r of read) expect(r, 'each receiver of the group got a share').toBeGreaterThan(0);
          const arrived = result.peers.reduce((s: number, p: { directions: { received: number }[] }) => s + (p.directions[0]?.received ?? 0), 0) + server.warmupReceived;
          expect(read.reduce((a: number, b: number) => a + b, 0), 'receiver threads vs per-client received + warm-up').toBe(arrived);
          expect(server.leaked, 'datagrams that reached the sender-only socket').toBe(0);
        }
        done = true;
      } finally {
        killCapture(cap);
      }
    }
    expect(done, 'no free port found in 5 attempts').toBe(true);
  });
});
