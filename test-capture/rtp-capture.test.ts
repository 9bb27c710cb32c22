/**
 * `--wire rtp` read by Wireshark (issue 23): a run's traffic is captured and
 * tshark's RTP stream analysis — which knows nothing of our header — is the
 * second witness of each direction's RTP figures:
 *
 *   tshark packets         = rtp.packets        (exactly)
 *   tshark lost            = rtp.cumulativeLost (exactly; RFC 3550 A.3)
 *   wrong sequence numbers = rtp.seqErrors      (exactly, from tshark's decoded sequence numbers)
 *   tshark mean/max jitter ≈ rtp.jitterMeanMs / jitterMaxMs (RFC 3550 A.8, see JITTER_TOLERANCE)
 *
 * and the third view, the receiver's own RTCP receiver reports as the sender
 * read them (rtp.receiverReport): cumulative lost within the loss of the
 * last report interval, jitter within the same tolerance.
 *
 * On loopback (voice and video, nothing lost) and across two network
 * namespaces with 3 % of A→B's RTP datagrams dropped at random by nftables
 * on A's egress — before any capture point, so that the capture on B sees
 * what B's socket gets — where the counts must still match exactly.
 *
 * Needs root, dumpcap and tshark (and for the second part ip and nft);
 * skipped with the reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../test/cli.js';
import { runBounded, type BoundedRun } from '../test/bounded-run.js';
import { captureSkipReason, killCapture, startCapture, stopCapture, waitCapturing, type Capture } from './capture.js';
import { tsharkSeqErrors, tsharkStreams } from './rtp.js';

const SKIP = captureSkipReason();
if (SKIP !== null) console.log(`rtp capture tests: skipped: ${SKIP}`);

/**
 * How far our RFC 3550 jitter may be from tshark's. Both run A.8 on the same
 * RTP timestamps; the arrival times differ: tshark's are the capture's
 * (kernel, at the interface), ours are when the receiving thread read the
 * datagram (after its event loop got to it). On this 2-core machine that
 * read adds up to a few ms of scheduling noise per datagram — the very
 * thing our figure is meant to include — so ours may be above tshark's by
 * that, never far below it.
 */
const JITTER_TOLERANCE_MS = 3;

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

function direction(result: any, from: 'A' | 'B'): any {
  return result.directions.find((d: { from: string }) => d.from === from);
}

/** Every direction of a result against the capture: counts exactly, jitter within the tolerance. */
function compare(result: any, file: string, ports: number[], label: string, only?: 'A' | 'B'): void {
  const streams = tsharkStreams(file, ports);
  const seqs = tsharkSeqErrors(file, ports);
  for (const from of ['A', 'B'] as const) {
    if (only !== undefined && from !== only) continue;
    const d = direction(result, from);
    const rtp = d.rtp;
    expect(rtp, `${label} ${from}: the result has RTP figures`).toBeTruthy();
    const t = streams.get(rtp.ssrc);
    expect(t, `${label} ${from}: tshark finds SSRC 0x${rtp.ssrc.toString(16)} among ${[...streams.keys()].map((k) => k.toString(16)).join(', ')}`).toBeDefined();
    if (t === undefined) return;
    const s = seqs.get(rtp.ssrc);
    console.log(
      `${label} ${from}→${from === 'A' ? 'B' : 'A'}: tshark packets ${t.packets} / ours ${rtp.packets}; lost ${t.lost} / ${rtp.cumulativeLost} (our loss ${d.lost} of ${d.sent}); ` +
        `seq errors ${s?.seqErrors} / ${rtp.seqErrors}; mean jitter ${t.meanJitterMs} / ${rtp.jitterMeanMs.toFixed(3)} ms; max jitter ${t.maxJitterMs} / ${rtp.jitterMaxMs.toFixed(3)} ms\n  tshark: ${t.line}`,
    );
    expect(t.packets, `${label} ${from}: packets`).toBe(rtp.packets);
    expect(t.lost, `${label} ${from}: lost`).toBe(rtp.cumulativeLost);
    expect(s?.packets).toBe(rtp.packets);
    expect(s?.seqErrors, `${label} ${from}: sequence errors`).toBe(rtp.seqErrors);
    expect(rtp.jitterMeanMs).toBeGreaterThanOrEqual(t.meanJitterMs - JITTER_TOLERANCE_MS);
    expect(rtp.jitterMeanMs).toBeLessThanOrEqual(t.meanJitterMs + JITTER_TOLERANCE_MS);
    expect(rtp.jitterMaxMs).toBeGreaterThanOrEqual(t.maxJitterMs - JITTER_TOLERANCE_MS);
    expect(rtp.jitterMaxMs).toBeLessThanOrEqual(t.maxJitterMs + JITTER_TOLERANCE_MS);
    // Our own loss (from the 64-bit sequence and the end marker) holds the RFC 3550 count, and more only at the edges.
    expect(d.lost).toBeGreaterThanOrEqual(rtp.cumulativeLost);
    // RTCP agrees: the receiver's last receiver report (sent about once a second, read by the sender) says what
    // our figures say, less what the last report interval (up to two seconds of samples) had not seen yet.
    const rr = rtp.receiverReport;
    expect(rr, `${label} ${from}: a receiver report arrived`).toBeTruthy();
    const lastTwo = d.intervals.slice(-2).reduce((n: number, iv: { lost: number | null }) => n + Math.max(0, iv.lost ?? 0), 0);
    console.log(`  RTCP: ${rr.reports} receiver reports, the last: cumulative lost ${rr.cumulativeLost} (ours ${rtp.cumulativeLost}, last two seconds lost ${lastTwo}), jitter ${rr.jitterMs.toFixed(3)} ms`);
    expect(rr.reports).toBeGreaterThanOrEqual(Math.floor(d.durationSeconds) - 1);
    expect(rr.cumulativeLost).toBeLessThanOrEqual(rtp.cumulativeLost);
    expect(rtp.cumulativeLost - rr.cumulativeLost).toBeLessThanOrEqual(lastTwo);
    expect(Math.abs(rr.jitterMs - rtp.jitterMeanMs)).toBeLessThanOrEqual(JITTER_TOLERANCE_MS);
  }
}

