/**
 * The wire agrees with the result (issue 9, part 3): a local `bench duplex`
 * run on loopback is captured with dumpcap and the datagrams on the wire are
 * counted per direction with tshark, then compared with what the run
 * reported:
 *
 *   measured data datagrams (flags 0)  = directions[].sent
 *   warm-up data datagrams (flag 1)    = endpoints[from].warmupSent (pre-roll + --omit)
 *   end markers                        = END_MARKER_COPIES
 *
 * all exactly (observed exact on every run; a send that failed is on neither
 * side, and end-marker sends are not retried or counted, so a lost copy would
 * show here as a failure rather than be tolerated). And every datagram of the
 * run, in both thread modes, used exactly A's and B's bound ports: checked in
 * the port-filtered capture and, independently, in a second capture of every
 * datagram carrying the wire magic on any port, grouped by session id.
 *
 * Needs root, dumpcap and tshark; run with `npm run test:capture` (`.ci/run`
 * runs it where it can). Skipped with the reason printed otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';
import { END_MARKER_COPIES } from '../src/udp/wire.js';
import { DIR_AB, DIR_BA, FLAG_WARMUP, Kind, MAGIC, WIRE_VERSION } from '../src/udp/wire.js';
import {
  type Capture,
  type CaptureStats,
  type Packet,
  captureSkipReason,
  isProbe,
  isRtcpPayload,
  killCapture,
  readHeader,
  readPackets,
  startCapture,
  stopCapture,
  waitCapturing,
} from './capture.js';

const SKIP = captureSkipReason();
if (SKIP !== null) console.log(`capture tests: skipped: ${SKIP}`);

type Threads = 'single' | 'split';

/** Per direction, what the capture shows. */
interface WireTally {
  /** Measured-phase data datagrams (kind data, no warm-up flag). */
  data: number;
  /** Warm-up data datagrams (pre-roll and --omit). */
  warmup: number;
  end: number;
  /** Sequence numbers seen, to prove no duplicates and no gaps. */
  dataSeqs: number[];
  warmupSeqs: number[];
  /** The end markers' sequence field: the sequence numbers the measured phase used (= data on the wire when no send failed). */
  endSeqs: number[];
}

/** Everything one captured run yields. */
interface CapturedRun {
  port: number;
  result: any;
  probes: number;
  portPackets: Packet[];
  portStats: CaptureStats;
  portFrames: number;
  magicStats: CaptureStats;
  magicFrames: number;
  /** The all-ports magic capture, probes left out; may hold other runs' datagrams too. */
  magicPackets: Packet[];
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** True if both ports can be bound on 127.0.0.1 right now (the run may still lose a race: then it is retried). */
async function portsFree(port: number): Promise<boolean> {
  const tryBind = (p: number): Promise<dgram.Socket | null> =>
    new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(null);
      });
      s.bind(p, '127.0.0.1', () => resolve(s));
    });
  const a = await tryBind(port);
  const b = await tryBind(port + 1);
  a?.close();
  b?.close();
  return a !== null && b !== null;
}

/**
 * Captures one `bench duplex` run on loopback: a port-filtered capture for the
 * counts, and a magic-filtered one on all ports for the stray check. The port
 * is picked at random below Linux's ephemeral range (32768+), where no
 * kernel-assigned port can collide; a bind failure retries with another.
 */
async function capturedRun(threads: Threads, duration: number, omit: number, wire: 'udx' | 'rtp'): Promise<CapturedRun> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = randomInt(20_000, 32_000);
    if (!(await portsFree(port))) continue;
    const dir = mkdtempSync(join(tmpdir(), 'udx-capture-'));
    tempDirs.push(dir);
    let portCap: Capture | undefined;
    let magicCap: Capture | undefined;
    try {
      // Only this run's two ports: other socket tests share this loopback.
      const portStart = startCapture(join(dir, 'ports.pcapng'), `udp and (port ${port} or port ${port + 1})`);
      // Every datagram with the wire magic, on any port (IPv4 only, like `udp[]` in BPF: the run is on 127.0.0.1).
      // With --wire rtp the magic sits after the 12-byte RTP header of data datagrams (end markers keep it first).
      const magic = `0x${MAGIC.toString(16)}`;
      const magicStart = startCapture(join(dir, 'magic.pcapng'), wire === 'rtp' ? `udp and (udp[8:4] = ${magic} or udp[20:4] = ${magic})` : `udp and udp[8:4] = ${magic}`);
      // Settled both before throwing, so that the finally block kills whichever of the two did start.
      const [ps, ms] = await Promise.allSettled([portStart, magicStart]);
      if (ps.status === 'fulfilled') portCap = ps.value;
      if (ms.status === 'fulfilled') magicCap = ms.value;
      if (ps.status === 'rejected') throw ps.reason;
      if (ms.status === 'rejected') throw ms.reason;
      if (portCap === undefined || magicCap === undefined) throw new Error('unreachable: both captures started');
      const probes = await waitCapturing([portCap, magicCap], port);
      const args = ['duplex', '--port', String(port), '--rate', '5k', '--duration', String(duration), '--omit', String(omit), '--size', '100', '--threads', threads, '--wire', wire, '--json', '--no-save', '--no-progress'];
      const run = await runCli(args, { timeoutMs: 60_000 });
      // Loopback delivery is synchronous, but dumpcap reads the kernel's ring in batches: give it a moment.
      await new Promise((r) => setTimeout(r, 300));
      const [portStats, magicStats] = await Promise.all([stopCapture(portCap), stopCapture(magicCap)]);
      if (run.code !== 0 && /already in use/.test(run.stderr)) continue; // lost a race for the port
      expect(run.code, `bench ${args.join(' ')}\n${run.stderr}`).toBe(0);
      const result = JSON.parse(run.stdout);
      const portPackets: Packet[] = [];
      // The magic capture may hold other runs' traffic as well; the probes are left out.
      const magicPackets: Packet[] = [];
      const [portFrames, magicFrames] = await Promise.all([
        readPackets(portCap.file, (p) => portPackets.push(p)),
        readPackets(magicCap.file, (p) => {
          if (!isProbe(p.payload)) magicPackets.push(p);
        }),
      ]);
      return { port, result, probes, portPackets, portStats, portFrames, magicStats, magicFrames, magicPackets };
    } finally {
      killCapture(portCap);
      killCapture(magicCap);
    }
  }
  throw new Error('no free pair of ports found in 5 attempts');
}

