import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPortDrops, readSysctl, readUdpCounters } from '../src/udp/kernel.js';
import { kernelDelta } from '../src/bench/phases.js';

describe('kernel counters where /proc is not there', () => {
  it('reports "not available" with the reason instead of failing', () => {
    const root = mkdtempSync(join(tmpdir(), 'noproc-'));
    const snap = readUdpCounters(4, root);
    expect(snap.available).toBe(false);
    expect(snap.source).toMatch(/not readable/);
    expect(readPortDrops(1234, 6, root)).toBeNull();
    expect(readSysctl('net.core.rmem_max', root)).toBeNull();
    const k = kernelDelta(snap, snap);
    expect(k.available).toBe(false);
    expect(k.note).toMatch(/n\/a/);
  });

  it('reads a /proc-shaped tree and diffs it', () => {
    const root = mkdtempSync(join(tmpdir(), 'fakeproc-'));
    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net', 'snmp'), 'Udp: InDatagrams RcvbufErrors\nUdp: 10 1\n');
    const before = readUdpCounters(4, root);
    writeFileSync(join(root, 'net', 'snmp'), 'Udp: InDatagrams RcvbufErrors\nUdp: 25 4\n');
    const after = readUdpCounters(4, root);
    expect(kernelDelta(before, after).delta).toEqual({ InDatagrams: 15, RcvbufErrors: 3 });
  });
});
