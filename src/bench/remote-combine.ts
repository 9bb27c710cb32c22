/**
 * One result from the sessions of `bench duplex --peer HOST:PORT --clients N`:
 * every client ran its own session against the listener's one port, and the
 * result has the shape of a local `--clients N` run — `directions` the
 * aggregate over all clients (aggregate.ts), `peers[]` each client's own two
 * directions (as its session computed them), fairness by Jain's index, the
 * listener first among the endpoints and the clients after it. Pure.
 */
import type { CpuTime, DirectionResult, DuplexResult, EndpointResult, KernelCounters, PeerResult, RunConfig, RunWarning } from '../result/types.js';
import { aggregateDirection, largestQueue, jainIndex } from './aggregate.js';
import type { RemoteClientRun } from './remote.js';
import type { RemoteReport } from './session.js';
import { directionWarnings } from './warnings.js';
import { duplexResult, incompleteReasonOf } from './result-envelope.js';

/** Sum of figures that may be missing: `null` when any is (a sum with a hole would look whole). */
function sumOrNull(xs: readonly (number | null)[]): number | null {
  return xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x as number), 0);
}

/**
 * The listener's endpoint over all sessions: one port, so one entry, like the
 * server of a local `--clients` run. Counts are summed; CPU is summed per
 * thread role (`endpoint ×3`: three sessions' single threads), with the mean
 * event-loop utilisation, so that the entry stays bounded for 64 sessions.
 */
export function listenerEndpoint(reports: readonly RemoteReport[]): EndpointResult | null {
  const eps = reports.map((r) => r.report.endpoint);
  const first = eps[0];
  if (first === undefined) return null;
  const byRole = new Map<string, CpuTime[]>();
  for (const c of eps.flatMap((e) => e.cpu)) byRole.set(c.thread, [...(byRole.get(c.thread) ?? []), c]);
  const cpu: CpuTime[] = [...byRole.entries()].map(([role, cs]) => {
    const elus = cs.map((c) => c.eventLoopUtilization).filter((u): u is number => u !== null);
    return {
      thread: cs.length === 1 ? role : `${role} ×${cs.length}`,
      userUs: cs.reduce((a, c) => a + c.userUs, 0),
      systemUs: cs.reduce((a, c) => a + c.systemUs, 0),
      eventLoopUtilization: elus.length === 0 ? null : elus.reduce((a, u) => a + u, 0) / elus.length,
    };
  });
  return {
    id: 'B',
    address: first.address,
    port: first.port,
    threads: first.threads,
    rcvbuf: first.rcvbuf,
    sndbuf: first.sndbuf,
    leaked: eps.reduce((a, e) => a + e.leaked, 0),
    // Each session heard its own client: together, every client's port (bounded as the schema is).
    peerSources: [...new Set(eps.flatMap((e) => e.peerSources))].slice(0, 64),
    cpu,
    warmupSent: eps.reduce((a, e) => a + e.warmupSent, 0),
    warmupReceived: eps.reduce((a, e) => a + e.warmupReceived, 0),
  };
}

/** Everything the combined result is made of. */
export interface CombineInputs {
  /** The run's config (`clients` = N, `peer` = the listener). */
  cfg: RunConfig;
  startedAt: string;
  /** One per client, in the order the clients were started. */
  runs: readonly RemoteClientRun[];
  /** This machine's namespace-wide counters over the whole run (all sessions). */
  kernel: KernelCounters;
  elapsedSeconds: number;
}

/** Each session's own warnings, said of its client (`client A2: …`); the same text once. */
function clientWarnings(runs: readonly RemoteClientRun[]): RunWarning[] {
  const warnings: RunWarning[] = [];
  const seen = new Set<string>();
  for (const [i, r] of runs.entries()) {
    for (const w of r.result.warnings) {
      const message = `client A${i + 1}: ${w.message}`;
      if (!seen.has(`${w.code}|${message}`)) {
        seen.add(`${w.code}|${message}`);
        warnings.push({ ...w, message });
      }
    }
  }
  return warnings;
}

