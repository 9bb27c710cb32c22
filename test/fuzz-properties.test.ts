/**
 * Property-based fuzzing (fast-check, shrinking on failure) of everything
 * that parses bytes or JSON from outside: the wire decoders, the control body
 * parser, the control and result schemas. No input may make them throw, and
 * accepted values must respect their bounds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CONTROL_HEADER_BYTES, HEADER_BYTES, TAG_BYTES, createHeader, decodeControl, decodeHeader, encodeControl, Kind } from '../src/udp/wire.js';
import { parseBody } from '../src/bench/control.js';
import { HelloBody, ParamsBody, RemoteReportSchema } from '../src/bench/control-schema.js';
import { AnyResultSchema, firstProblem, matches } from '../src/result/schema.js';

const RUNS = 3000;

describe('wire decoders on arbitrary bytes', () => {
  it('decodeHeader and decodeControl never throw, and a decoded control frame stays inside its datagram', () => {
    const h = createHeader();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), fc.boolean(), (bytes, withMagic) => {
        const buf = Buffer.from(bytes);
        // Half the inputs start like a real frame so that the deeper branches are reached.
        if (withMagic && buf.length >= 8) buf.set([0x55, 0x44, 0x58, 0x31, 2, 16 + (buf[5] ?? 0) % 12], 0);
        decodeHeader(buf, buf.length, null, h);
        const f = decodeControl(buf);
        if (f !== null) {
          expect(f.chunkIndex).toBeLessThan(f.chunkCount);
          expect(f.body.length + CONTROL_HEADER_BYTES + (f.tag === null ? 0 : TAG_BYTES)).toBe(buf.length);
          expect(f.signed.length).toBe(buf.length - (f.tag === null ? 0 : TAG_BYTES));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('encodeControl then decodeControl gives the same fields back', () => {
    fc.assert(
      fc.property(
        fc.record({ kind: fc.integer({ min: 16, max: 255 }), session: fc.integer({ min: 0, max: 0xffffffff }), msgId: fc.integer({ min: 0, max: 2 ** 40 }), chunkCount: fc.integer({ min: 1, max: 65535 }), tagged: fc.boolean() }),
        fc.uint8Array({ maxLength: 1100 }),
        (spec, body) => {
          const chunkIndex = spec.chunkCount - 1;
          const f = decodeControl(encodeControl({ ...spec, sendTimeNs: 0, chunkIndex, body }));
          expect(f).not.toBeNull();
          expect(f?.kind).toBe(spec.kind);
          expect(f?.session).toBe(spec.session);
          expect(f?.msgId).toBe(spec.msgId);
          expect(f?.tag !== null).toBe(spec.tagged);
          expect(Buffer.compare(f?.body ?? Buffer.alloc(0), Buffer.from(body))).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the header of a data datagram is never mistaken for a control frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: HEADER_BYTES, maxLength: 200 }), (bytes) => {
        const buf = Buffer.from(bytes);
        buf.set([0x55, 0x44, 0x58, 0x31, 2, Kind.Data], 0);
        expect(decodeControl(buf)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

describe('control bodies and schemas on arbitrary JSON', () => {
  it('parseBody never throws; the schemas never throw and accept only bounded values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1'))), (text) => {
        const value = parseBody(Buffer.from(text, 'utf8'));
        for (const schema of [HelloBody, ParamsBody, RemoteReportSchema]) {
          const ok = matches(schema, value);
          const problem = firstProblem(schema, value);
          expect(ok).toBe(problem === null);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a hello is accepted only with a 32-hex-digit nonce and a short auth', () => {
    fc.assert(
      fc.property(fc.record({ v: fc.anything(), nonce: fc.anything(), auth: fc.anything() }, { requiredKeys: [] }), (body) => {
        if (matches(HelloBody, body)) {
          expect(body.nonce).toMatch(/^[0-9a-f]{32}$/);
          expect(body.auth === null || (typeof body.auth === 'string' && body.auth.length <= 64)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the result reader\'s schema on arbitrary documents', () => {
  it('never throws, and points at a path for anything it refuses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ kind: fc.constantFrom('duplex', 'sweep', 'search', 'x'), schemaVersion: fc.integer(), directions: fc.anything() })), (doc) => {
        const p = firstProblem(AnyResultSchema, doc);
        if (p !== null) expect(p.path.startsWith('/')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
