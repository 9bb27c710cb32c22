/**
 * The client's side of the clock probes (clock-sync.ts): a burst of
 * {@link PROBES} probes, {@link SPACING_MS} apart, over the control channel to
 * the listener of a running session; every reply that comes back within the
 * wait is a sample. Bounded in count and time; a lost probe is just one
 * sample fewer (no retransmission: a late reply would be a worse sample).
 */
import type { Clock } from '../udp/clock.js';
import { Kind } from '../udp/wire.js';
import type { ClockSample } from './clock-sync.js';
import { type ControlChannel, type PeerAddress } from './control.js';
import { bodyOf } from './control-registry.js';
import { plausibleSample } from './clock-sync.js';

/** A probe's size on the wire before any tag: more than a reply (header, `{"t1":…,"t2":…}`) takes. */
export const PROBE_BYTES = 128;

/** Probes per burst. */
export const PROBES = 16;
/** Between probes, ms: apart enough that they do not queue behind each other. */
const SPACING_MS = 5;
/** How long after the last probe replies are still taken, ms. */
const WAIT_MS = 300;

/** Sends a burst of clock probes to `peer` in `session` and returns the samples that came back. */
export async function probeClock(args: { ch: ControlChannel; peer: PeerAddress; session: number; clock: Clock; signal?: AbortSignal }): Promise<ClockSample[]> {
  const { ch, peer, session, clock } = args;
  const sent = new Map<number, number>();
  const samples: ClockSample[] = [];
  const off = ch.on((m) => {
    if (m.frame.kind !== Kind.TimeReply || m.frame.session !== session || m.from.address !== peer.address || m.from.port !== peer.port) return;
    const t4 = m.arrivalNs;
    const body = bodyOf(m, Kind.TimeReply);
    if (body === null) return;
    // Only a reply to a probe of this burst, once: its t1 must be the one we sent under that id.
    const t1 = sent.get(m.frame.msgId);
    if (t1 === undefined || t1 !== body.t1) return;
    sent.delete(m.frame.msgId);
    const sample = { t1, t2: body.t2, t3: m.frame.sendTimeNs, t4 };
    // The listener's t2 and t3 feed the offset: held only if they are ordered, within the round trip and below 2^62 ns.
    if (plausibleSample(sample)) samples.push(sample);
  });
  try {
    for (let i = 0; i < PROBES && args.signal?.aborted !== true; i++) {
      const id = ch.nextId();
      // The frame's header timestamp is the channel clock's now: t1.
      // Whole ns: the header carries an integer (wire.ts), and the reply echoes it.
      const t1 = Math.floor(clock.nowNs());
      sent.set(id, t1);
      // Padded to at least the reply's size: the listener never answers with more than it was sent (RFC 9000 §8 spirit).
      ch.send({ to: peer, kind: Kind.TimeProbe, session, msgId: id, body: Buffer.alloc(0), sendTimeNs: t1, padTo: PROBE_BYTES });
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    await new Promise((r) => setTimeout(r, WAIT_MS));
  } finally {
    off();
  }
  return samples;
}
