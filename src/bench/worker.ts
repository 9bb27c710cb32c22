/**
 * Data-plane worker thread. One per endpoint in single mode (`endpoint`: one
 * socket sending and receiving on one event loop), two per endpoint in split
 * mode (`sender` and `receiver`, each with its own socket bound to the
 * endpoint's one port). Talks to the controller only through the messages in
 * `messages.ts`, and returns a partial result that `merge.ts` combines.
 *
 * Timers, as in iperf3: the sender's pacing timer, a sampling timer (one tick
 * per second), and the controller's own test-end and drain timers.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type dgram from 'node:dgram';
import { createMonotonicClock } from '../udp/clock.js';
import { createEchoState } from '../udp/echo.js';
import { Receiver } from '../udp/receiver.js';
import { Sender } from '../udp/sender.js';
import { nthStream } from '../udp/pattern.js';
import { bindSocket, closeSocket, connectSocket } from '../udp/socket.js';
import { CONTROL_KIND_MIN, Decode, createHeader, decodeHeader } from '../udp/wire.js';
import { startCpuMeter } from '../udp/cpu.js';
import { readPortDrops } from '../udp/kernel.js';
import { PeerDemux } from '../udp/demux.js';
import { BenchError } from '../errors.js';
import type { FromWorker, ToWorker, WorkerInit, WorkerPartial } from './messages.js';
import { receiverPartialOf, senderPartialOf, type PeerUnit } from './worker-partials.js';

const init = workerData as WorkerInit;
if (parentPort === null) throw new Error('worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const post = (m: FromWorker): void => port.postMessage(m);

const clock = createMonotonicClock();
const sends = init.role !== 'receiver';
const receives = init.role !== 'sender';

let socket: dgram.Socket | null = null;
/** A group of client endpoints in one thread (`init.group` > 1): one socket per client, `socket` is the first. */
const groupSockets: dgram.Socket[] = [];
/** The unconnected socket beside a connected single-mode socket (see `WorkerInit.strangerSocket`), and what it received. */
let strangerSocket: dgram.Socket | null = null;
/**
 * What this worker's sockets saw that is no peer's datagram: from strangers
 * (on the unconnected socket beside a connected one), this session's data
 * that reached a sending-only socket (leaked), anything else there (foreign).
 */
const seen = { strangers: 0, leaked: 0, foreignAtSender: 0 };
const socketErrors: Record<string, number> = {};
/** The worker's timers: the per-second sampling, the peer-silence watch (remote mode), the stall schedule (`--stall`); all cleared at the finish. */
const timers: { sample: NodeJS.Timeout | null; silence: NodeJS.Timeout | null; stall: NodeJS.Timeout | null } = { sample: null, silence: null, stall: null };
let cpuMeter: ReturnType<typeof startCpuMeter> | null = null;
/** With many peers: the demultiplexer in front of the receivers. */
let demux: PeerDemux | null = null;

const units: PeerUnit[] = [];

/** The one peer's sender/receiver of a two-endpoint run (remote mode's silence watch and the warm-up base use them). */
const first = (): PeerUnit | undefined => units[0];

function fail(err: unknown): void {
  const e = err as BenchError & { option?: string | null };
  post({
    type: 'error',
    code: e instanceof BenchError ? e.code : ((err as NodeJS.ErrnoException).code ?? 'EWORKER'),
    message: e.message ?? String(err),
    option: e.option ?? null,
  });
}

