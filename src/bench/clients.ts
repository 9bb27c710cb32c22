/**
 * `bench duplex --clients N` in local mode: one server endpoint (B) on one
 * UDP port, N client endpoints (A1…AN) each on its own port, every pair
 * flooding both ways at once — the media-server shape. The server sends to
 * every client from its one socket and demultiplexes what it receives by
 * source address and port (udp/demux.ts), with per-client accounting.
 *
 * Threads: the server is one endpoint like any other (`single`: one socket
 * on one event loop; `split`: a sender and a receiver thread sharing the
 * port). Clients in `single` mode share threads: as many client threads as
 * the machine has cores left beside the server's thread(s) (at least one,
 * never more than clients), the clients spread over them in contiguous
 * blocks, each client still its own socket and port. A
 * thread per client cost ~30 µs of CPU per datagram at 1k/s (mostly wake-ups:
 * a pacing tick and a receive per datagram each), which at 16 clients on two
 * cores starved the server's loop; shared, one tick paces every client of the
 * thread. In `split` mode each client keeps its own sender and receiver
 * threads (2N + 2 threads: with more clients than cores the OS time-shares
 * them). A client that cannot keep up shows as `undersent`, never as loss.
 *
 * Phases are those of the local run (phases.ts): spawn → bound → peered →
 * running → draining → collecting → done.
 */
import { randomInt } from 'node:crypto';
import os from 'node:os';
import { createMonotonicClock } from '../udp/clock.js';
import type { DirectionResult, DuplexResult, PeerResult, RunConfig, RunWarning } from '../result/types.js';
import { startEndpoint, type Endpoint, type EndpointReport } from './endpoint.js';
import type { RunHooks } from './hooks.js';
import { runLocalPhases } from './phases.js';
import { mergeDirection } from './merge.js';
import { aggregateDirection, largestQueue, jainIndex } from './aggregate.js';
import { streamOfferedPps } from './patterns.js';
import { collectEnvironment } from './environment.js';
import { bufferWarnings, directionWarnings } from './warnings.js';
import { localDuplexResult } from './result-envelope.js';
import { makeWarning } from '../result/warnings.js';
import { reusePortSupport } from '../udp/socket.js';

/** Why the server-side kernel figure is missing from a client's row. */
const SHARED_SOCKET_NOTE = "kernel drops: the server's one socket serves every client, so its drops are compared over all clients (the aggregate direction), not per client";

/**
 * Runs a local test with `cfg.clients` (> 1) clients against one server port.
 * Resolves with the result (complete or partial); rejects only when the run
 * could not start, as the two-endpoint run does.
 */
export async function runLocalClients(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  const n = cfg.clients ?? 1;
  if (!(n >= 2)) throw new RangeError('runLocalClients needs at least 2 clients (1 is the two-endpoint run)');
  const clock = hooks.clock ?? createMonotonicClock();
  const startedAt = new Date().toISOString(); // for humans only; never used to measure
  const t0 = clock.nowNs();
  const session = randomInt(1, 0xffffffff);
  const all: Endpoint[] = [];
  const clients: Endpoint[] = [];
  // The clients leave the server its thread(s): on 2 cores one client thread, not two (measured: at 4 × 15k/s
  // of 64 B each way, 2.6 % loss into the server with one client thread, 56 % with two; docs/decisions.md).
  const serverThreads = cfg.threads === 'split' ? 2 : 1;
  const groups = clientGroups(n, cfg.threads, hooks.clientThreads ?? Math.max(1, os.availableParallelism() - serverThreads));
  const warnings: RunWarning[] = [];
  const common = { threads: cfg.threads, session, role: { kind: 'local' } } as const;
  try {
    // spawn → bound: the server on --port (or a free one), every client on a free port.
    // Each client's stream and the server's stream to it are stream i of N (shifted: udp/pattern.ts nthStream).
    const server = await startEndpoint(cfg, { ...common, id: 'B', bindPort: cfg.port ?? 0, peers: n, receivers: cfg.serverReceivers ?? 1, streams: { first: 0, count: n } });
    all.push(server);
    let first = 0;
    for (const size of groups) {
      const c = await startEndpoint(cfg, { ...common, id: 'A', bindPort: 0, ...(size > 1 ? { group: size } : {}), streams: { first, count: n } });
      first += size;
      all.push(c);
      clients.push(c);
    }
    // Every client socket, in order: a group's members, or the endpoint itself.
    const sockets = clients.flatMap((c) => (c.members.length > 0 ? c.members.map((m) => ({ address: m.address, port: m.port })) : [{ address: c.address, port: c.port }]));

    // bound → peered
    await Promise.all([server.connectPeers(sockets), ...clients.map((c) => c.connect(server.address, server.port))]);
    hooks.onReady?.(all.map((e) => ({ id: e.id, address: e.address, port: e.port })));

    // peered → running → draining → collecting (phases.ts)
    const { reports: finished, kernel, sendersOk, drained, interrupted } = await runLocalPhases({ endpoints: all, cfg, hooks, clock });
    const rs = finished[0] as EndpointReport;
    // One report per client: a group's members, or the endpoint's own.
    const rcs = clients.flatMap((c, i) => (c.members.length > 0 ? c.groupReports() : [finished[i + 1] as EndpointReport]));
    const reports = [rs, ...rcs];

    if (!drained) warnings.push(makeWarning('no-end-marker', { endpoint: null, senders: n }));
    const endpointResults = reports.map((r) => r.endpoint);
    warnings.push(...bufferWarnings(cfg, endpointResults));
    if (!kernel.available) warnings.push(makeWarning('no-proc', { source: kernel.source }));

    const { peers, directions } = clientDirections({ server: rs, clients: rcs, cfg, serverDropsAtBind: server.dropsAtBind });
    warnings.push(...directionWarnings(directions));
    const complete = !interrupted && sendersOk && reports.every((r) => r.complete) && rs.peers !== undefined;
    return localDuplexResult(
      { startedAt, complete, interrupted, sendersOk, config: cfg, environment: collectEnvironment(cfg.host), endpoints: endpointResults, directions, kernel, warnings, elapsedSeconds: (clock.nowNs() - t0) / 1e9 },
      {
        peers,
        fairness: {
          abJain: jainIndex(peers.map((p) => p.directions[0]?.receivedPps ?? null)),
          baJain: jainIndex(peers.map((p) => p.directions[1]?.receivedPps ?? null)),
        },
      },
    );
  } finally {
    await Promise.all(all.map((e) => e.close()));
  }
}