describe.skipIf(SKIP !== null)('--wire rtp on loopback: tshark reads the same streams', () => {
  it.each([
    ['voice', ['--pattern', 'voice']],
    ['video', ['--pattern', 'video']],
    // 80,000 packets each way: the 16-bit RTP sequence number wraps at least once whatever it starts at (RFC 3550 A.1).
    ['cbr flood across the 16-bit wrap', ['--rate', '20k', '--size', '100', '--rcvbuf', '4m']],
  ])('%s', async (name, extra) => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const port = randomInt(20_000, 32_000);
      const dir = mkdtempSync(join(tmpdir(), 'udx-rtp-'));
      tempDirs.push(dir);
      let cap: Capture | undefined;
      try {
        cap = await startCapture(join(dir, 'rtp.pcapng'), `udp and (port ${port} or port ${port + 1})`);
        await waitCapturing([cap], port);
        const args = ['duplex', '--port', String(port), '--duration', extra.includes('20k') ? '4' : '3', '--wire', 'rtp', ...extra, '--json', '--no-save', '--no-progress'];
        const run = await runCli(args, { timeoutMs: 60_000 });
        await new Promise((r) => setTimeout(r, 300));
        const stats = await stopCapture(cap);
        if (run.code !== 0 && /already in use/.test(run.stderr)) continue;
        expect(run.code, `bench ${args.join(' ')}\n${run.stderr}`).toBe(0);
        expect(stats.dropped).toBe(0);
        const result = JSON.parse(run.stdout);
        compare(result, cap.file, [port, port + 1], `loopback ${name}`);
        if (name.startsWith('cbr')) for (const d of result.directions) expect(d.rtp.expected).toBeGreaterThan(65_536);
        return;
      } finally {
        killCapture(cap);
      }
    }
    throw new Error('no free pair of ports found in 5 attempts');
  });
});