async function setup(): Promise<void> {
  const bound = await bindSocket({
    family: init.family,
    address: init.bindAddress,
    port: init.bindPort,
    reuseAddr: init.reuseAddr,
    reusePort: init.reusePort === true,
    rcvbufBytes: init.rcvbufBytes,
    sndbufBytes: init.sndbufBytes,
  });
  socket = bound.socket;
  // Asynchronous socket errors (ICMP port unreachable on a connected socket,
  // …) are counted, never thrown.
  const countErrors = (err: NodeJS.ErrnoException): void => {
    const code = err.code ?? 'EUNKNOWN';
    socketErrors[code] = (socketErrors[code] ?? 0) + 1;
  };
  socket.on('error', countErrors);
  groupSockets.push(socket);
  if (init.relayControl) {
    // From the bind to the peers message this socket may be the port's last
    // bound unconnected socket, which the kernel hands every datagram no
    // connected socket claims: another client's hello, an abort. Relay the
    // control frames meanwhile instead of letting them vanish (onPeers takes over).
    const h = createHeader();
    untilPeers = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
      if (decodeHeader(msg, msg.length, null, h) === Decode.Ok && h.kind >= CONTROL_KIND_MIN) relay(msg, rinfo);
    };
    socket.on('message', untilPeers);
  }
  if (init.strangerSocket === true) {
    // Bound beside the main socket, which connects to the peer in onPeers:
    // from then on every datagram from another source lands here and is counted.
    const st = await bindSocket({ family: init.family, address: bound.address, port: bound.port, reuseAddr: true, rcvbufBytes: null, sndbufBytes: null });
    st.socket.on('error', countErrors);
    st.socket.on('message', () => {
      seen.strangers++;
    });
    strangerSocket = st.socket;
  }
  const more: { address: string; port: number; rcvbufEffective: number; sndbufEffective: number }[] = [];
  for (let i = 1; i < (init.group ?? 1); i++) {
    const b = await bindSocket({ family: init.family, address: init.bindAddress, port: 0, reuseAddr: false, rcvbufBytes: init.rcvbufBytes, sndbufBytes: init.sndbufBytes });
    b.socket.on('error', countErrors);
    groupSockets.push(b.socket);
    more.push({ address: b.address, port: b.port, rcvbufEffective: b.rcvbufEffective, sndbufEffective: b.sndbufEffective });
  }
  post({ type: 'bound', address: bound.address, port: bound.port, rcvbufEffective: bound.rcvbufEffective, sndbufEffective: bound.sndbufEffective, more });
}

/** The relay of control frames between the bind and the peers message (remote mode). */
let untilPeers: ((msg: Buffer, rinfo: dgram.RemoteInfo) => void) | null = null;