function newTally(): WireTally {
  return { data: 0, warmup: 0, end: 0, dataSeqs: [], warmupSeqs: [], endSeqs: [] };
}

/** Whether `seqs` is exactly 0, 1, …, n−1 in some order: no duplicate, no gap. */
function dense(seqs: number[]): boolean {
  const sorted = [...seqs].sort((a, b) => a - b);
  return sorted.every((s, i) => s === i);
}

function totalErrors(errors: Record<string, number> | null | undefined): number {
  return Object.values(errors ?? {}).reduce((a, b) => a + b, 0);
}

describe.skipIf(SKIP !== null)('packet capture on loopback: the wire agrees with the result', () => {
  // The --omit runs measure one second only: enough to count, and the whole file stays well under a minute.
  it.each<[Threads, number, number, 'udx' | 'rtp']>([
    ['single', 2, 0, 'udx'],
    ['split', 2, 0, 'udx'],
    ['single', 1, 1, 'udx'],
    ['split', 1, 1, 'udx'],
    ['single', 2, 0, 'rtp'],
    ['split', 2, 0, 'rtp'],
  ])('%s threads, --duration %i --omit %i, --wire %s: per direction, datagrams on the wire = sent + warm-up + end markers, on the two bound ports only', async (threads, duration, omit, wire) => {
    const run = await capturedRun(threads, duration, omit, wire);
    const { port, result } = run;
    const portA = port;
    const portB = port + 1;

    // The capture saw everything: dumpcap dropped nothing, and tshark read every packet it wrote.
    expect(run.portStats.dropped, `port capture dropped packets: ${run.portStats.summary}`).toBe(0);
    expect(run.magicStats.dropped, `magic capture dropped packets: ${run.magicStats.summary}`).toBe(0);
    expect(run.portFrames).toBe(run.portStats.captured);
    expect(run.magicFrames).toBe(run.magicStats.captured);
    expect(run.probes).toBeGreaterThan(0);

    // The run bound what it was asked to.
    const endpoint = (id: 'A' | 'B'): any => result.endpoints.find((e: { id: string }) => e.id === id);
    const direction = (from: 'A' | 'B'): any => result.directions.find((d: { from: string }) => d.from === from);
    expect(endpoint('A').port).toBe(portA);
    expect(endpoint('B').port).toBe(portB);
    expect(endpoint('A').threads).toBe(threads);
    expect(endpoint('B').threads).toBe(threads);

    // Port capture: everything but our probes must be this run's datagrams between A's and B's port.
    const tally = { AB: newTally(), BA: newTally() };
    const rtcp = { AB: 0, BA: 0 };
    const offPair: string[] = [];
    const malformed: string[] = [];
    const sessions = new Set<number>();
    let probesSeen = 0;
    for (const p of run.portPackets) {
      if (isProbe(p.payload)) {
        probesSeen++;
        continue;
      }
      const where = `frame ${p.frame} ${p.srcAddr}:${p.srcPort} → ${p.dstAddr}:${p.dstPort}`;
      const key = p.srcPort === portA && p.dstPort === portB ? 'AB' : p.srcPort === portB && p.dstPort === portA ? 'BA' : null;
      if (key === null || p.srcAddr !== '127.0.0.1' || p.dstAddr !== '127.0.0.1') {
        offPair.push(where);
        continue;
      }
      if (wire === 'rtp' && isRtcpPayload(p.payload)) {
        rtcp[key]++;
        continue;
      }
      const h = readHeader(p.payload);
      // Data datagrams are RTP exactly when the run asked for it; end markers keep our own framing.
      const framingOk = h !== null && (h.kind === Kind.Data ? h.rtp === (wire === 'rtp') : !h.rtp);
      if (h === null || !framingOk || h.magic !== MAGIC || h.version !== WIRE_VERSION || h.direction !== (key === 'AB' ? DIR_AB : DIR_BA)) {
        malformed.push(`${where}: ${p.payload.subarray(0, 20).toString('hex')}`);
        continue;
      }
      sessions.add(h.session);
      const t = tally[key];
      if (h.kind === Kind.Data && h.flags === 0) {
        t.data++;
        t.dataSeqs.push(h.seq);
      } else if (h.kind === Kind.Data && h.flags === FLAG_WARMUP) {
        t.warmup++;
        t.warmupSeqs.push(h.seq);
      } else if (h.kind === Kind.End) {
        t.end++;
        t.endSeqs.push(h.seq);
      } else {
        malformed.push(`${where}: kind ${h.kind} flags ${h.flags}`);
      }
    }
    expect(probesSeen).toBe(run.probes);
    expect(offPair.slice(0, 10), `${offPair.length} datagrams not between ${portA} and ${portB}`).toEqual([]);
    expect(malformed.slice(0, 10), `${malformed.length} unexpected datagrams`).toEqual([]);
    expect(sessions.size, `session ids on the wire: ${[...sessions].join(', ')}`).toBe(1);
    const session = [...sessions][0] as number;

    for (const [key, from, to] of [['AB', 'A', 'B'], ['BA', 'B', 'A']] as const) {
      const t = tally[key];
      const d = direction(from);
      const warmupSent: number = endpoint(from).warmupSent;
      const label = `${from}→${to} (${threads}, --omit ${omit})`;
      console.log(
        `${label}: wire data ${t.data} / sent ${d.sent}; wire warm-up ${t.warmup} / warmupSent ${warmupSent}; ` +
          `wire end markers ${t.end} / ${END_MARKER_COPIES}; wire total ${t.data + t.warmup + t.end} / ${d.sent + warmupSent + END_MARKER_COPIES}; ` +
          `sendErrors ${JSON.stringify(d.sendErrors)}`,
      );
      expect(d.to).toBe(to);
      expect(d.sent, label).toBeGreaterThan(0);
      // The strongest form: each kind against its own figure.
      expect(t.data, `${label}: measured data datagrams on the wire vs sent`).toBe(d.sent);
      expect(t.warmup, `${label}: warm-up datagrams on the wire vs warmupSent`).toBe(warmupSent);
      expect(t.end, `${label}: end markers on the wire`).toBe(END_MARKER_COPIES);
      expect(t.data + t.warmup + t.end, `${label}: all datagrams on the wire`).toBe(d.sent + warmupSent + END_MARKER_COPIES);
      // Every end marker carries the final sent count, and it matches what was on the wire.
      expect(new Set(t.endSeqs), `${label}: end marker counts`).toEqual(new Set([t.data]));
      // Sequence numbers: each sent once. A failed send consumes a number without reaching the wire,
      // so the no-gap half holds only when there were no send errors.
      if (totalErrors(d.sendErrors) === 0) {
        expect(dense(t.dataSeqs), `${label}: measured sequence numbers 0…${t.data - 1}, each once`).toBe(true);
        expect(dense(t.warmupSeqs), `${label}: warm-up sequence numbers 0…${t.warmup - 1}, each once`).toBe(true);
      } else {
        expect(new Set(t.dataSeqs).size, `${label}: no duplicate sequence numbers`).toBe(t.dataSeqs.length);
      }
    }
    if (wire === 'rtp') {
      // RTCP on the data port (RFC 5761): a sender and a receiver report about once a second each way.
      console.log(`--wire rtp (${threads}): RTCP on the wire A→B ${rtcp.AB}, B→A ${rtcp.BA}`);
      for (const n of [rtcp.AB, rtcp.BA]) {
        expect(n).toBeGreaterThanOrEqual(2 * duration - 2);
        expect(n).toBeLessThanOrEqual(2 * duration + 4);
      }
    }
    if (omit > 0) {
      // --omit adds a whole second of warm-up at 5k/s on top of the pre-roll.
      expect(tally.AB.warmup).toBeGreaterThan(4000);
      expect(tally.BA.warmup).toBeGreaterThan(4000);
    }

    // Magic capture, all ports: no datagram of this session used any other port pair,
    // and it saw exactly the datagrams the port capture saw.
    const pairs = new Map<string, number>();
    for (const p of run.magicPackets) {
      const h = readHeader(p.payload);
      if (h === null || h.session !== session) continue;
      const pair = `${p.srcAddr}:${p.srcPort} → ${p.dstAddr}:${p.dstPort}`;
      pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    }
    const abPair = `127.0.0.1:${portA} → 127.0.0.1:${portB}`;
    const baPair = `127.0.0.1:${portB} → 127.0.0.1:${portA}`;
    expect([...pairs.keys()].sort(), `session ${session.toString(16)}: port pairs on the wire`).toEqual([abPair, baPair].sort());
    expect(pairs.get(abPair)).toBe(tally.AB.data + tally.AB.warmup + tally.AB.end);
    expect(pairs.get(baPair)).toBe(tally.BA.data + tally.BA.warmup + tally.BA.end);
  });
});
