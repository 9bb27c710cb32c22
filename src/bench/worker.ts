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
import { bindSocket, closeSocket, connectSocket } from '../udp/socket.js';
import { CONTROL_KIND_MIN, Decode, createHeader, decodeHeader } from '../udp/wire.js';
import { startCpuMeter } from '../udp/cpu.js';
import { readPortDrops } from '../udp/kernel.js';
import { BenchError } from '../errors.js';
import type { FromWorker, ReceiverPartial, SenderPartial, ToWorker, WorkerInit, WorkerPartial } from './messages.js';

const init = workerData as WorkerInit;
if (parentPort === null) throw new Error('worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const post = (m: FromWorker): void => port.postMessage(m);

const clock = createMonotonicClock();
const echo = createEchoState(init.echoBuffer);
const sends = init.role !== 'receiver';
const receives = init.role !== 'sender';

let socket: dgram.Socket | null = null;
let sender: Sender | null = null;
let receiver: Receiver | null = null;
let leaked = 0;
let peerDropsAtStart: number | null = null;
let foreignAtSender = 0;
const socketErrors: Record<string, number> = {};
const intervalSent: number[] = [];
const intervalReceived: number[] = [];
const intervalExpected: number[] = [];
let sampleTimer: NodeJS.Timeout | null = null;
let cpuMeter: ReturnType<typeof startCpuMeter> | null = null;

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
    rcvbufBytes: init.rcvbufBytes,
    sndbufBytes: init.sndbufBytes,
  });
  socket = bound.socket;
  // Asynchronous socket errors (ICMP port unreachable on a connected socket,
  // …) are counted, never thrown.
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? 'EUNKNOWN';
    socketErrors[code] = (socketErrors[code] ?? 0) + 1;
  });
  post({ type: 'bound', address: bound.address, port: bound.port, rcvbufEffective: bound.rcvbufEffective, sndbufEffective: bound.sndbufEffective });
}

async function onPeer(address: string, peerPort: number): Promise<void> {
  const s = socket;
  if (s === null) return;
  if (init.role === 'receiver') {
    // Linux prefers a connected socket for its peer's datagrams: the
    // receiver gets all of them, the unconnected sender socket none.
    await connectSocket(s, address, peerPort);
  }
  if (receives) {
    receiver = new Receiver({
      clock,
      session: init.session,
      direction: init.receiveDirection,
      // A connected socket is filtered by the kernel; an unconnected one checks the source itself.
      peer: init.role === 'receiver' ? null : { address, port: peerPort },
      sharedClock: init.sharedClock,
      echo,
      ...(init.relayControl ? { onControl: relay } : {}),
    });
    s.on('message', receiver.onMessage);
    receiver.whenEnded((end) => post({ type: 'end-seen', end }));
  } else {
    // A sender-only socket should receive nothing: count what it does.
    const h = createHeader();
    s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      const st = decodeHeader(msg, msg.length, -1, h);
      if (st === Decode.Ok && h.kind >= CONTROL_KIND_MIN && init.relayControl) relay(msg, rinfo);
      else if (st === Decode.Ok && h.session === init.session && h.kind < CONTROL_KIND_MIN) leaked++;
      else foreignAtSender++;
    });
  }
  if (sends) {
    sender = new Sender({
      socket: s,
      clock,
      session: init.session,
      direction: init.sendDirection,
      sizeBytes: init.sizeBytes,
      ratePps: init.ratePps,
      batch: init.batch,
      peer: { address, port: peerPort },
      echo,
      ...(init.sharedClock ? { onMeasureStart: () => (peerDropsAtStart = readPortDrops(peerPort, init.family)?.drops ?? null) } : {}),
    });
  }
  post({ type: 'ready' });
}