async function onPeers(given: readonly { address: string; port: number }[]): Promise<void> {
  if (socket === null) return;
  // A client group: every socket talks to the one peer (the server), each socket its own unit.
  const grouped = groupSockets.length > 1;
  const peers = grouped ? groupSockets.map(() => given[0] as { address: string; port: number }) : given;
  const many = peers.length > 1 && !grouped;
  const s = socket;
  const one = peers[0];
  // Linux prefers a connected socket for its peer's datagrams: a split
  // receiver gets all of them, the unconnected sender socket none. With many
  // peers the receiver stays unconnected and is bound last instead
  // (endpoint.ts), which makes it the socket the kernel delivers to. A
  // listener's single-mode socket connects too: other sessions' sockets share
  // the port, and the last bound unconnected one would take every client's data.
  const connects = !many && one !== undefined && (init.role === 'receiver' || (init.role === 'endpoint' && (init.connectPeer || init.strangerSocket === true)));
  if (connects) await connectSocket(s, one.address, one.port);
  // The handlers below take over from here, in this same turn: no datagram falls between them.
  if (untilPeers !== null) s.off('message', untilPeers);
  untilPeers = null;
  if (receives && many) {
    demux = new PeerDemux();
    s.on('message', demux.onMessage);
  }
  for (const [i, peer] of peers.entries()) {
    const echo = createEchoState(init.echoBuffer, i);
    const us = grouped ? (groupSockets[i] as dgram.Socket) : s;
    const unit: PeerUnit = { address: peer.address, port: peer.port, sender: null, receiver: null, peerDropsAtStart: null, intervalSent: [], intervalReceived: [], intervalExpected: [], intervalFrameDelayMaxUs: [], intervalDelayMeanUs: [], intervalDelayMaxUs: [] };
    if (receives) {
      const receiver = new Receiver({
        clock,
        session: init.session,
        direction: init.receiveDirection,
        // A connected socket is filtered by the kernel, the demultiplexer has matched the source already; an unconnected one-peer socket checks it itself.
        peer: connects || many ? null : { address: peer.address, port: peer.port },
        sharedClock: init.sharedClock,
        echo,
        // Tests of the clock estimate across namespaces, whose clocks are one: the truth beside the estimate.
        alsoSharedClock: !init.sharedClock && process.env.BENCH_TEST_SHARED_CLOCK === '1',
        // Sequence numbers beyond what the peer's sender could reach are foreign (accounting.ts SequenceWindow).
        window: init.receiveWindow,
        ...(init.relayControl ? { onControl: relay } : {}),
        // RTCP receiver reports go to the peer from this socket (connected: no address).
        reply: (buf: Buffer, length: number) => {
          try {
            if (connects && us === s) us.send(buf, 0, length);
            else us.send(buf, 0, length, peer.port, peer.address);
          } catch {
            // a closed socket at the very end: the report is not part of the measurement
          }
        },
      });
      if (demux !== null) demux.add(peer.address, peer.port, receiver);
      else us.on('message', receiver.onMessage);
      receiver.whenEnded((end) => {
        // A receiver of an SO_REUSEPORT group never hears the peers hashed to its siblings: it reports each peer's end.
        if (init.reusePort === true) post({ type: 'end-seen', end, peer: i });
        else if (units.every((u) => u.receiver?.end !== null)) post({ type: 'end-seen', end });
      });
      unit.receiver = receiver;
    }
    if (sends) {
      unit.sender = new Sender({
        socket: us,
        clock,
        session: init.session,
        direction: init.sendDirection,
        sizeBytes: init.sizeBytes,
        ratePps: init.ratePps,
        ...(init.pattern === undefined ? {} : { pattern: nthStream(init.pattern, (init.streams?.first ?? 0) + i, init.streams?.count ?? 1) }),
        batch: init.batch,
        ...(init.wire === undefined ? {} : { wire: init.wire }),
        // A connected socket sends without an address (no lookup per send either).
        peer: connects ? null : { address: peer.address, port: peer.port },
        echo,
        ...(init.sharedClock ? { onMeasureStart: () => (unit.peerDropsAtStart = readPortDrops(peer.port, init.family)?.drops ?? null) } : {}),
      });
    }
    units.push(unit);
  }
  if (!receives) {
    // A sender-only socket should receive nothing: count what it does.
    const h = createHeader();
    s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      const st = decodeHeader(msg, msg.length, null, h);
      if (st === Decode.Ok && h.kind >= CONTROL_KIND_MIN && init.relayControl) relay(msg, rinfo);
      // On a listener's shared port this unconnected socket is where another
      // session's late datagrams land once that session's sockets closed:
      // they are not this session's, neither leaked nor foreign to it.
      else if (init.connectPeer && one !== undefined && (rinfo.port !== one.port || rinfo.address !== one.address)) return;
      else if (st === Decode.Ok && h.session === init.session && h.kind < CONTROL_KIND_MIN) seen.leaked++;
      else seen.foreignAtSender++;
    });
  }
  post({ type: 'ready' });
}

/** Hands a control frame to the controller (remote mode). */
function relay(msg: Buffer, rinfo: dgram.RemoteInfo): void {
  post({ type: 'control', bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port, arrivalNs: clock.nowNs() });
}


/** Remote mode: report once when the peer has been silent for the peer timeout. */
function watchSilence(startAtNs: number): void {
  const r = first()?.receiver ?? null;
  if (init.peerTimeoutNs <= 0 || r === null) return;
  timers.silence = setInterval(() => {
    const now = clock.nowNs();
    if (now < startAtNs) return;
    const last = Math.max(r.lastArrivalNs, startAtNs);
    if (now - last > init.peerTimeoutNs && r.end === null) {
      if (timers.silence) clearInterval(timers.silence);
      timers.silence = null;
      post({ type: 'peer-silent', silentMs: Math.round((now - last) / 1e6) });
    }
  }, 100);
}