/**
 * How many clients each client thread runs: one per client in `split` mode;
 * in `single` mode the clients spread over `min(clients, threads)` threads in
 * contiguous blocks (sizes differ by at most one). Pure.
 */
export function clientGroups(clients: number, mode: RunConfig['threads'], threads: number): number[] {
  if (mode === 'split') return Array.from({ length: clients }, () => 1);
  const g = Math.max(1, Math.min(clients, Math.floor(threads)));
  return Array.from({ length: g }, (_, i) => Math.floor(clients / g) + (i < clients % g ? 1 : 0));
}

/**
 * The server sockets' drops of measured datagrams, all clients together.
 * The controller's baseline, read in the gap before measuring, is exact only
 * when every client's sender is on time: under heavy overload on a busy
 * machine a starved client thread still sends warm-up after it, and those
 * drops were counted as measured ones (measured: 16 clients × 6k/s into
 * 4 KiB buffers, 26–125 more drops than datagrams lost). So, where the
 * counter was read at bind and every client's sender reported: the drops
 * since bind less the warm-up datagrams that never arrived (on loopback a
 * datagram the kernel accepted is either queued, and read before the end
 * markers behind it, or dropped). Else the measure-start baseline.
 */
function serverDataDrops(server: EndpointReport, clients: readonly EndpointReport[], dropsAtBind: number | null): number | null {
  if (dropsAtBind === null || server.dropsAtEnd === null || clients.some((c) => c.sender === null)) return server.kernelDrops;
  const warmupSent = clients.reduce((n, c) => n + (c.sender?.warmupSent ?? 0), 0);
  return server.dropsAtEnd - dropsAtBind - (warmupSent - server.endpoint.warmupReceived);
}

/** Drops of a socket over the measured phase from the baseline its peer's sender read as measuring began. */
function dropsSince(base: number | null | undefined, end: number | null): number | null {
  return base === null || base === undefined || end === null ? null : end - base;
}

/**
 * Per-client directions and the aggregate. Pure. Client i → server uses
 * client i's sender and the server's receiver for i; server → client i the
 * server's sender for i and client i's receiver. Kernel drops: each client's
 * socket is its own (exact per client); the server's socket is shared by all
 * clients, so its drops are compared with the loss over all of them.
 */
