#!/usr/bin/env node
/**
 * The plainest paced node:dgram duplex loop, as a reference contender for
 * `npm run bench:perf`: what Node's dgram itself sustains with nothing of this
 * tool around it. One trial per invocation; prints one JSON line on stdout.
 *
 *   node scripts/perf-plain-dgram.mjs --size 64 --rate-ab 50000 --rate-ba 50000 \
 *        --seconds 2 --omit 1 --buf 4194304        (a rate of `max`: unpaced)
 *
 * Layout: this process (the coordinator) forks two endpoint processes, A and
 * B, one event loop each (like iperf3's client and server). Each endpoint
 * binds ONE connected UDP socket on 127.0.0.1 and both sends and receives on
 * it: a token bucket on monotonic time, at most 16 `send()` calls per
 * `setImmediate` turn, no send callback, no per-datagram accounting beyond
 * two counters. Only 127.0.0.1 is ever used; every loop ends by time and by
 * a datagram cap; the coordinator kills the endpoints at a hard deadline.
 *
 * What counts as sent. Without a callback, Node drops send errors silently,
 * so the loop cannot tell which `send()` calls its kernel accepted. The
 * kernel can: on loopback, every datagram the sender's kernel accepted is
 * either queued to the peer's (connected) socket and read, or counted once in
 * that socket's `drops` (/proc/net/udp). So the kernel-accepted count of
 * A→B's measured phase is B's received measured datagrams + the drops of B's
 * socket over A's measured phase, read by A itself at the phase edges (A is
 * the only source B's connected socket accepts). `issued` (send() calls) is
 * reported beside it; issued − sent is what the kernel refused, unseen by the
 * loop. Warm-up and measured datagrams carry a marker byte, so the receiver
 * counts only the measured ones whenever they arrive.
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
/** Sends per setImmediate turn: the loop described in /work/shared/notes (batch 16 did not starve the receive side). */
const BATCH = 16;
/** Pause between warm-up and measured phase, ms: lets the loopback backlog settle before the drop counter is read. */
const EDGE_PAUSE_MS = 20;
/** Wait after the last send for datagrams still queued, ms. */
const DRAIN_MS = 500;
/** Hard cap on datagrams per endpoint per run, whatever the rate and time. */
const MAX_DATAGRAMS = 50_000_000;
const MARK_WARMUP = 0;
const MARK_MEASURED = 1;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key?.startsWith('--') || value === undefined) throw new Error(`bad argument list near ${JSON.stringify(key)}`);
    args[key.slice(2)] = value;
  }
  const num = (name, min, max) => {
    const v = Number(args[name]);
    if (!(Number.isFinite(v) && v >= min && v <= max)) throw new Error(`--${name} must be within ${min}..${max}, got ${JSON.stringify(args[name])}`);
    return v;
  };
  const rate = (name) => (args[name] === 'max' ? Infinity : num(name, 0, 10_000_000));
  return {
    size: Math.round(num('size', 1, 65507)),
    rateAb: rate('rate-ab'),
    rateBa: rate('rate-ba'),
    seconds: num('seconds', 0.1, 600),
    omit: num('omit', 0, 60),
    buf: Math.round(num('buf', 4096, 1 << 30)),
  };
}

/** The `drops` column of the socket bound to 127.0.0.1:`port` in /proc/net/udp, or `null`. */
function socketDrops(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let text;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local) {
      const drops = Number(f[f.length - 1]);
      return Number.isFinite(drops) ? drops : null;
    }
  }
  return null;
}

const nowMs = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------
// Endpoint process

async function endpoint() {
  const send = (msg) => process.send?.(msg);
  const socket = dgram.createSocket({ type: 'udp4' });
  const received = [0, 0];
  // ECONNREFUSED before the peer is up, and the like: counted, never fatal.
  let socketErrors = 0;
  socket.on('error', () => {
    socketErrors += 1;
  });
  socket.on('message', (msg) => {
    received[msg[0] === MARK_MEASURED ? 1 : 0] += 1;
  });
  let cfg = null;
  let peerPort = 0;
  process.on('message', async (m) => {
    if (m.type === 'config') {
      // IPC carries JSON: an unpaced rate travels as 'max'.
      cfg = { ...m, rate: m.rate === 'max' ? Infinity : m.rate };
      socket.bind(0, HOST, () => {
        socket.setRecvBufferSize(cfg.buf);
        socket.setSendBufferSize(cfg.buf);
        send({ type: 'bound', port: socket.address().port });
      });
    } else if (m.type === 'peer') {
      peerPort = m.port;
      socket.connect(peerPort, HOST, () => send({ type: 'connected' }));
    } else if (m.type === 'go') {
      const result = await run(socket, cfg, peerPort, m.startAtMs, received);
      send({ type: 'result', ...result, socketErrors });
    } else if (m.type === 'close') {
      socket.close(() => process.exit(0));
    }
  });
  send({ type: 'ready' });
}