/** Sums a figure over the units that have the half; `null` when none has it. */
function total(pick: (u: PeerUnit) => number | null): number | null {
  let sum: number | null = null;
  for (const u of units) {
    const v = pick(u);
    if (v !== null) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** Warm-up counters at the synchronised start: pre-roll traffic is not part of the omitted seconds. */
const warmupBase = { sent: 0, received: 0, expected: 0 };

function sample(index: number, warmup: boolean): void {
  let sent: number | null;
  let received: number | null;
  let expected: number | null;
  if (warmup) {
    sent = total((u) => u.sender?.warmupSent ?? null);
    received = total((u) => u.receiver?.warmupReceived ?? null);
    expected = total((u) => u.receiver?.warmupExpected ?? null);
    if (sent !== null) sent -= warmupBase.sent;
    if (received !== null) received -= warmupBase.received;
    if (expected !== null) expected -= warmupBase.expected;
  } else {
    for (const u of units) {
      if (u.sender) {
        u.intervalSent.push(u.sender.sent);
        // RTCP (--wire rtp): a sender report about our measured stream, once a second.
        u.sender.sendSenderReport();
      }
      if (u.receiver) {
        u.intervalReceived.push(u.receiver.acct.received);
        u.intervalExpected.push(u.receiver.acct.expected);
        u.intervalFrameDelayMaxUs.push(u.receiver.takeIntervalFrameDelayUs());
        const d = u.receiver.takeIntervalDelay();
        u.intervalDelayMeanUs.push(d.count > 0 ? Math.round(d.meanUs) : null);
        u.intervalDelayMaxUs.push(d.count > 0 ? Math.round(d.maxUs) : null);
        // RTCP (--wire rtp): a receiver report about the stream we receive, once a second.
        u.receiver.sendReceiverReport(clock.nowNs());
      }
    }
    sent = total((u) => u.sender?.sent ?? null);
    received = total((u) => u.receiver?.acct.received ?? null);
    expected = total((u) => u.receiver?.acct.expected ?? null);
  }
  post({ type: 'interval', role: init.role, endpointId: init.endpointId, index, warmup, sent, received, expected });
}

function onStart(startAtNs: number, warmupNs: number, durationNs: number): void {
  cpuMeter = startCpuMeter();
  for (const u of units) u.receiver?.schedule(startAtNs, warmupNs, durationNs);
  let sendersLeft = units.filter((u) => u.sender !== null).length;
  for (const u of units) {
    u.sender?.start(startAtNs, warmupNs, durationNs, () => {
      if (--sendersLeft === 0) post({ type: 'send-done', sent: total((x) => x.sender?.sent ?? null) ?? 0 });
    });
  }
  // Sampling timer: warm-up ticks anchored at the start, measured ticks at
  // the end of each whole second after the warm-up; re-armed against the
  // monotonic clock so that timer drift does not accumulate.
  const warmupEndNs = startAtNs + warmupNs;
  const endNs = warmupEndNs + durationNs;
  watchSilence(startAtNs);
  if (warmupNs > 0) {
    setTimeout(() => {
      warmupBase.sent = total((u) => u.sender?.warmupSent ?? null) ?? 0;
      warmupBase.received = total((u) => u.receiver?.warmupReceived ?? null) ?? 0;
      warmupBase.expected = total((u) => u.receiver?.warmupExpected ?? null) ?? 0;
    }, Math.max(0, (startAtNs - clock.nowNs()) / 1e6));
  }
  if (receives && init.stall != null && init.stall.ms > 0) scheduleStalls(warmupEndNs, endNs, init.stall);
  let warmupIndex = 1;
  let index = 1;
  const arm = (): void => {
    let deadline: number;
    let warmup: boolean;
    // A whole warm-up second ending exactly at the measured start is still a warm-up line.
    if (startAtNs + warmupIndex * 1e9 <= warmupEndNs) {
      deadline = startAtNs + warmupIndex * 1e9;
      warmup = true;
    } else {
      deadline = warmupEndNs + index * 1e9;
      warmup = false;
      if (deadline > endNs + 1e6) return; // the last partial second is taken from the final counts
    }
    timers.sample = setTimeout(() => {
      if (warmup) sample(-(warmupIndex++), true);
      else sample(index++, false);
      arm();
    }, Math.max(0, (deadline - clock.nowNs()) / 1e6));
  };
  arm();
}

/** The stalls this thread took (`--stall`). */
const stalls = { count: 0, maxMs: 0, totalMs: 0 };

/**
 * `--stall`: this receiving thread stops for `ms` once every `everySeconds`
 * of the measured phase: endpoint A a quarter into each period, B three
 * quarters in, so that one side's stall never coincides with the other's
 * (in single mode a stalled endpoint sends nothing either, and two
 * simultaneous stalls would leave nothing to queue). Atomics.wait blocks the whole
 * thread, as a GC pause or a descheduled thread does: nothing is read from
 * the socket meanwhile (in single mode nothing is sent either — the sender
 * shares the event loop, as it would in a real single-threaded server).
 * Each stall's real length is measured on the monotonic clock.
 */
function scheduleStalls(measureStartNs: number, endNs: number, stall: { ms: number; everySeconds: number }): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let k = 0;
  const arm = (): void => {
    const at = measureStartNs + (k + (init.endpointId === 'A' ? 0.25 : 0.75)) * stall.everySeconds * 1e9;
    if (at + stall.ms * 1e6 > endNs) return;
    timers.stall = setTimeout(() => {
      const t0 = clock.nowNs();
      Atomics.wait(cell, 0, 0, stall.ms);
      const ms = (clock.nowNs() - t0) / 1e6;
      stalls.count++;
      stalls.totalMs += ms;
      if (ms > stalls.maxMs) stalls.maxMs = ms;
      k++;
      arm();
    }, Math.max(0, (at - clock.nowNs()) / 1e6));
  };
  arm();
}

async function onFinish(): Promise<void> {
  if (timers.sample) clearTimeout(timers.sample);
  if (timers.silence) clearInterval(timers.silence);
  if (timers.stall) clearTimeout(timers.stall);
  const cpu = cpuMeter?.stop() ?? { userUs: 0, systemUs: 0, eventLoopUtilization: null, source: 'process' as const };
  const many = units.length > 1;
  const one = first();
  // Socket errors of a group are not one client's: the group's first unit carries them (as for a many-peer socket).
  const stalled = init.stall != null && init.stall.ms > 0 ? { ...stalls } : null;
  // Socket-level errors belong to the socket, not to one peer: they go to the first unit's sender only.
  const sent = (u: PeerUnit) => senderPartialOf(u, u === one ? socketErrors : null);
  const partial: WorkerPartial = {
    role: init.role,
    endpointId: init.endpointId,
    sender: !many && one !== undefined ? sent(one) : null,
    receiver: !many && one !== undefined ? receiverPartialOf(one, { stalls: stalled, playout: init.playout }) : null,
    peers: units.length > 1 ? units.map((u) => ({ address: u.address, port: u.port, sender: sent(u), receiver: receiverPartialOf(u, { stalls: stalled, playout: init.playout }) })) : null,
    strangers: (demux?.strangers ?? 0) + seen.strangers,
    leaked: seen.leaked,
    foreignAtSender: seen.foreignAtSender,
    cpu,
    // What the CPU time paid for: every data datagram sent and read in its window (warm-up, duplicates and foreign ones included).
    datagrams: {
      sent: total((u) => (u.sender === null ? null : u.sender.sent + u.sender.warmupSent)) ?? 0,
      received: total((u) => (u.receiver === null ? null : u.receiver.acct.received + u.receiver.acct.duplicates + u.receiver.warmupReceived + u.receiver.foreign)) ?? 0,
    },
  };
  for (const gs of groupSockets) await closeSocket(gs);
  if (strangerSocket !== null) await closeSocket(strangerSocket);
  post({ type: 'partial', partial });
  port.close();
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'peers':
      onPeers(m.peers).catch(fail);
      break;
    case 'start':
      if (m.peerClockOffsetNs !== undefined) for (const u of units) if (u.receiver) u.receiver.peerOffsetNs = m.peerClockOffsetNs;
      onStart(m.startAtNs, m.warmupNs, m.durationNs);
      break;
    case 'stop':
      for (const u of units) u.sender?.stop();
      break;
    case 'finish':
      onFinish().catch(fail);
      break;
  }
});

setup().catch(fail);
