/**
 * Real-time patterns across the control protocol (loopback): the listener
 * sends the B→A pattern it rebuilt from the client's config, the client
 * replays a trace A→B, and the listener's own limits see the pattern's rate.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DuplexResult } from '../src/result/types.js';
import { runCli } from './cli.js';
import { startListener, type Listener } from './listener.js';

let listener: Listener | null = null;
afterEach(async () => {
  await listener?.stop();
  listener = null;
});

describe('patterns in remote mode', () => {
  it('a trace A→B and video B→A run against a listener; frames are counted on both sides, frame delay is against the estimated clock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-trace-'));
    const trace = join(dir, 'call.csv');
    // 3 frames per 100 ms loop: 2 + 1 + 2 datagrams.
    writeFileSync(trace, 'time_us,size,frame\n0,1200,1\n0,600,1\n33333,900,2\n66666,1200,3\n66666,300,3\n');
    listener = await startListener();
    const r = await runCli(['duplex', '--peer', `127.0.0.1:${listener.port}`, '--pattern-ab', 'trace', '--trace', trace, '--pattern-ba', 'video', '-t', '2', '--no-save', '-J', '-i', '0'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as DuplexResult;
    const [ab, ba] = result.directions;
    // 2 s of a 100 ms loop of 3 frames: 60 frames, 100 datagrams.
    expect(ab?.frames?.sent).toBeGreaterThanOrEqual(59);
    expect(ab?.frames?.sent).toBeLessThanOrEqual(61);
    expect(ab?.sent).toBeGreaterThanOrEqual(98);
    expect(ab?.sent).toBeLessThanOrEqual(102);
    // 2 s of 30 fps video from the listener.
    expect(ba?.frames?.sent).toBeGreaterThanOrEqual(59);
    expect(ba?.frames?.sent).toBeLessThanOrEqual(61);
    for (const d of result.directions) {
      expect(d.frames?.sentByEndMarker).toBe(d.frames?.sent);
      expect(d.frames?.delayUs.method).toBe('estimated-offset');
      expect(d.frames?.delayUs.p50).not.toBeNull();
      expect(d.frames?.delayUs.boundUs).toBeGreaterThan(0);
    }
    expect(result.config.patternAb?.kind).toBe('trace');
  }, 40_000);

  it("a video pattern B→A above the listener's --max-rate is refused with the reason", async () => {
    listener = await startListener(['--max-rate', '100']);
    // 2.5 Mbit/s of 1200 B datagrams is about 270 datagrams/s: over the listener's 100.
    const r = await runCli(['duplex', '--peer', `127.0.0.1:${listener.port}`, '--pattern-ab', 'voice', '--pattern-ba', 'video', '-t', '1', '--no-save', '-i', '0'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rate B→A \d+ datagrams\/s exceeds this listener's --max-rate 100/);
  }, 40_000);
});