export function clientDirections(args: {
  server: EndpointReport;
  clients: readonly EndpointReport[];
  cfg: RunConfig;
  /** The server sockets' drop counter once bound, before any traffic (`Endpoint.dropsAtBind`); absent or `null`: the measure-start baseline is used. */
  serverDropsAtBind?: number | null;
}): { peers: PeerResult[]; directions: DirectionResult[] } {
  const { server, clients, cfg } = args;
  const common = { sizeBytes: cfg.sizeBytes, sharedClock: true } as const;
  const n = clients.length;
  const offerAb = clients.map((_, i) => streamOfferedPps(cfg, 'ab', i, n));
  const offerBa = clients.map((_, i) => streamOfferedPps(cfg, 'ba', i, n));
  const mean = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x as number), 0) / Math.max(1, xs.length));
  const peers: PeerResult[] = clients.map((c, i) => {
    const sp = server.peers?.[i] ?? null;
    const up = mergeDirection({
      ...common,
      from: 'A',
      to: 'B',
      sender: c.sender,
      receiver: sp?.receiver ?? null,
      kernelDrops: null,
      kernelDropsNote: SHARED_SOCKET_NOTE,
      kernelExact: false,
      extraForeign: 0,
      offeredPps: offerAb[i] ?? null,
      peerRtcp: c.receiver?.rtcpIn ?? null,
    });
    const down = mergeDirection({
      ...common,
      from: 'B',
      to: 'A',
      sender: sp?.sender ?? null,
      receiver: c.receiver,
      kernelDrops: dropsSince(sp?.sender?.peerDropsAtStart, c.dropsAtEnd) ?? c.kernelDrops,
      kernelExact: true,
      extraForeign: c.extraForeign,
      offeredPps: offerBa[i] ?? null,
      rxQueuePeak: c.rxQueue,
      peerRtcp: sp?.receiver?.rtcpIn ?? null,
    });
    return {
      index: i + 1,
      address: c.endpoint.address,
      port: c.endpoint.port,
      directions: [up, down],
      warmupSent: { ab: c.sender?.warmupSent ?? null, ba: sp?.sender?.warmupSent ?? null },
    };
  });
  const sum = (xs: (number | null)[]): number | null => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x as number), 0));
  const up = aggregateDirection({
    ...common,
    from: 'A',
    to: 'B',
    senders: clients.map((c) => c.sender),
    receivers: clients.map((_, i) => server.peers?.[i]?.receiver ?? null),
    perPeer: peers.map((p) => p.directions[0] as DirectionResult),
    kernelDrops: serverDataDrops(server, clients, args.serverDropsAtBind ?? null),
    kernelExact: true,
    extraForeign: server.extraForeign,
    offeredPpsPerPeer: mean(offerAb),
    rxQueuePeak: server.rxQueue,
  });
  const down = aggregateDirection({
    ...common,
    from: 'B',
    to: 'A',
    senders: clients.map((_, i) => server.peers?.[i]?.sender ?? null),
    receivers: clients.map((c) => c.receiver),
    perPeer: peers.map((p) => p.directions[1] as DirectionResult),
    kernelDrops: sum(peers.map((p) => p.directions[1]?.kernelDrops ?? null)),
    kernelExact: true,
    extraForeign: clients.reduce((a, c) => a + c.extraForeign, 0),
    offeredPpsPerPeer: mean(offerBa),
    rxQueuePeak: largestQueue(clients.map((c) => c.rxQueue)),
  });
  return { peers, directions: [up, down] };
}

/** What {@link resolveServerReceivers} decides from. */
export interface ServerReceiversInput {
  /** `--server-receivers K` as given, or `null` for the default. */
  requested: number | null;
  clients: number;
  threads: RunConfig['threads'];
  family: 4 | 6;
  /** `--peer`: the server is a listener on another machine. */
  remote: boolean;
  /** Cores of this machine (default: `os.availableParallelism()`). */
  cores?: number;
  /** Whether this Node can bind SO_REUSEPORT groups (default: udp/socket.ts `reusePortSupport()`). */
  support?: ReturnType<typeof reusePortSupport>;
}

/**
 * How many receiver threads the `--clients N` server binds to its one port
 * (`--server-receivers`), or why the request is refused. Pure given
 * `cores` and `support`.
 *
 * The default is the cores the run leaves free — the machine's, less a
 * sender and a receiver thread per split client and the server's sender —
 * never more than the clients (a receiver beyond them could only idle) and
 * at least 1; it is 1 wherever K > 1 would be refused. On a 2-core machine
 * running its clients beside the server, nothing is free: K = 1.
 *
 * Refused (an explicit K > 1 only):
 *  - without `--clients` ≥ 2 or `--threads split`: only a split server with
 *    many clients has a receiver thread to multiply;
 *  - with `--peer`: the listener already receives each session on a socket
 *    connected to that client, in the session's own thread;
 *  - IPv6: Linux appends IPv6 SO_REUSEPORT sockets to the port's lookup chain
 *    behind the server's unconnected sender socket, which then receives every
 *    datagram (measured on Linux 6.18 in both bind orders; IPv4 puts the
 *    group first when it binds after the sender);
 *  - on Node before 22.12, which has no `reusePort`.
 */
export function resolveServerReceivers(i: ServerReceiversInput): { ok: true; k: number } | { ok: false; reason: string } {
  const support = i.support ?? reusePortSupport();
  const possible = i.clients >= 2 && i.threads === 'split' && !i.remote && i.family === 4 && support.ok;
  if (i.requested === null) {
    if (!possible) return { ok: true, k: 1 };
    const free = (i.cores ?? os.availableParallelism()) - (2 * i.clients + 1);
    return { ok: true, k: Math.max(1, Math.min(i.clients, free)) };
  }
  if (i.requested <= 1) return { ok: true, k: 1 };
  if (i.remote) return { ok: false, reason: 'is for the local --clients server; a listener (bench listen --threads split) already receives each session on its own connected socket and thread' };
  if (i.clients < 2) return { ok: false, reason: `${i.requested} receivers need a server with --clients 2 or more` };
  if (i.threads !== 'split') return { ok: false, reason: `${i.requested} receivers need --threads split (single mode has one event loop per endpoint)` };
  if (i.family !== 4) return { ok: false, reason: "IPv4 only: Linux puts IPv6 SO_REUSEPORT sockets behind the server's sender socket, which would then receive every datagram" };
  if (!support.ok) return { ok: false, reason: support.reason };
  return { ok: true, k: i.requested };
}
