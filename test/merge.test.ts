import { describe, expect, it } from 'vitest';
import { attributeLoss, checkLoss, mergeDirection, mergeIntervals } from '../src/bench/merge.js';
import { isUndersent } from '../src/result/undersent.js';
import type { ReceiverPartial, SenderPartial } from '../src/bench/messages.js';
import { DirectionAccounting } from '../src/udp/accounting.js';
import { END_MARKER_COPIES } from '../src/udp/wire.js';

/** A receiver partial built by feeding real sequence numbers to the accounting, as the receiver does. */
function receiverFrom(seqs: readonly number[], end: { seqEnd: number; sent: number; burned: number } | null, endMarkers = END_MARKER_COPIES): ReceiverPartial {
  const a = new DirectionAccounting(64);
  let t = 0;
  for (const s of seqs) a.record(s, t, (t += 1000) + 50);
  return {
    received: a.received,
    duplicates: a.duplicates,
    reordered: a.reordered,
    late: a.late,
    expected: a.expected,
    foreign: 0,
    foreignBy: { truncated: 0, badMagic: 0, badVersion: 0, wrongSession: 0, wrongSource: 0, wrongDirection: 0 },
    warmupReceived: 0,
    jitterNs: a.jitterNs,
    delay: null,
    rtt: null,
    endMarkerSeen: end !== null,
    end,
    endMarkers: end === null ? 0 : endMarkers,
    sources: [],
    intervalReceived: [],
    intervalExpected: [],
  };
}

function sender(sent: number, errors: Record<string, number> = {}, measureErrors = 0, seqEnd = sent + measureErrors): SenderPartial {
  return { sent, attempted: seqEnd, warmupSent: 0, errors, measureErrors, seqEnd, measureStartNs: 1e9, measureEndNs: 2e9, intervalSent: [], peerDropsAtStart: null };
}

const base = { from: 'A', to: 'B', kernelExact: true, extraForeign: 0, sizeBytes: 100, offeredPps: 1000, sharedClock: true } as const;

