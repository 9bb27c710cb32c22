import { describe, expect, it } from 'vitest';
import { expectDropsExplained } from './helpers.js';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

describe('Ctrl-C during a run', () => {
  it('stops, drains, prints and saves a partial result marked complete: false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-int-'));
    const out = join(dir, 'partial.json');
    let signalled = false;
    const r = await runCli(['duplex', '--duration', '30', '--rate', '5k', '--out', out, '--json'], {
      onStderr: (chunk, kill) => {
        // Interrupt after the second interval line.
        if (!signalled && /1\.00-2\.00 s/.test(chunk)) {
          signalled = true;
          kill('SIGINT');
        }
      },
    });
    expect(signalled).toBe(true);
    expect(r.code).toBe(130);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved.complete).toBe(false);
    expect(saved.incompleteReason).toBe('interrupted');
    expect(JSON.parse(r.stdout)).toEqual(saved);
    for (const d of saved.directions) {
      expect(d.sent).toBeGreaterThan(0);
      // Interrupted senders still send end markers with their counts: the check holds for the part that ran.
      expect(d.check.lostBySequence).toBe(d.lost);
      expectDropsExplained(d);
      expect(d.durationSeconds).toBeLessThan(10);
    }
    // Atomic write: no temporary file left behind.
    expect(readdirSync(dir)).toEqual(['partial.json']);
  });
});
