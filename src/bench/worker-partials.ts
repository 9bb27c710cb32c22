/**
 * What a data-plane worker hands back for one peer: its sender's and
 * receiver's partial results, read off their state once the run is over.
 * Pure reads (worker.ts owns the sockets, timers and the message loop);
 * merge.ts combines the partials of every worker.
 */
import type { Receiver } from '../udp/receiver.js';
import type { Sender } from '../udp/sender.js';
import type { ReceiverFrames, ReceiverPartial, SenderPartial } from './messages.js';

/**
 * One peer's half of this worker: its sender and/or receiver and their
 * per-second counts. One unit per peer; a two-endpoint run has one.
 */
export interface PeerUnit {
  address: string;
  port: number;
  sender: Sender | null;
  receiver: Receiver | null;
  peerDropsAtStart: number | null;
  intervalSent: number[];
  intervalReceived: number[];
  intervalExpected: number[];
  intervalFrameDelayMaxUs: number[];
  intervalDelayMeanUs: (number | null)[];
  intervalDelayMaxUs: (number | null)[];
}
/** A sender's partial result; `socketErrors`: the socket's own error counts, given to the first unit's sender only (they belong to no one peer). */
export function senderPartialOf(u: PeerUnit, socketErrors: Readonly<Record<string, number>> | null): SenderPartial | null {
  if (u.sender === null) return null;
  const c = u.sender.snapshot();
  if (socketErrors !== null) for (const [code, n] of Object.entries(socketErrors)) c.errors[code] = (c.errors[code] ?? 0) + n;
  return { ...c, intervalSent: u.intervalSent, peerDropsAtStart: u.peerDropsAtStart };
}

/** What {@link receiverPartialOf} needs besides the unit. */
export interface ReceiverPartialOptions {
  /** The stalls this worker imposed (`--stall`), or `null` without any. */
  stalls: ReceiverPartial['stalls'];
  /** The playout delays and late share the jitter-buffer figures are read at. */
  playout: { playoutMs: readonly number[]; maxLatePercent: number };
}

/** A receiver's partial result. */
export function receiverPartialOf(u: PeerUnit, o: ReceiverPartialOptions): ReceiverPartial | null {
  const r = u.receiver;
  if (r === null) return null;
  const a = r.acct;
  const rtp = r.rtp.snapshot();
  const late = r.lateCounts(o.playout);
  return {
    received: a.received,
    duplicates: a.duplicates,
    reordered: a.reordered,
    late: a.late,
    expected: a.expected,
    foreign: r.foreign,
    foreignBy: foreignByOf(r),
    warmupReceived: r.warmupReceived,
    jitterNs: a.jitterNs,
    delay: r.delayPercentiles(),
    rtt: r.rttPercentiles(),
    endMarkerSeen: r.end !== null,
    end: r.end,
    endMarkers: r.endMarkers,
    sources: [...r.sources],
    intervalReceived: u.intervalReceived,
    intervalExpected: u.intervalExpected,
    receivedBytes: r.receivedBytes,
    ...sharedClockOf(r),
    intervalDelayMeanUs: u.intervalDelayMeanUs,
    intervalDelayMaxUs: u.intervalDelayMaxUs,
    frames: framesOf(u),
    stalls: o.stalls,
    ...(rtp === null ? {} : { rtp }),
    // The partial crosses to the controller by structured clone: the agent's live counts need no copy here.
    ...(r.rtcpPackets > 0 ? { rtcpPackets: r.rtcpPackets, rtcpIn: r.rtcp.peer } : {}),
    ...(late === null ? {} : { lateCounts: late }),
    lossShape: r.lossShape(),
  };
}

/**
 * The receiver's foreign counts by reason; `outOfWindow` only when some were
 * (a peer's control schema may not know the field: a report without it
 * crosses to any peer).
 */
function foreignByOf(r: Receiver): ReceiverPartial['foreignBy'] {
  const { outOfWindow, ...rest } = r.foreignBy;
  return outOfWindow > 0 ? { ...rest, outOfWindow } : rest;
}

/** Tests only: the shared clock's one-way delay beside the estimate, when the receiver recorded it. */
function sharedClockOf(r: Receiver): Pick<ReceiverPartial, 'delaySharedClock'> {
  const p = r.sharedClockPercentiles();
  return p === null ? {} : { delaySharedClock: p };
}

function framesOf(u: PeerUnit): ReceiverFrames | null {
  const r = u.receiver;
  if (r === null || (r.frames === null && r.endFrames === null)) return null;
  const f = r.frames;
  f?.finish();
  return {
    complete: f?.complete ?? 0,
    partial: f?.partial ?? 0,
    highest: f?.highest ?? 0,
    lateDatagrams: f?.lateDatagrams ?? 0,
    badFrames: r.badFrames,
    endFrames: r.endFrames,
    delay: r.frameDelayPercentiles(),
    intervalFrameDelayMaxUs: u.intervalFrameDelayMaxUs,
  };
}

