/**
 * Helpers for the packet-capture test: start and stop `dumpcap` on loopback,
 * prove it is really capturing, read its statistics (drops), and read the
 * captured datagrams back with `tshark`. Nothing here reads the benchmark's
 * result: every count the test compares comes from the capture file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MAGIC } from '../src/udp/wire.js';

/** Loopback on Linux; all traffic of the test stays on 127.0.0.1. */
export const LOOPBACK_IF = 'lo';
/** Enough for Ethernet-framed loopback (14) + IPv4 (20) + UDP (8) + the 40-byte header, and for an RTP header before it (12 + 20 of ours read). */
export const SNAPLEN = 96;
/** Kernel capture buffer, MiB: other engineers' runs share this loopback, a big buffer keeps dumpcap from dropping. */
const BUFFER_MIB = 64;

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Why the capture test cannot run here, or `null` if it can. */
export function captureSkipReason(): string | null {
  if (process.platform !== 'linux') return `needs Linux loopback '${LOOPBACK_IF}' (platform is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (dumpcap needs capture privileges)';
  const missing = ['dumpcap', 'tshark'].filter((c) => !onPath(c));
  if (missing.length > 0) return `${missing.join(' and ')} not installed (apt-get install tshark)`;
  // Root is not always enough (a container without CAP_NET_RAW, no loopback): try a one-second capture.
  const dir = mkdtempSync(join(tmpdir(), 'udx-capture-probe-'));
  try {
    const probe = spawnSync('dumpcap', ['-i', LOOPBACK_IF, '-s', '64', '-f', 'udp port 9', '-a', 'duration:1', '-q', '-w', join(dir, 'probe.pcapng')], { encoding: 'utf8', timeout: 10_000 });
    if (probe.status !== 0) {
      const why = (probe.stderr ?? '').split('\n').find((l) => l.trim() !== '' && !l.startsWith('Capturing on') && !l.startsWith('File:'));
      return `dumpcap cannot capture on '${LOOPBACK_IF}': ${why ?? probe.error?.message ?? `exit ${probe.status}`}`;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return null;
}

/** dumpcap's own account of one capture, from the summary it prints on stop. */
export interface CaptureStats {
  /** "Packets captured: N" — what went into the file. */
  captured: number;
  /** "Packets received/dropped on interface": received by the capture, dropped anywhere (kernel, pcap, dumpcap). */
  received: number;
  dropped: number;
  /** The summary line(s) verbatim, for failure messages. */
  summary: string;
}

/** A running dumpcap. */
export interface Capture {
  file: string;
  filter: string;
  child: ChildProcess;
  stderr: () => string;
  /** File size when dumpcap announced the file: growth beyond it means packets were written. */
  initialSize: number;
}

/**
 * Starts dumpcap on loopback with a capture (BPF) filter and resolves once it
 * has opened the interface, installed the filter and created the file
 * (it prints "File: ..." only after all three). Liveness is proven separately
 * by {@link waitCapturing}.
 */
export function startCapture(file: string, filter: string): Promise<Capture> {
  return new Promise((resolve, reject) => {
    const child = spawn('dumpcap', ['-i', LOOPBACK_IF, '-s', String(SNAPLEN), '-B', String(BUFFER_MIB), '-f', filter, '-w', file, '-q'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`dumpcap did not start within 10 s (filter "${filter}"): ${stderr}`)), 10_000);
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!settled && /^File: /m.test(stderr)) {
        settled = true;
        clearTimeout(timer);
        resolve({ file, filter, child, stderr: () => stderr, initialSize: statSync(file).size });
      }
    });
    child.on('error', (err) => fail(err));
    child.on('close', (code, signal) => fail(new Error(`dumpcap exited early (${code ?? signal}) with filter "${filter}": ${stderr}`)));
  });
}

/**
 * A 12-byte probe: the wire magic (so the magic filter matches it too), a
 * version byte of 0xff that no real datagram has, and session 0. Real
 * datagrams are at least 40 bytes, so the probe can never be mistaken for one.
 */
export function probePayload(): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(MAGIC, 0);
  b[4] = 0xff;
  return b;
}

export function isProbe(payload: Buffer): boolean {
  return payload.length === 12 && payload.readUInt32BE(0) === MAGIC && payload[4] === 0xff;
}

/**
 * Proves that every capture is live: sends probe datagrams to 127.0.0.1:`port`
 * (nothing is bound there yet, so nobody receives them) until each capture
 * file has grown, i.e. dumpcap has really written a captured packet. The
 * probes are told apart later with {@link isProbe}.
 */
export async function waitCapturing(captures: Capture[], port: number, timeoutMs = 10_000): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('error', () => undefined); // ICMP port unreachable comes back as an error: expected
  const probe = probePayload();
  let sent = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      await new Promise<void>((resolve) => socket.send(probe, port, '127.0.0.1', () => resolve()));
      sent++;
      await new Promise((r) => setTimeout(r, 100));
      if (captures.every((c) => statSync(c.file).size > c.initialSize)) return sent;
      if (Date.now() > deadline) throw new Error(`captures not live after ${sent} probes: ${captures.map((c) => c.stderr()).join(' | ')}`);
    }
  } finally {
    socket.close();
  }
}

/** Stops a capture with SIGINT (dumpcap then writes out what it has and prints its statistics). */
export function stopCapture(c: Capture): Promise<CaptureStats> {
  return new Promise((resolve, reject) => {
    const parse = (): void => {
      const err = c.stderr();
      const captured = /Packets captured: (\d+)/.exec(err);
      // e.g. "Packets received/dropped on interface 'Loopback: lo': 21959/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)"
      const rd = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)( \(([^)]*)\))?/.exec(err);
      if (captured === null || rd === null) {
        reject(new Error(`no statistics from dumpcap (filter "${c.filter}"): ${err}`));
        return;
      }
      // The parenthesised breakdown (where this version prints it) counts drops at each stage; add them all.
      const breakdown = (rd[4] ?? '').match(/\d+/g)?.map(Number) ?? [];
      resolve({
        captured: Number(captured[1]),
        received: Number(rd[1]),
        dropped: Number(rd[2]) + breakdown.reduce((a, b) => a + b, 0),
        summary: err.split('\n').filter((l) => l.startsWith('Packets')).join('; '),
      });
    };
    if (c.child.exitCode !== null || c.child.signalCode !== null) {
      parse();
      return;
    }
    const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
    c.child.removeAllListeners('close');
    c.child.on('close', () => {
      clearTimeout(timer);
      parse();
    });
    c.child.kill('SIGINT');
  });
}

/** Kills a capture that is still running (cleanup after a failure). */
export function killCapture(c: Capture | undefined): void {
  if (c && c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

/** One captured UDP datagram. */
export interface Packet {
  frame: number;
  srcAddr: string;
  dstAddr: string;
  srcPort: number;
  dstPort: number;
  /** The captured part of the UDP payload (at most SNAPLEN minus the headers). */
  payload: Buffer;
}

/**
 * Reads every UDP datagram in a capture file with tshark, streaming (the
 * magic capture may hold other runs' traffic too). `udp.payload` is used
 * rather than `data.data` because it is filled whatever dissector claims the
 * port; `-n` keeps tshark from resolving names.
 */
export function readPackets(file: string, each: (p: Packet) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'tshark',
      ['-r', file, '-n', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.number', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.payload'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let frames = 0;
    let bad: string | null = null;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line === '') return;
      frames++;
      const [frame, srcAddr, dstAddr, srcPort, dstPort, hex] = line.split(',');
      if (frame === undefined || srcPort === undefined || dstPort === undefined || hex === undefined || srcPort === '' || dstPort === '') {
        bad ??= line; // not IPv4 UDP as tshark sees it: reported, never skipped
        return;
      }
      each({
        frame: Number(frame),
        srcAddr: srcAddr ?? '',
        dstAddr: dstAddr ?? '',
        srcPort: Number(srcPort),
        dstPort: Number(dstPort),
        payload: Buffer.from(hex.replaceAll(':', ''), 'hex'),
      });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      // tshark complains about running as root on stderr; only the exit code says it failed.
      if (code !== 0) reject(new Error(`tshark -r ${file} exited ${code}: ${stderr}`));
      else if (bad !== null) reject(new Error(`tshark: a frame without IPv4/UDP fields in ${file}: ${bad}`));
      else resolve(frames);
    });
  });
}

/** The header fields the test checks (src/udp/wire.ts has the layout). */
export interface WireHeader {
  magic: number;
  version: number;
  kind: number;
  direction: number;
  flags: number;
  session: number;
  seq: number;
}

/** RTCP (RFC 5761 §4: version 2, second octet 192–223): `--wire rtp` sends reports on the data port. */
export function isRtcpPayload(payload: Buffer): boolean {
  return payload.length >= 2 && ((payload[0] as number) & 0xc0) === 0x80 && (payload[1] as number) >= 192 && (payload[1] as number) <= 223;
}

/**
 * Decodes the first 20 bytes of our header, or `null` if too short to be
 * one. With `--wire rtp` a data datagram is an RTP packet (first byte
 * 128–191): our header follows its 12-byte fixed header (src/udp/rtp.ts).
 */
export function readHeader(payload: Buffer): (WireHeader & { rtp: boolean }) | null {
  const rtp = payload.length >= 1 && ((payload[0] as number) & 0xc0) === 0x80;
  const o = rtp ? 12 : 0;
  if (payload.length < o + 20) return null;
  return {
    magic: payload.readUInt32BE(o),
    version: payload[o + 4] as number,
    kind: payload[o + 5] as number,
    direction: payload[o + 6] as number,
    flags: payload[o + 7] as number,
    session: payload.readUInt32BE(o + 8),
    // 64-bit sequence as two 32-bit halves, like wire.ts writes it.
    seq: payload.readUInt32BE(o + 12) * 2 ** 32 + payload.readUInt32BE(o + 16),
    rtp,
  };
}