// Two hosts: the loss must happen before the capture point. nftables' netdev egress hook on A's veth drops before the
// interface's packet taps (so a capture on B sees exactly what B's socket gets); the sender's sendmsg still succeeds.
const SCRIPT = fileURLToPath(new URL('../scripts/netns.sh', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const env = { ...process.env, NETNS_PREFIX: `udprtp${process.pid % 10000}`, NETNS_IPV6: '0' };

function netnsSkipReason(): string | null {
  if (SKIP !== null) return SKIP;
  try {
    const out = execFileSync('bash', [SCRIPT, 'up'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const kv = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string]));
    // The loss is injected on A's egress (netdev hook, kernel 5.16+): without it, no exact comparison is possible here.
    try {
      execFileSync('ip', ['netns', 'exec', kv.NS_A ?? '', 'nft', '-f', '-'], { input: `table netdev udprtpprobe {\n  chain egress {\n    type filter hook egress device "${kv.IF_A ?? ''}" priority 0;\n  }\n}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer };
      return `nftables netdev egress hook unavailable: ${(e.stderr?.toString() ?? String(err)).split('\n')[0]}`;
    }
    return null;
  } catch (err) {
    const e = err as { stderr?: Buffer };
    return `network namespaces unavailable: ${(e.stderr?.toString() ?? String(err)).split('\n')[0]}`;
  } finally {
    try {
      execFileSync('bash', [SCRIPT, 'down'], { env, stdio: 'ignore' });
    } catch {
      // nothing to remove
    }
  }
}
const NETNS_SKIP = netnsSkipReason();
if (NETNS_SKIP !== null && SKIP === null) console.log(`rtp capture tests across namespaces: skipped: ${NETNS_SKIP}`);

describe.skipIf(NETNS_SKIP !== null)('--wire rtp across two namespaces with 3 % random loss A→B: tshark counts what we count', () => {
  let hosts: Record<string, string> = {};
  beforeAll(() => {
    const out = execFileSync('bash', [SCRIPT, 'up'], { env, encoding: 'utf8' });
    hosts = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string]));
  });
  afterAll(() => {
    execFileSync('bash', [SCRIPT, 'down'], { env, stdio: 'ignore' });
  });

  it.each([
    ['voice', ['--pattern', 'voice', '--duration', '4']],
    ['video', ['--pattern', 'video', '--duration', '3']],
  ])('%s', async (name, extra) => {
    const nsA = hosts.NS_A as string;
    const nsB = hosts.NS_B as string;
    const ifA = hosts.IF_A as string;
    const ifB = hosts.IF_B as string;
    const addrB = (hosts.ADDR_B ?? '').split('/')[0] as string;
    // Only RTP data (first two payload bits = version 2) from A to the listener's port: control frames all get through.
    const rules = `table netdev udprtp {\n  chain egress {\n    type filter hook egress device "${ifA}" priority 0;\n    udp dport 5301 @th,64,2 2 numgen random mod 100 < 3 counter drop\n  }\n}\n`;
    execFileSync('ip', ['netns', 'exec', nsA, 'nft', '-f', '-'], { input: rules });
    const dir = mkdtempSync(join(tmpdir(), 'udx-rtp-ns-'));
    tempDirs.push(dir);
    const file = join(dir, 'b.pcapng');
    const cap = spawn('ip', ['netns', 'exec', nsB, 'dumpcap', '-i', ifB, '-s', '96', '-f', 'udp port 5301', '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let capErr = '';
    cap.stderr.on('data', (d: Buffer) => (capErr += d.toString()));
    try {
      await waitFor(() => /File: /.test(capErr), 10_000, () => `dumpcap in ${nsB} did not start: ${capErr}`);
      const server = run(['netns', 'exec', nsB, process.execPath, CLI, 'listen', '--host', addrB, '--port', '5301', '--once', '--json', '--no-save', '--threads', 'single'], 90_000);
      await new Promise((r) => setTimeout(r, 800));
      const client = await run(['netns', 'exec', nsA, process.execPath, CLI, 'duplex', '--peer', `${addrB}:5301`, '--wire', 'rtp', ...extra, '--json', '--no-save', '--threads', 'single'], 90_000);
      const srv = await server;
      expect(client.code, client.stderr).toBe(0);
      expect(srv.code, srv.stderr).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      cap.kill('SIGINT');
      await new Promise((r) => cap.on('close', r));
      const result = JSON.parse(client.stdout);
      const dropped = Number(/packets (\d+)/.exec(execFileSync('ip', ['netns', 'exec', nsA, 'nft', 'list', 'table', 'netdev', 'udprtp'], { encoding: 'utf8' }))?.[1]);
      const ab = direction(result, 'A');
      console.log(`${name}: nftables dropped ${dropped} RTP datagrams A→B (warm-up included); A→B lost ${ab.lost} of ${ab.sent}`);
      expect(dropped).toBeGreaterThan(0);
      // The measured stream lost some, and the loss shape saw it.
      expect(ab.lost).toBeGreaterThan(0);
      expect(ab.lossShape?.burstR).not.toBeNull();
      compare(result, file, [5301], `netns ${name} (3 % A→B)`);
    } finally {
      if (cap.exitCode === null) cap.kill('SIGKILL');
      try {
        execFileSync('ip', ['netns', 'exec', nsA, 'nft', 'delete', 'table', 'netdev', 'udprtp'], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  });
});

function run(args: string[], timeoutMs: number): Promise<BoundedRun> {
  return runBounded('ip', args, { env, timeoutMs });
}

async function waitFor(ok: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}
