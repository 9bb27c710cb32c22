/**
 * Two test hosts in network namespaces (scripts/netns.sh): `bench listen` on
 * host B, `bench duplex --peer` on host A, across a veth pair, with loss
 * injected by nftables. Needs root, iproute2 and nftables; run with
 * `npm run test:netns` (`.ci/run` runs it only where it can).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runBounded } from '../test/bounded-run.js';

const SCRIPT = fileURLToPath(new URL('../scripts/netns.sh', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const env = { ...process.env, NETNS_PREFIX: `udplab${process.pid % 10000}`, NETNS_IPV6: '0' };
let hosts: Record<string, string> = {};

function netns(...args: string[]): string {
  return execFileSync('bash', [SCRIPT, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Loss that hits only the tool's measured data datagrams, so the firewall's counter is the exact loss. */
function dataLoss(dir: 'a2b' | 'b2a' | 'both', percent: string, ports?: string): void {
  execFileSync('bash', [SCRIPT, 'loss', dir, percent, ...(ports === undefined ? [] : [ports])], { env: { ...env, NETNS_LOSS_MATCH: 'data' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Datagrams the nftables loss rules dropped in each host's input (an independent count of network loss). */
function drops(): { a: number; b: number } {
  const kv = Object.fromEntries(netns('drops').trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { a: Number(kv.DROPS_A), b: Number(kv.DROPS_B) };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function inHost(host: 'a' | 'b', args: string[], timeoutMs: number): Promise<Run> {
  return runBounded('bash', [SCRIPT, 'exec', host, process.execPath, CLI, ...args], { env, timeoutMs });
}

/** A listener on B that serves until it is sent SIGINT; resolves with its run when it ends. */
function listener(args: string[]): { done: Promise<Run>; stop: () => void } {
  const addrB = (hosts.ADDR_B ?? '').split('/')[0] ?? '';
  const child = spawn('bash', [SCRIPT, 'exec', 'b', process.execPath, CLI, 'listen', '--host', addrB, '--port', '5301', '--no-save', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
  return { done, stop: () => child.kill('SIGINT') };
}

/** One session: listener on B (--once), client on A; both results parsed. */
async function session(clientArgs: string[]): Promise<{ client: any; server: any; clientRun: Run; serverRun: Run }> {
  const addrB = (hosts.ADDR_B ?? '').split('/')[0] ?? '';
  const server = inHost('b', ['listen', '--host', addrB, '--port', '5301', '--once', '--json', '--no-save', '--threads', 'single'], 90_000);
  await new Promise((r) => setTimeout(r, 800)); // let the listener bind
  const clientRun = await inHost('a', ['duplex', '--peer', `${addrB}:5301`, '--json', '--no-save', '--threads', 'single', ...clientArgs], 90_000);
  const serverRun = await server;
  return { client: JSON.parse(clientRun.stdout), server: JSON.parse(serverRun.stdout), clientRun, serverRun };
}

function dir(result: any, from: 'A' | 'B'): any {
  return result.directions.find((d: { from: string }) => d.from === from);
}

describe('two hosts in network namespaces', () => {
  beforeAll(() => {
    const out = netns('up');
    hosts = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => l.split('=') as [string, string]));
  });
  afterAll(() => {
    netns('down');
  });

  it('a clean run: traffic both ways, loss checked by sequence numbers, the same table on both sides', async () => {
    netns('clear');
    const { client, server } = await session(['--duration', '3', '--rate', '5k']);
    for (const r of [client, server]) {
      expect(r.complete).toBe(true);
      expect(r.mode).toBe('remote');
      for (const d of r.directions) {
        expect(d.received).toBeGreaterThan(0);
        expect(d.check.lostBySequence).toBe(d.lost);
        expect(d.check.agree).toBe(true);
      }
    }
    expect(server.directions).toEqual(client.directions);
  });

  it('one-way delay across the namespaces: they share the machine\'s clock, so the true offset is 0 and the estimate must be within its own bound of it', async () => {
    netns('clear');
    // Both processes also measure with the shared clock (the truth here) beside the estimate.
    env.BENCH_TEST_SHARED_CLOCK = '1';
    let run: Awaited<ReturnType<typeof session>>;
    try {
      run = await session(['--duration', '3', '--rate', '2k']);
    } finally {
      delete env.BENCH_TEST_SHARED_CLOCK;
    }
    const { client, server } = run;
    for (const d of client.directions) {
      expect(d.latencyUs.method).toBe('estimated-offset');
      expect(d.latencyUs.p50).not.toBeNull();
      expect(Math.abs(d.latencyUs.offsetUs)).toBeLessThanOrEqual(d.latencyUs.boundUs);
      // The estimated one-way delays match the shared clock's within their bound (+1 µs of rounding).
      expect(d.sharedClockCheckUs).toBeDefined();
      expect(Math.abs(d.latencyUs.p50 - d.sharedClockCheckUs.p50)).toBeLessThanOrEqual(d.latencyUs.boundUs + 1);
      expect(Math.abs(d.latencyUs.p99 - d.sharedClockCheckUs.p99)).toBeLessThanOrEqual(d.latencyUs.boundUs + 1);
      // A one-way delay cannot be below 0 by more than the bound.
      expect(d.latencyUs.p50).toBeGreaterThanOrEqual(-d.latencyUs.boundUs);
      expect(d.queueingDelayUs).not.toBeNull();
    }
    // Both sides compute the same estimate from the client's probes.
    expect(server.directions.map((d: any) => d.latencyUs)).toEqual(client.directions.map((d: any) => d.latencyUs));
  });

  it('tbf on A→B only: the shaped direction queues under load, the other does not', async () => {
    netns('clear');
    netns('shape', 'a2b', '4mbit');
    try {
      // 600 datagrams/s of 1,000 B = 4.8 Mbit/s into a 4 Mbit/s shaper: its queue fills.
      const { client } = await session(['--duration', '3', '--rate', '600', '--size', '1000']);
      const ab = dir(client, 'A');
      const ba = dir(client, 'B');
      expect(ab.queueingDelayUs.p50).toBeGreaterThan(5_000);
      expect(ab.queueingDelayUs.p50).toBeGreaterThan(10 * Math.max(ba.queueingDelayUs.p50, 100));
      expect(ab.latencyUs.p50).toBeGreaterThan(ba.latencyUs.p50 + 5_000);
    } finally {
      netns('shape', 'a2b', 'off');
    }
  });

  it('10 % loss on A→B only: A→B reports exactly what the firewall dropped, B→A nothing', async () => {
    netns('clear');
    dataLoss('a2b', '10');
    const { client } = await session(['--duration', '4', '--rate', '5k']);
    const dropped = drops();
    netns('clear');
    expect(client.complete).toBe(true);
    const ab = dir(client, 'A');
    const ba = dir(client, 'B');
    console.log(`netns 10 % a2b: A→B ${ab.lossPercent.toFixed(2)} % (${ab.lost}/${ab.sent}), B→A ${ba.lossPercent.toFixed(2)} %`);
    expect(Math.abs(ab.lossPercent - 10)).toBeLessThanOrEqual(1.5);
    // B→A had no loss rule: whatever it lost (a busy machine can overflow a receive buffer) is the receiving socket's, none the network's.
    expect(ba.lossAttribution.network).toBe(0);
    // Dropped by the firewall between the sockets: attributed to the network, not the kernel buffer.
    expect(ab.lossAttribution.network).toBeGreaterThan(ab.lossAttribution.kernel);
    // The firewall in host B counted every datagram it dropped: that count, the sequence numbers and sent − received agree.
    expect(dropped.b).toBeGreaterThan(0);
    expect(ab.lost).toBe(dropped.b);
    expect(ab.check.lostBySequence).toBe(dropped.b);
    expect(dropped.a).toBe(0);
    expect(ba.lost - ba.lossAttribution.kernel).toBe(dropped.a);
    for (const d of client.directions) expect(d.check.agree).toBe(true);
  });

  it('30 % loss both ways: the control exchange completes and the results arrive', async () => {
    netns('clear');
    netns('loss', 'both', '30');
    const { client, server } = await session(['--duration', '2', '--rate', '2k']);
    netns('clear');
    console.log(`netns 30 % both: A→B ${dir(client, 'A').lossPercent.toFixed(2)} %, B→A ${dir(client, 'B').lossPercent.toFixed(2)} %`);
    expect(client.complete).toBe(true);
    expect(server.complete).toBe(true);
    expect(server.directions).toEqual(client.directions);
    for (const d of client.directions) {
      // Control frames and end markers are dropped too here (5 copies each): the sequence check needs one marker.
      if (d.endMarkerSeen) expect(d.check.lostBySequence).toBe(d.lost);
      expect(Math.abs(d.lossPercent - 30)).toBeLessThanOrEqual(3);
    }
  });

  it('behind a NAT (source port rewritten on the way): the client shows where the listener saw it, as STUN would', async (ctx) => {
    netns('clear');
    try {
      netns('nat', '45000-45010');
    } catch (err) {
      const e = err as { status?: number; stderr?: string };
      // Exit 3: this kernel has no nftables NAT; say so and skip rather than fail.
      if (e.status === 3) {
        console.log(`NAT test skipped: ${String(e.stderr ?? '').trim()}`);
        ctx.skip();
      }
      throw err;
    }
    try {
      const { client, server } = await session(['--duration', '1', '--rate', '2k', '--port', '41000']);
      // Both results say where the listener saw the client.
      for (const r of [client, server]) {
        expect(r.complete).toBe(true);
        const a = r.endpoints.find((e: { id: string }) => e.id === 'A');
        expect(a.address).toBe((hosts.ADDR_A ?? '').split('/')[0]);
        expect(a.port).toBe(41000);
        // The listener saw the NAT's port, not the client's own.
        expect(a.observedAs).toMatch(/^198\.18\.0\.1:450(0\d|10)$/);
        for (const d of r.directions) expect(d.check.agree, d.check.note ?? '').toBe(true);
      }
    } finally {
      netns('nat', 'off');
    }
  });

  it('two client processes with --clients 4 each against one listener at once, 10 % loss on one client\'s traffic only: that client shows it, its three siblings and the other process\'s four do not', async () => {
    netns('clear');
    // Loss on B→A datagrams to one client's port only, 41001 of the first process's 41000–41003 (measured data only: the firewall's counter is then the exact network loss).
    dataLoss('b2a', '10', '41001');
    const l = listener(['--max-clients', '8', '--threads', 'single', '--json']);
    try {
      await new Promise((r) => setTimeout(r, 800));
      const addrB = (hosts.ADDR_B ?? '').split('/')[0] ?? '';
      const common = ['duplex', '--peer', `${addrB}:5301`, '--clients', '4', '--json', '--no-save', '--threads', 'single', '--duration', '3', '--rate', '2k'];
      const [lossy, clean] = await Promise.all([inHost('a', [...common, '--port', '41000'], 90_000), inHost('a', [...common, '--port', '42000'], 90_000)]);
      const dropped = drops();
      expect(lossy.code, lossy.stderr).toBe(0);
      expect(clean.code, clean.stderr).toBe(0);
      const rl = JSON.parse(lossy.stdout);
      const rc = JSON.parse(clean.stdout);
      for (const r of [rl, rc]) {
        expect(r.complete).toBe(true);
        expect(r.peers).toHaveLength(4);
      }
      let networkLost = 0;
      expect(rl.peers.map((p: { port: number }) => p.port).sort()).toEqual([41000, 41001, 41002, 41003]);
      for (const p of rl.peers) {
        const down = p.directions.find((d: { from: string }) => d.from === 'B');
        const up = p.directions.find((d: { from: string }) => d.from === 'A');
        console.log(`first process, client port ${p.port}: B→A ${down.lossPercent.toFixed(2)} % (${down.lost}/${down.sent}), A→B ${up.lossPercent.toFixed(2)} %`);
        expect(up.lossAttribution.network).toBe(0);
        if (p.port === 41001) expect(Math.abs(down.lossPercent - 10)).toBeLessThanOrEqual(3);
        else expect(down.lossAttribution.network, `sibling client ${p.port} B→A`).toBe(0);
        networkLost += down.lost - down.lossAttribution.kernel;
      }
      for (const p of rc.peers) {
        for (const d of p.directions) expect(d.lossAttribution.network, `clean client ${p.port} ${d.from}→${d.to}`).toBe(0);
      }
      // The firewall in host A counted every datagram it dropped: exactly the lossy process's network loss.
      expect(dropped.a).toBeGreaterThan(0);
      expect(networkLost).toBe(dropped.a);
      expect(dropped.b).toBe(0);
    } finally {
      l.stop();
      await l.done;
      netns('clear');
    }
  });

  it('100 % loss both ways after the start: the partial result shows n/a (null) for what this side did not observe', async () => {
    netns('clear');
    // Cut the path once traffic flows; the peer timeout ends both sides with partial results.
    const cut = setTimeout(() => netns('loss', 'both', '100'), 2500);
    const { client } = await session(['--duration', '20', '--rate', '2k', '--peer-timeout', '2']);
    clearTimeout(cut);
    netns('clear');
    expect(client.complete).toBe(false);
    const ab = dir(client, 'A');
    const ba = dir(client, 'B');
    // A→B: the client sent; what the listener received never came back.
    expect(ab.sent).toBeGreaterThan(0);
    expect(ab.received).toBeNull();
    expect(ab.lost).toBeNull();
    expect(ab.lossPercent).toBeNull();
    // B→A: the client received some, but neither the listener's count nor an end marker arrived: sent is unknown, not a copy of received.
    expect(ba.received).toBeGreaterThan(0);
    expect(ba.sent).toBeNull();
    expect(ba.lost).toBeNull();
    expect(ba.check.lostBySequence).toBeNull();
  });
  it('loss shape (RFC 3611, Gmin 16): 5 % dropped as runs of 5 in a row reads as bursts, 5 % at random does not', async () => {
    netns('clear');
    const runs: Record<string, any> = {};
    for (const pattern of ['random', 'burst'] as const) {
      env.NETNS_LOSS_PATTERN = pattern;
      try {
        dataLoss('a2b', '5');
      } finally {
        delete env.NETNS_LOSS_PATTERN;
      }
      const { client } = await session(['--duration', '3', '--rate', '2k']);
      const dropped = drops();
      netns('clear');
      const ab = dir(client, 'A');
      // The firewall's own count is the loss, whatever its shape.
      expect(ab.lost).toBe(dropped.b);
      runs[pattern] = ab.lossShape;
      console.log(`netns 5 % ${pattern} a2b: lost ${ab.lost} of ${ab.sent}; ${JSON.stringify(ab.lossShape)}`);
    }
    const random = runs.random;
    const burst = runs.burst;
    // Five in a row of every hundred: each burst is 5 lost datagrams and nothing else (density 1), the gaps lose none.
    expect(burst.burstDensity).toBeGreaterThan(0.9);
    expect(burst.gapDensity).toBeLessThan(0.01);
    expect(burst.burstDensity).toBeGreaterThan(random.burstDensity);
    // G.113 burst ratio: about 1 for random loss, far above for runs of 5 (1 / (p + q) with q = 1/5: about 4.8).
    expect(random.burstR).toBeGreaterThan(0.7);
    expect(random.burstR).toBeLessThan(1.4);
    expect(burst.burstR).toBeGreaterThan(3.5);
  });

  it('jitter buffer: with A→B queueing behind a shaper, late discard falls as the playout delay grows, and none is late above the largest one-way delay', async () => {
    netns('clear');
    netns('shape', 'a2b', '4mbit');
    try {
      // 600 datagrams/s of 1,000 B = 4.8 Mbit/s into a 4 Mbit/s shaper: the queue grows over the run.
      const { client } = await session(['--duration', '3', '--rate', '600', '--size', '1000', '--playout', '5,20,50,100,200,400,2000']);
      const ab = dir(client, 'A');
      const rows = ab.playout.rows;
      console.log(`netns tbf a2b: base ${ab.playout.baseDelayMs.toFixed(2)} ms, max one-way ${(ab.latencyUs.max / 1000).toFixed(1)} ms; late % ${rows.map((r: any) => `${r.playoutMs}:${r.latePercent.toFixed(2)}`).join(' ')}; needed ${ab.playout.neededMs} ms`);
      for (let i = 1; i < rows.length; i++) expect(rows[i].latePercent).toBeLessThanOrEqual(rows[i - 1].latePercent);
      expect(rows[0].latePercent).toBeGreaterThan(10);
      // Above the largest one-way delay (less the base, plus its bound) nothing is late.
      const aboveMaxMs = (ab.latencyUs.max + (ab.latencyUs.boundUs ?? 0)) / 1000 - ab.playout.baseDelayMs;
      for (const r of rows) if (r.playoutMs > aboveMaxMs) expect(r.lateDatagrams).toBe(0);
      expect(rows[rows.length - 1].playoutMs).toBeGreaterThan(aboveMaxMs);
    } finally {
      netns('shape', 'a2b', 'off');
    }
  });
  it('a send without a callback hides its error (why each send keeps one): sendmsg refused by an output-hook drop (EPERM) reaches no callback and no error event', async () => {
    netns('clear');
    const nsA = hosts.NS_A as string;
    const addrB = (hosts.ADDR_B ?? '').split('/')[0] ?? '';
    // 3 of every 10 datagrams to port 40000 refused in A's own output hook: sendmsg fails with EPERM (../shared notes).
    execFileSync('ip', ['netns', 'exec', nsA, 'nft', '-f', '-'], { input: 'table inet udpnocb {\n chain out {\n  type filter hook output priority 0;\n  udp dport 40000 numgen inc mod 10 < 3 counter drop\n }\n}\n' });
    try {
      const probe = `
        const s = require('node:dgram').createSocket('udp4');
        let errorEvents = 0, ok = 0, failed = 0;
        s.on('error', () => errorEvents++);
        const b = Buffer.alloc(100);
        s.connect(40000, '${addrB}', () => {
          for (let i = 0; i < 1000; i++) s.send(b);
          for (let i = 0; i < 1000; i++) s.send(b, (e) => (e ? failed++ : ok++));
          setTimeout(() => { console.log(JSON.stringify({ errorEvents, ok, failed })); s.close(); }, 500);
        });`;
      const run = await runBounded('ip', ['netns', 'exec', nsA, process.execPath, '-e', probe], { env, timeoutMs: 20_000 });
      const r = JSON.parse(run.stdout);
      const refused = Number(/packets (\d+)/.exec(execFileSync('ip', ['netns', 'exec', nsA, 'nft', 'list', 'table', 'inet', 'udpnocb'], { encoding: 'utf8' }))?.[1]);
      console.log(`node ${process.version}: 2,000 sends, the firewall refused ${refused}; with callbacks ${r.failed} failed and ${r.ok} succeeded; without, ${r.errorEvents} error events`);
      // The firewall refused 600 (3 in 10 of both loops); the callbacks saw their 300, the callback-less loop's 300 vanished.
      expect(refused).toBe(600);
      expect(r.failed).toBe(300);
      expect(r.ok).toBe(700);
      expect(r.errorEvents).toBe(0);
    } finally {
      execFileSync('ip', ['netns', 'exec', nsA, 'nft', 'delete', 'table', 'inet', 'udpnocb'], { stdio: 'ignore' });
    }
  });
});
