/**
 * Frame accounting (udp/frames.ts) fed by hand, and the frame extension of
 * the wire format (udp/wire.ts): stampFrame / decodeFrame.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FRAME_RING, FrameAccounting } from '../src/udp/frames.js';
import { FLAG_FRAMED, FLAG_WARMUP, FRAMED_HEADER_BYTES, FRAME_EXTENSION_BYTES, HEADER_BYTES, createHeader, decodeFrame, decodeHeader, Decode, encodeHeader, stampFrame, type FrameFields } from '../src/udp/wire.js';

/** Records a whole frame of `count` datagrams sent at `sendNs`, arriving from `firstArrivalNs` on, `stepNs` apart, in the given index order. */
function recordFrame(fa: FrameAccounting, frame: number, count: number, sendNs: number, firstArrivalNs: number, stepNs = 1000, order?: number[]): boolean[] {
  const idx = order ?? Array.from({ length: count }, (_, i) => i);
  return idx.map((index, k) => fa.record(frame, index, count, sendNs, firstArrivalNs + k * stepNs));
}

describe('FrameAccounting', () => {
  it('in-order complete frames: complete count, delay = last arrival − first send, reported on the completing datagram only', () => {
    const fa = new FrameAccounting();
    for (let f = 0; f < 10; f++) {
      const sendNs = 1e9 + f * 33e6;
      const done = recordFrame(fa, f, 4, sendNs, sendNs + 200_000, 50_000);
      expect(done).toEqual([false, false, false, true]);
      expect(fa.lastDelayNs).toBe(200_000 + 3 * 50_000);
    }
    expect(fa.complete).toBe(10);
    expect(fa.highest).toBe(10);
    fa.finish();
    expect(fa.partial).toBe(0);
    expect(fa.lateDatagrams).toBe(0);
  });

  it('single-datagram frames complete at once', () => {
    const fa = new FrameAccounting();
    expect(fa.record(0, 0, 1, 100, 350)).toBe(true);
    expect(fa.lastDelayNs).toBe(250);
    expect(fa.complete).toBe(1);
  });

  it('a frame missing one datagram is partial after finish(), not complete', () => {
    const fa = new FrameAccounting();
    recordFrame(fa, 0, 3, 0, 1000);
    expect(recordFrame(fa, 1, 3, 1e6, 1e6 + 1000, 1000, [0, 2])).toEqual([false, false]);
    recordFrame(fa, 2, 3, 2e6, 2e6 + 1000);
    expect(fa.complete).toBe(2);
    expect(fa.partial).toBe(0); // not known before the end
    fa.finish();
    expect(fa.partial).toBe(1);
    expect(fa.complete).toBe(2);
  });

  it('finish() counts each incomplete frame once, and a second finish() adds nothing', () => {
    const fa = new FrameAccounting();
    fa.record(0, 0, 2, 0, 10);
    fa.record(5, 1, 3, 0, 10);
    fa.finish();
    expect(fa.partial).toBe(2);
    fa.finish();
    expect(fa.partial).toBe(2);
  });

  it('datagrams reordered within a frame still complete it; the delay uses the earliest send and the latest arrival', () => {
    const fa = new FrameAccounting();
    // Index 2 (sent last, at 3000) arrives first; index 0 (sent at 1000) arrives in between; index 1 last.
    expect(fa.record(7, 2, 3, 3000, 10_000)).toBe(false);
    expect(fa.record(7, 0, 3, 1000, 12_000)).toBe(false);
    expect(fa.record(7, 1, 3, 2000, 11_000)).toBe(true);
    expect(fa.lastDelayNs).toBe(12_000 - 1000);
    expect(fa.complete).toBe(1);
  });

  it('frames interleaved with each other complete independently', () => {
    const fa = new FrameAccounting();
    fa.record(0, 0, 2, 0, 100);
    fa.record(1, 0, 2, 10, 110);
    expect(fa.record(1, 1, 2, 10, 120)).toBe(true);
    expect(fa.lastDelayNs).toBe(110);
    expect(fa.record(0, 1, 2, 0, 130)).toBe(true);
    expect(fa.lastDelayNs).toBe(130);
    expect(fa.complete).toBe(2);
  });

  it('frames lost whole leave no trace in the receiver (only the sender knows them)', () => {
    const fa = new FrameAccounting();
    recordFrame(fa, 0, 2, 0, 10);
    recordFrame(fa, 3, 2, 0, 10);
    fa.finish();
    expect(fa.complete).toBe(2);
    expect(fa.partial).toBe(0);
    expect(fa.highest).toBe(4);
  });

  it(`ring eviction: a frame FRAME_RING (${FRAME_RING}) later takes the slot and the old incomplete frame counts as partial at once`, () => {
    const fa = new FrameAccounting();
    fa.record(3, 0, 2, 0, 10); // frame 3: 1 of 2
    fa.record(3 + FRAME_RING, 0, 1, 5, 20); // same slot, complete
    expect(fa.partial).toBe(1);
    expect(fa.complete).toBe(1);
    fa.finish();
    expect(fa.partial).toBe(1); // not counted again
  });

  it('ring eviction of a complete frame counts nothing', () => {
    const fa = new FrameAccounting();
    recordFrame(fa, 1, 2, 0, 10);
    recordFrame(fa, 1 + FRAME_RING, 2, 0, 10);
    fa.finish();
    expect(fa.complete).toBe(2);
    expect(fa.partial).toBe(0);
  });

  it("a datagram of a frame older than its slot's frame is a late datagram, and changes nothing else", () => {
    const fa = new FrameAccounting();
    fa.record(3, 0, 2, 0, 10);
    fa.record(3 + FRAME_RING, 0, 2, 0, 20);
    expect(fa.record(3, 1, 2, 0, 30)).toBe(false); // would have completed frame 3
    expect(fa.lateDatagrams).toBe(1);
    expect(fa.complete).toBe(0);
    expect(fa.partial).toBe(1);
    // The newer frame in that slot is untouched: its second datagram completes it.
    expect(fa.record(3 + FRAME_RING, 1, 2, 0, 40)).toBe(true);
    expect(fa.lastDelayNs).toBe(40);
    fa.finish();
    expect(fa.partial).toBe(1);
  });

  it('an extra datagram of an already complete frame is late, not a second completion', () => {
    const fa = new FrameAccounting();
    recordFrame(fa, 0, 2, 0, 10);
    expect(fa.record(0, 1, 2, 0, 99)).toBe(false);
    expect(fa.lateDatagrams).toBe(1);
    expect(fa.complete).toBe(1);
  });

  it('frame numbers up to u32 work (the wire field)', () => {
    const fa = new FrameAccounting();
    const big = 0xffffffff;
    expect(fa.record(big, 0, 1, 0, 5)).toBe(true);
    expect(fa.highest).toBe(big + 1);
    expect(fa.record(big - FRAME_RING, 0, 1, 0, 5)).toBe(false); // same slot, older
    expect(fa.lateDatagrams).toBe(1);
  });

  it('property: any loss/reorder pattern → complete + partial = frames with ≥ 1 datagram, complete = frames with all', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ count: fc.integer({ min: 1, max: 6 }), keep: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }) }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (frames, seed) => {
          const fa = new FrameAccounting();
          const events: [number, number, number][] = [];
          frames.forEach((f, frame) => {
            for (let i = 0; i < f.count; i++) if (f.keep[i] === true) events.push([frame, i, f.count]);
          });
          // Deterministic shuffle from the seed (reordering across and within frames; the ring is far larger than 60 frames).
          let s = seed;
          for (let i = events.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [events[i], events[j]] = [events[j] as [number, number, number], events[i] as [number, number, number]];
          }
          let completions = 0;
          for (const [frame, index, count] of events) if (fa.record(frame, index, count, frame * 1000, frame * 1000 + 500)) completions++;
          fa.finish();
          const all = frames.filter((f) => f.keep.slice(0, f.count).every(Boolean)).length;
          const some = frames.filter((f) => f.keep.slice(0, f.count).some(Boolean)).length;
          expect(fa.complete).toBe(all);
          expect(completions).toBe(all);
          expect(fa.partial).toBe(some - all);
          expect(fa.lateDatagrams).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('wire: frame extension', () => {
  it('layout constants: the extension follows the 40-byte header', () => {
    expect(FRAMED_HEADER_BYTES).toBe(HEADER_BYTES + FRAME_EXTENSION_BYTES);
    expect(FLAG_FRAMED & FLAG_WARMUP).toBe(0);
  });

  it('stampFrame then decodeFrame gives the fields back (frame u32, index < count ≤ 65535)', () => {
    const out: FrameFields = { frame: -1, index: -1, count: -1 };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 65535 }).chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 0, max: count - 1 }))),
        fc.integer({ min: FRAMED_HEADER_BYTES, max: 1500 }),
        (frame, [count, index], length) => {
          const buf = new Uint8Array(length);
          stampFrame(buf, frame, index, count);
          expect(decodeFrame(buf, length, out)).toBe(true);
          expect(out).toEqual({ frame, index, count });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('stampFrame writes only bytes 40..47 (the header before it stays intact)', () => {
    const buf = new Uint8Array(64).fill(0xaa);
    const h = createHeader();
    h.kind = 0;
    h.flags = FLAG_FRAMED;
    h.session = 77;
    h.seq = 2 ** 40 + 3;
    h.sendTimeNs = 123456789;
    encodeHeader(buf, h);
    stampFrame(buf, 0x01020304, 0x0506, 0x0708);
    expect(Array.from(buf.subarray(40, 48))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(buf.subarray(48))).toEqual(new Array(16).fill(0xaa));
    const back = createHeader();
    expect(decodeHeader(buf, buf.length, 77, back)).toBe(Decode.Ok);
    expect(back.seq).toBe(2 ** 40 + 3);
    expect(back.flags & FLAG_FRAMED).toBe(FLAG_FRAMED);
  });

  it('decodeFrame refuses a datagram shorter than 48 bytes (by length or by buffer)', () => {
    const out: FrameFields = { frame: 0, index: 0, count: 0 };
    const buf = new Uint8Array(100);
    stampFrame(buf, 1, 0, 1);
    expect(decodeFrame(buf, 48, out)).toBe(true);
    for (const length of [0, 1, 40, 47]) expect(decodeFrame(buf, length, out)).toBe(false);
    const short = new Uint8Array(47);
    expect(decodeFrame(short, 48, out)).toBe(false);
  });

  it('decodeFrame refuses index ≥ count and count 0', () => {
    const out: FrameFields = { frame: 0, index: 0, count: 0 };
    const buf = new Uint8Array(48);
    for (const [index, count] of [
      [0, 0],
      [1, 1],
      [5, 5],
      [6, 5],
      [65535, 65535],
      [65535, 1],
    ] as const) {
      stampFrame(buf, 9, index, count);
      expect(decodeFrame(buf, 48, out)).toBe(false);
    }
  });

  it('decodeFrame never throws on arbitrary bytes and accepts exactly the consistent ones', () => {
    const out: FrameFields = { frame: 0, index: 0, count: 0 };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 100 }), (bytes, length) => {
        const okay = decodeFrame(bytes, length, out);
        if (length < 48 || bytes.length < 48) expect(okay).toBe(false);
        else {
          const index = ((bytes[44] as number) << 8) | (bytes[45] as number);
          const count = ((bytes[46] as number) << 8) | (bytes[47] as number);
          expect(okay).toBe(count > 0 && index < count);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