/** Hands a control frame to the controller (remote mode). */
function relay(msg: Buffer, rinfo: dgram.RemoteInfo): void {
  post({ type: 'control', bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
}

let silenceTimer: NodeJS.Timeout | null = null;

/** Remote mode: report once when the peer has been silent for the peer timeout. */
function watchSilence(startAtNs: number): void {
  if (init.peerTimeoutNs <= 0 || receiver === null) return;
  const r = receiver;
  silenceTimer = setInterval(() => {
    const now = clock.nowNs();
    if (now < startAtNs) return;
    const last = Math.max(r.lastArrivalNs, startAtNs);
    if (now - last > init.peerTimeoutNs && r.end === null) {
      if (silenceTimer) clearInterval(silenceTimer);
      silenceTimer = null;
      post({ type: 'peer-silent', silentMs: Math.round((now - last) / 1e6) });
    }
  }, 100);
}

/** Warm-up counters at the synchronised start: pre-roll traffic is not part of the omitted seconds. */
const warmupBase = { sent: 0, received: 0, expected: 0 };

function sample(index: number, warmup: boolean): void {
  let sent: number;
  let received: number;
  let expected: number;
  if (warmup) {
    sent = sender === null ? -1 : sender.warmupSent - warmupBase.sent;
    received = receiver === null ? -1 : receiver.warmupReceived - warmupBase.received;
    expected = receiver === null ? -1 : receiver.warmupExpected - warmupBase.expected;
  } else {
    sent = sender?.sent ?? -1;
    received = receiver?.acct.received ?? -1;
    expected = receiver?.acct.expected ?? -1;
    if (sender) intervalSent.push(sent);
    if (receiver) {
      intervalReceived.push(received);
      intervalExpected.push(expected);
    }
  }
  post({ type: 'interval', role: init.role, endpointId: init.endpointId, index, warmup, sent, received, expected });
}

function onStart(startAtNs: number, warmupNs: number, durationNs: number): void {
  cpuMeter = startCpuMeter();
  sender?.start(startAtNs, warmupNs, durationNs, () => post({ type: 'send-done', sent: sender?.sent ?? 0 }));
  // Sampling timer: warm-up ticks anchored at the start, measured ticks at
  // the end of each whole second after the warm-up; re-armed against the
  // monotonic clock so that timer drift does not accumulate.
  const warmupEndNs = startAtNs + warmupNs;
  const endNs = warmupEndNs + durationNs;
  watchSilence(startAtNs);
  if (warmupNs > 0) {
    setTimeout(() => {
      warmupBase.sent = sender?.warmupSent ?? 0;
      warmupBase.received = receiver?.warmupReceived ?? 0;
      warmupBase.expected = receiver?.warmupExpected ?? 0;
    }, Math.max(0, (startAtNs - clock.nowNs()) / 1e6));
  }
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
    sampleTimer = setTimeout(() => {
      if (warmup) sample(-(warmupIndex++), true);
      else sample(index++, false);
      arm();
    }, Math.max(0, (deadline - clock.nowNs()) / 1e6));
  };
  arm();
}

async function onFinish(): Promise<void> {
  if (sampleTimer) clearTimeout(sampleTimer);
  if (silenceTimer) clearInterval(silenceTimer);
  const cpu = cpuMeter?.stop() ?? { userUs: 0, systemUs: 0, eventLoopUtilization: null, source: 'process' as const };
  let senderPartial: SenderPartial | null = null;
  if (sender) {
    const c = sender.snapshot();
    for (const [code, n] of Object.entries(socketErrors)) c.errors[code] = (c.errors[code] ?? 0) + n;
    senderPartial = { ...c, intervalSent, peerDropsAtStart };
  }
  let receiverPartial: ReceiverPartial | null = null;
  if (receiver) {
    const a = receiver.acct;
    receiverPartial = {
      received: a.received,
      duplicates: a.duplicates,
      reordered: a.reordered,
      late: a.late,
      expected: a.expected,
      foreign: receiver.foreign,
      foreignBy: { ...receiver.foreignBy },
      warmupReceived: receiver.warmupReceived,
      jitterNs: a.jitterNs,
      delay: receiver.delayPercentiles(),
      rtt: receiver.rttPercentiles(),
      endMarkerSeen: receiver.end !== null,
      end: receiver.end,
      endMarkers: receiver.endMarkers,
      sources: [...receiver.sources],
      intervalReceived,
      intervalExpected,
    };
  }
  const partial: WorkerPartial = { role: init.role, endpointId: init.endpointId, sender: senderPartial, receiver: receiverPartial, leaked, foreignAtSender, cpu };
  if (socket) await closeSocket(socket);
  post({ type: 'partial', partial });
  port.close();
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'peer':
      onPeer(m.address, m.port).catch(fail);
      break;
    case 'start':
      onStart(m.startAtNs, m.warmupNs, m.durationNs);
      break;
    case 'stop':
      sender?.stop();
      break;
    case 'finish':
      onFinish().catch(fail);
      break;
  }
});

setup().catch(fail);