/** Sends `rate` datagrams/s for `seconds` (Infinity: unpaced), at most BATCH per setImmediate turn. */
function pacedPhase(socket, buf, rate, seconds) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const endMs = t0 + seconds * 1000;
    // Credit is capped at 10 ms worth, so a stall never turns into a huge burst.
    const maxCredit = Math.max(BATCH, rate * 0.01);
    let base = t0;
    let issuedSinceBase = 0;
    let issued = 0;
    const turn = () => {
      const now = performance.now();
      if (now >= endMs || issued >= MAX_DATAGRAMS) {
        resolve({ issued, seconds: (Math.min(now, endMs) - t0) / 1000 });
        return;
      }
      let n = BATCH;
      if (rate !== Infinity) {
        let due = Math.floor(((now - base) / 1000) * rate) - issuedSinceBase;
        if (due > maxCredit) {
          base = now - (maxCredit / rate) * 1000;
          issuedSinceBase = 0;
          due = Math.floor(maxCredit);
        }
        n = Math.min(BATCH, due);
      }
      for (let i = 0; i < n; i++) socket.send(buf);
      issued += n;
      issuedSinceBase += n;
      setImmediate(turn);
    };
    if (rate === 0) setTimeout(() => resolve({ issued: 0, seconds }), seconds * 1000);
    else setImmediate(turn);
  });
}

async function run(socket, cfg, peerPort, startAtMs, received) {
  const warm = Buffer.alloc(cfg.size, MARK_WARMUP);
  const measured = Buffer.alloc(cfg.size, MARK_MEASURED);
  await new Promise((r) => setTimeout(r, Math.max(0, startAtMs - nowMs())));
  const warmup = cfg.omit > 0 ? await pacedPhase(socket, warm, cfg.rate, cfg.omit) : { issued: 0 };
  await new Promise((r) => setTimeout(r, EDGE_PAUSE_MS));
  const dropsBefore = socketDrops(peerPort);
  const phase = await pacedPhase(socket, measured, cfg.rate, cfg.seconds);
  // Everything this endpoint sent is queued or dropped at the peer once the drain is over.
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  const dropsAfter = socketDrops(peerPort);
  const sendQueue = socket.getSendQueueCount();
  return {
    issuedWarmup: warmup.issued,
    issued: phase.issued,
    seconds: phase.seconds,
    peerDrops: dropsBefore === null || dropsAfter === null ? null : dropsAfter - dropsBefore,
    // The peer's datagrams this endpoint read (its own receive side), measured-marked only.
    receivedMeasured: received[1],
    receivedWarmup: received[0],
    sendQueueAtEnd: sendQueue,
  };
}

// ---------------------------------------------------------------------------
// Coordinator

function waitFor(child, type) {
  return new Promise((resolve, reject) => {
    const onMsg = (m) => {
      if (m?.type === type) {
        child.off('message', onMsg);
        child.off('exit', onExit);
        resolve(m);
      }
    };
    const onExit = (code, signal) => reject(new Error(`endpoint exited (${signal ?? code}) while waiting for ${type}`));
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

async function coordinator(opts) {
  const script = fileURLToPath(import.meta.url);
  const a = fork(script, ['endpoint'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const b = fork(script, ['endpoint'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const deadlineMs = (opts.omit + opts.seconds) * 1000 + DRAIN_MS + 15_000;
  const killer = setTimeout(() => {
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    process.stdout.write(`${JSON.stringify({ ok: false, reason: `timeout after ${deadlineMs} ms` })}\n`);
    process.exit(1);
  }, deadlineMs);
  try {
    await Promise.all([waitFor(a, 'ready'), waitFor(b, 'ready')]);
    const bound = Promise.all([waitFor(a, 'bound'), waitFor(b, 'bound')]);
    a.send({ type: 'config', size: opts.size, rate: opts.rateAb === Infinity ? 'max' : opts.rateAb, buf: opts.buf, omit: opts.omit, seconds: opts.seconds });
    b.send({ type: 'config', size: opts.size, rate: opts.rateBa === Infinity ? 'max' : opts.rateBa, buf: opts.buf, omit: opts.omit, seconds: opts.seconds });
    const [pa, pb] = await bound;
    const connected = Promise.all([waitFor(a, 'connected'), waitFor(b, 'connected')]);
    a.send({ type: 'peer', port: pb.port });
    b.send({ type: 'peer', port: pa.port });
    await connected;
    // A shared start 100 ms ahead: both endpoints are connected before either sends.
    const startAtMs = nowMs() + 100;
    const results = Promise.all([waitFor(a, 'result'), waitFor(b, 'result')]);
    a.send({ type: 'go', startAtMs });
    b.send({ type: 'go', startAtMs });
    const [ra, rb] = await results;
    a.send({ type: 'close' });
    b.send({ type: 'close' });
    const direction = (from, to, offered, rs, rr) => {
      // Kernel-accepted = read by the receiver + dropped at the receiver's socket (see the header).
      const sent = rs.peerDrops === null ? null : rr.receivedMeasured + rs.peerDrops;
      const lost = rs.peerDrops;
      return {
        from,
        to,
        offeredPps: offered === Infinity ? null : offered,
        issued: rs.issued,
        sent,
        received: rr.receivedMeasured,
        lost,
        durationSeconds: rs.seconds,
        sentPps: sent === null || !(rs.seconds > 0) ? null : sent / rs.seconds,
        lossPercent: sent === null || sent === 0 ? null : (100 * lost) / sent,
        sendQueueAtEnd: rs.sendQueueAtEnd,
        socketErrors: rs.socketErrors,
      };
    };
    const out = {
      ok: true,
      node: process.version,
      sizeBytes: opts.size,
      batch: BATCH,
      ab: direction('A', 'B', opts.rateAb, ra, rb),
      ba: direction('B', 'A', opts.rateBa, rb, ra),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, reason: String(err?.message ?? err) })}\n`);
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    process.exitCode = 1;
  } finally {
    clearTimeout(killer);
  }
}

if (process.argv[2] === 'endpoint') {
  await endpoint();
} else {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`perf-plain-dgram: ${err.message}\n`);
    process.exit(2);
  }
  await coordinator(opts);
}
