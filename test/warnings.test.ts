/**
 * Warnings are made from figures by one table (src/result/warnings.ts): the
 * sentences stay exactly what results already carry, and no producer in
 * src/bench writes a warning's text itself.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { makeWarning } from '../src/result/warnings.js';
import { parseResultFile } from '../src/result/read.js';

describe('makeWarning', () => {
  it('writes the sentences results carry, from the figures', () => {
    expect(makeWarning('undersent', { direction: 'A→B', offeredPps: 300_000, sentPps: 82_700 })).toEqual({
      code: 'undersent',
      direction: 'A→B',
      message: 'A→B undersent: offered 300,000/s, sent 82,700/s (28 %): the sender, not the network, was the limit; its loss figures describe the lower rate',
    });
    expect(makeWarning('rcvbuf-clamped', { requestedBytes: 4194304, effectiveBytes: 425984, sysctl: 'net.core.rmem_max', cap: '212992' }, { hint: 'sysctl -w net.core.rmem_max=4194304' })).toMatchObject({
      message: '--rcvbuf 4194304 bytes was clamped: the kernel gave 425984 bytes (net.core.rmem_max = 212992 caps the request; the kernel doubles what it grants)',
      hint: 'sysctl -w net.core.rmem_max=4194304',
    });
    expect(makeWarning('no-end-marker', { endpoint: 'B', senders: 1 }).message).toBe("endpoint B did not see the peer's end marker");
    expect(makeWarning('no-end-marker', { endpoint: null, senders: 4 }).message).toMatch(/did not see all its end markers .*the senders reported their counts/);
    expect(makeWarning('peer-timeout', { silentMs: 3040, peerTimeoutSeconds: 3 }).message).toBe('nothing heard from the peer for 3.0 s (--peer-timeout 3 s): stopped sending');
    expect(makeWarning('check-disagrees', { direction: 'B→A', lost: 5, lostBySequence: 4, kernelDrops: null, note: null }).message).toBe('B→A loss check disagrees: sent − received = 5, by sequence 4, kernel drops n/a');
  });

  it('every published undersent warning is what the table writes from that direction', () => {
    let checked = 0;
    for (const f of readdirSync('results').filter((x) => x.startsWith('duplex') && x.endsWith('.json'))) {
      const r = parseResultFile(readFileSync(`results/${f}`, 'utf8'), f);
      if (r.kind !== 'duplex') continue;
      for (const w of r.warnings.filter((x) => x.code === 'undersent')) {
        const d = r.directions.find((x) => `${x.from}→${x.to}` === w.direction);
        expect(d?.offeredPps != null && d.sentPps != null).toBe(true);
        expect(makeWarning('undersent', { direction: w.direction as 'A→B', offeredPps: d?.offeredPps as number, sentPps: d?.sentPps as number }).message, f).toBe(w.message);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('producers', () => {
  it('no module in src/bench writes a warning sentence itself', () => {
    for (const f of readdirSync('src/bench').filter((x) => x.endsWith('.ts'))) {
      const text = readFileSync(`src/bench/${f}`, 'utf8');
      expect(text, f).not.toMatch(/code: '[a-z]+(-[a-z]+)+',\s*(direction: [^,]+,\s*)?message:/);
      expect(text, f).not.toMatch(/code: `\$\{kind\}-clamped`/);
    }
  });
});