describe('loss check: crafted sequences through the real accounting', () => {
  it('gaps, reordering, duplicates and burned sequence numbers: by sequence agrees with sent − received', () => {
    // Sequence numbers 0..19 were used; 7 and 8 were burned on send errors (never on the wire);
    // 3 and 15 were lost; 5 arrived late (reordered); 10 twice (duplicate).
    const wire = [0, 1, 2, 4, 6, 5, 9, 10, 10, 11, 12, 13, 14, 16, 17, 18, 19];
    const r = receiverFrom(wire, { seqEnd: 20, sent: 18, burned: 2 });
    expect(r.received).toBe(16);
    expect(r.duplicates).toBe(1);
    expect(r.reordered).toBe(1);
    const d = mergeDirection({ ...base, sender: sender(18, { ENOBUFS: 2 }, 2, 20), receiver: r, kernelDrops: 2 });
    expect(d.lost).toBe(2);
    expect(d.check).toEqual({ lostBySequence: 2, kernelDrops: 2, agree: true, note: null });
  });

  it('a sender that miscounts is caught by the sequence numbers', () => {
    // The wire says 10 sequence numbers were used and none burned, but the sender claims 12 sent.
    const r = receiverFrom([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { seqEnd: 10, sent: 12, burned: 0 });
    const d = mergeDirection({ ...base, sender: sender(12, {}, 0, 10), receiver: r, kernelDrops: 0 });
    expect(d.lost).toBe(2);
    expect(d.check.lostBySequence).toBe(0);
    expect(d.check.agree).toBe(false);
    expect(d.check.note).toMatch(/differs/);
  });

  it('kernel drops that do not match the loss are a disagreement on loopback, and only a note across machines', () => {
    const r = receiverFrom([0, 1, 3], { seqEnd: 4, sent: 4, burned: 0 });
    const local = mergeDirection({ ...base, sender: sender(4), receiver: r, kernelDrops: 0 });
    expect(local.check.agree).toBe(false);
    expect(local.check.note).toMatch(/dropped 0, but 1 were lost/);
    const remote = mergeDirection({ ...base, kernelExact: false, sender: sender(4), receiver: r, kernelDrops: 0 });
    expect(remote.check.agree).toBe(true);
    expect(remote.check.note).toMatch(/not compared/);
  });

  it('end-marker copies the socket dropped are not counted as data drops', () => {
    const r = receiverFrom([0, 1, 3], { seqEnd: 4, sent: 4, burned: 0 }, END_MARKER_COPIES - 2);
    const d = mergeDirection({ ...base, sender: sender(4), receiver: r, kernelDrops: 3 });
    expect(d.check.agree).toBe(true);
    expect(d.check.note).toMatch(/2 end-marker copies/);
  });

  it('without an end marker there is no sequence derivation: null, not agreeing, with the reason', () => {
    const r = receiverFrom([0, 1, 2], null);
    const d = mergeDirection({ ...base, sender: sender(5), receiver: r, kernelDrops: 2 });
    expect(d.check.lostBySequence).toBeNull();
    expect(d.check.agree).toBe(false);
    expect(d.check.note).toMatch(/no end marker/);
  });
});

describe('unobserved figures are null, never 0 or a copy', () => {
  it('receiver missing: received, lost, loss % and receive rates are null', () => {
    const d = mergeDirection({ ...base, sender: sender(1000), receiver: null, kernelDrops: null });
    expect(d.sent).toBe(1000);
    for (const k of ['received', 'lost', 'lossPercent', 'receivedPps', 'bitsPerSecond', 'duplicates', 'reordered'] as const) expect(d[k]).toBeNull();
    expect(d.lossAttribution).toBeNull();
    expect(d.observedBy).toBe('sender');
    expect(d.intervals.every((i) => i.received === null && i.lost === null)).toBe(true);
    // Whether the end marker arrived is the receiver's to say.
    expect(d.endMarkerSeen).toBeNull();
  });

  it('sender missing and no end marker: sent is null, not the highest sequence number seen', () => {
    const r = receiverFrom([0, 1, 2, 3], null);
    const d = mergeDirection({ ...base, sender: null, receiver: r, kernelDrops: 0 });
    expect(d.sent).toBeNull();
    expect(d.lost).toBeNull();
    expect(d.received).toBe(4);
    expect(d.observedBy).toBe('receiver');
    // The measured time and whether the sender kept up are the sender's to say: unknown, not 0 s and "kept up".
    expect(d.durationSeconds).toBeNull();
    expect(d.undersent).toBeNull();
    expect(d.sentPps).toBeNull();
  });

  it('sender missing with an end marker: sent is the marker\'s kernel-accepted count', () => {
    const r = receiverFrom([0, 1, 3], { seqEnd: 4, sent: 4, burned: 0 });
    const d = mergeDirection({ ...base, sender: null, receiver: r, kernelDrops: 1 });
    expect(d.sent).toBe(4);
    expect(d.lost).toBe(1);
  });
});

describe('undersent', () => {
  it('is below 95 % of a paced offer; never for max or an off direction', () => {
    expect(isUndersent(949, 1000)).toBe(true);
    expect(isUndersent(950, 1000)).toBe(false);
    expect(isUndersent(1, null)).toBe(false);
    expect(isUndersent(0, 0)).toBe(false);
  });
});

describe('intervals', () => {
  it('the last interval ends at the final counts; lost is the receiver\'s sequence-gap estimate against the end marker', () => {
    const out = mergeIntervals({ sentCum: [100, 200], receivedCum: [95, 190], expectedCum: [100, 200], final: { sent: 250, received: 238, expected: 250 }, durationSeconds: 2.5 });
    expect(out.map((i) => i.t)).toEqual([1, 2, 2.5]);
    expect(out[0]).toEqual({ t: 1, sent: 100, received: 95, lost: 5 });
    expect(out[2]).toEqual({ t: 2.5, sent: 50, received: 48, lost: 2 });
  });

  it('splits loss between the kernel (bounded by the loss) and the network', () => {
    expect(attributeLoss(10, 4, 2)).toEqual({ sender: 2, kernel: 4, network: 6 });
    expect(attributeLoss(10, 15, 0)).toEqual({ sender: 0, kernel: 10, network: 0 });
    expect(attributeLoss(7, null, 0)).toEqual({ sender: 0, kernel: 0, network: 7 });
  });

  it('checkLoss without a receiver says so', () => {
    expect(checkLoss({ lost: null, receiver: null, kernelDrops: null, kernelExact: true, endMarkerCopies: 5 }).agree).toBe(false);
  });
});
