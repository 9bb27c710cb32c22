/**
 * Wireshark's own RTP analysis as a second witness (issue 23): reads a
 * capture with `tshark -z rtp,streams` (packets, lost, mean and largest
 * jitter per SSRC) and the RTP sequence numbers tshark decodes per packet.
 * Nothing here reads the benchmark's result.
 */
import { execFileSync } from 'node:child_process';

/** One row of `tshark -z rtp,streams`. */
export interface TsharkStream {
  ssrc: number;
  payload: string;
  packets: number;
  lost: number;
  meanJitterMs: number;
  maxJitterMs: number;
  line: string;
}

/** `-d udp.port==P,rtp` for each port: RTP is decoded there (our own frames on them are version 1: tshark's RTP tap skips them). */
function decodeAs(ports: readonly number[]): string[] {
  return ports.flatMap((p) => ['-d', `udp.port==${p},rtp`]);
}

/** The RTP streams tshark finds in a capture, by SSRC. */
export function tsharkStreams(file: string, ports: readonly number[]): Map<number, TsharkStream> {
  const out = execFileSync('tshark', ['-q', '-n', '-r', file, ...decodeAs(ports), '-z', 'rtp,streams'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const streams = new Map<number, TsharkStream>();
  // e.g. "0.000  4.038  127.0.0.1 40905  127.0.0.1 40001 0x1234ABCD  g711U  197  3 (1.5%)  15.860 20.606 60.854  0.259 0.451 0.517 X"
  const row = /^\s*[\d.]+\s+[\d.]+\s+\S+\s+\d+\s+\S+\s+\d+\s+0x([0-9A-Fa-f]+)\s+(\S+)\s+(\d+)\s+(-?\d+)\s+\([^)]*\)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)/;
  for (const line of out.split('\n')) {
    const m = row.exec(line);
    if (m === null) continue;
    streams.set(parseInt(m[1] as string, 16), {
      ssrc: parseInt(m[1] as string, 16),
      payload: m[2] as string,
      packets: Number(m[3]),
      lost: Number(m[4]),
      meanJitterMs: Number(m[9]),
      maxJitterMs: Number(m[10]),
      line: line.trim(),
    });
  }
  return streams;
}

/**
 * Sequence errors per SSRC from the sequence numbers tshark decodes, in
 * capture order: packets whose sequence number is not the previous one + 1
 * (modulo 2^16) — what Wireshark's RTP analysis flags as a wrong sequence.
 */
export function tsharkSeqErrors(file: string, ports: readonly number[]): Map<number, { packets: number; seqErrors: number }> {
  const out = execFileSync('tshark', ['-n', '-r', file, ...decodeAs(ports), '-Y', 'rtp.version == 2', '-T', 'fields', '-e', 'rtp.ssrc', '-e', 'rtp.seq'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 << 20,
  });
  const by = new Map<number, { packets: number; seqErrors: number; last: number }>();
  for (const line of out.split('\n')) {
    const [ssrcText, seqText] = line.split('\t');
    if (ssrcText === undefined || seqText === undefined || ssrcText === '') continue;
    const ssrc = Number(ssrcText);
    const seq = Number(seqText);
    const s = by.get(ssrc);
    if (s === undefined) by.set(ssrc, { packets: 1, seqErrors: 0, last: seq });
    else {
      s.packets++;
      if (seq !== ((s.last + 1) & 0xffff)) s.seqErrors++;
      s.last = seq;
    }
  }
  return new Map([...by].map(([k, v]) => [k, { packets: v.packets, seqErrors: v.seqErrors }]));
}
