/**
 * The control-message registry is the one description of every control kind;
 * docs/protocol.md §2 is checked against it, row by row, so neither drifts.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONTROL_MESSAGES, UNTAGGED_KINDS, bodyOf, kindName, readBody } from '../src/bench/control-registry.js';
import { CONTROL_KIND_MIN, Kind } from '../src/udp/wire.js';

describe('the control-message registry', () => {
  it('has one entry for every control kind of the wire module', () => {
    const wireKinds = Object.values(Kind).filter((k) => k >= CONTROL_KIND_MIN).sort((a, b) => a - b);
    expect(Object.keys(CONTROL_MESSAGES).map(Number).sort((a, b) => a - b)).toEqual(wireKinds);
  });

  it('agrees with the message table of docs/protocol.md: name, sender, tagged', () => {
    const doc = readFileSync('docs/protocol.md', 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| ([a-z-]+) \| (client|listener|both) \| .* \| (yes|no)[^|]* \|$/gm)].map((m) => ({ kind: Number(m[1]), name: m[2], from: m[3], tagged: m[4] === 'yes' }));
    expect(rows.length).toBe(Object.keys(CONTROL_MESSAGES).length);
    for (const r of rows) {
      const e = (CONTROL_MESSAGES as Record<number, { name: string; from: string; tagged: string }>)[r.kind];
      expect(e, `kind ${r.kind}`).toBeDefined();
      expect({ name: e?.name, from: e?.from, tagged: e?.tagged === 'with-secret' }).toEqual({ name: r.name, from: r.from, tagged: r.tagged });
    }
    expect([...UNTAGGED_KINDS].sort((a, b) => a - b)).toEqual(rows.filter((r) => !r.tagged).map((r) => r.kind));
  });

  it('hands a body over typed only when its kind and schema match', () => {
    const go = (body: unknown, kind: number = Kind.Go) => ({ frame: { kind }, body });
    expect(bodyOf(go({ session: 5, offsetNs: 10 }), Kind.Go)).toEqual({ session: 5, offsetNs: 10 });
    expect(bodyOf(go({ session: 5 }, Kind.GoAck), Kind.Go)).toBeNull();
    expect(bodyOf(go({ session: 0 }), Kind.Go)).toBeNull();
    expect(bodyOf(go({ session: 5, offsetNs: 1e300 }), Kind.Go)).toBeNull();
    expect(bodyOf(go(null), Kind.Go)).toBeNull();
    expect(readBody(go({ session: 'x' }), Kind.Go).problem?.path).toBe('/session');
    expect(bodyOf({ frame: { kind: Kind.Ack }, body: { i: 70000 } }, Kind.Ack)).toBeNull();
    expect(kindName(Kind.TimeProbe)).toBe('time-probe');
    expect(kindName(99)).toBe('kind 99');
  });
});
