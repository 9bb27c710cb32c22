/**
 * `bench … | head -1`: the reader closes the pipe before the CLI has written
 * everything. Writing into it fails with EPIPE; the CLI must treat that as the
 * reader's choice — no stack trace, its own exit code, a run's result still
 * saved — not crash with "Unhandled 'error' event".
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './cli.js';

/** Runs the CLI with its stdout's read end closed at once (every write meets EPIPE). */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('a reader that closes the pipe early', () => {
  it('help: exit 0, no stack trace', async () => {
    const r = await withClosedStdout(['duplex', '--help']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect(r.code).toBe(0);
  });

  it('a run: its own exit code, no stack trace, and the result still saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-epipe-'));
    try {
      const out = join(dir, 'r.json');
      const r = await withClosedStdout(['duplex', '-t', '0.5', '--rate', '1k', '--no-progress', '--out', out]);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
      expect(r.code).toBe(0);
      expect(existsSync(out)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