/** Combines N client sessions into one `--clients N` result. */
export function combineRemoteClients(args: CombineInputs): DuplexResult {
  const { cfg, runs } = args;
  const first = runs[0];
  if (first === undefined || runs.length < 2) throw new RangeError('combineRemoteClients needs at least 2 client sessions');
  const theirs = runs.map((r) => r.theirs);
  // Each session starts on its own go (a retransmitted go starts one later): the aggregate's time is the sessions' mean.
  const common = { sizeBytes: cfg.sizeBytes, sharedClock: false, kernelExact: false, span: 'mean' } as const;
  const peers: PeerResult[] = runs.map((r, i) => ({
    index: i + 1,
    address: r.mine.report.endpoint.address,
    port: r.mine.report.endpoint.port,
    directions: r.result.directions,
    warmupSent: { ab: r.result.endpoints.find((e) => e.id === 'A')?.warmupSent ?? null, ba: r.result.endpoints.find((e) => e.id === 'B')?.warmupSent ?? null },
  }));
  const dirOf = (p: PeerResult, from: 'A' | 'B'): DirectionResult => p.directions.find((d) => d.from === from) as DirectionResult;
  const up = aggregateDirection({
    ...common,
    from: 'A',
    to: 'B',
    senders: runs.map((r) => r.mine.report.sender),
    receivers: theirs.map((t) => t?.report.receiver ?? null),
    perPeer: peers.map((p) => dirOf(p, 'A')),
    // Each session's drops are its own sockets' (read per client at the listener): their sum is the listener's.
    kernelDrops: sumOrNull(theirs.map((t) => t?.report.kernelDrops ?? null)),
    extraForeign: theirs.reduce((a, t) => a + (t?.report.extraForeign ?? 0), 0),
    offeredPpsPerPeer: cfg.rateAbPps,
    // Sessions on a listener's port have a socket each: their largest peak.
    rxQueuePeak: largestQueue(theirs.map((t) => t?.report.rxQueue ?? null)),
  });
  const down = aggregateDirection({
    ...common,
    from: 'B',
    to: 'A',
    senders: theirs.map((t) => t?.report.sender ?? null),
    receivers: runs.map((r) => r.mine.report.receiver),
    perPeer: peers.map((p) => dirOf(p, 'B')),
    kernelDrops: sumOrNull(runs.map((r) => r.mine.report.kernelDrops)),
    extraForeign: runs.reduce((a, r) => a + r.mine.report.extraForeign, 0),
    offeredPpsPerPeer: cfg.rateBaPps,
    rxQueuePeak: largestQueue(runs.map((r) => r.mine.report.rxQueue)),
  });
  const directions = [up, down];

  const warnings = clientWarnings(runs);
  warnings.push(...directionWarnings(directions));

  const complete = runs.every((r) => r.result.complete);
  const listener = listenerEndpoint(theirs.filter((t): t is RemoteReport => t !== null));
  const result: DuplexResult = duplexResult(
    {
      startedAt: args.startedAt,
      complete,
      incompleteReason: incompleteReasonOf(complete, runs.map((r) => r.result.incompleteReason), 'no-peer-results'),
      mode: 'remote',
      config: cfg,
      environment: first.result.environment,
      endpoints: [...(listener === null ? [] : [listener]), ...runs.map((r) => r.mine.report.endpoint)],
      directions,
      kernel: args.kernel,
      warnings,
      elapsedSeconds: args.elapsedSeconds,
    },
    {
      peers,
      fairness: {
        abJain: jainIndex(peers.map((p) => dirOf(p, 'A').receivedPps)),
        baJain: jainIndex(peers.map((p) => dirOf(p, 'B').receivedPps)),
      },
    },
  );
  const firstTheirs = theirs.find((t): t is RemoteReport => t !== null);
  if (firstTheirs !== undefined) {
    // The listener's counters cover one session each and the sessions overlap: the first one's, saying so.
    result.peerKernel = { ...firstTheirs.kernel, note: `${firstTheirs.kernel.note}; the listener's counters over one of the ${runs.length} sessions (they overlap in time)` };
    result.peerEnvironment = firstTheirs.environment;
  }
  return result;
}
