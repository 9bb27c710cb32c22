/**
 * Saves never lose or corrupt a result. The failures are real: a tmpfs that
 * is full (ENOSPC) or remounted read-only (EROFS) under the run, and a path
 * under /proc, where directories cannot be made. Mounting needs root; those
 * cases are skipped with the reason otherwise.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { truncateSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { startListener } from './listener.js';

const isRoot = process.getuid?.() === 0;
let mountOk = false;
if (isRoot) {
  const probe = mkdtempSync(join(tmpdir(), 'bench-mnt-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    mountOk = true;
  } catch {
    mountOk = false;
  }
  rmSync(probe, { recursive: true, force: true });
}
const why = !isRoot ? 'not root: cannot mount a small tmpfs' : 'mount -t tmpfs failed here';
if (!mountOk) console.log(`save tests on tmpfs: skipped: ${why}`);

/** Appends 1 KiB blocks until the file system refuses (ENOSPC), then frees `leaveBytes`. Bounded: a 64 KiB tmpfs. */
function fill(file: string, leaveBytes = 0): void {
  const fd = openSync(file, 'a');
  let written = 0;
  try {
    for (let i = 0; i < 1024; i++) written += writeSync(fd, Buffer.alloc(1024));
  } catch {
    // ENOSPC: full, which is the point
  } finally {
    closeSync(fd);
  }
  if (leaveBytes > 0) truncateSync(file, Math.max(0, written - leaveBytes));
}

const OLD = '{"old": "result, must survive"}\n';

describe('--out that cannot be written is refused before the run', () => {
  it('a path under /proc: exit 2 with one line, within seconds, nothing run', async () => {
    const r = await runCli(['duplex', '--out', '/proc/x/r.json', '--duration', '5'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^bench: --out: cannot save \/proc\/x\/r\.json/);
    expect(r.stdout).toBe('');
  });

  it('a file whose parent is a file: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-out-'));
    writeFileSync(join(dir, 'f'), 'x');
    const r = await runCli(['duplex', '--out', join(dir, 'f', 'r.json'), '--duration', '5'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a directory/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!mountOk)('saves on a small tmpfs (root)', () => {
  let mnt = '';
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'bench-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    writeFileSync(join(mnt, 'r.json'), OLD);
  });
  afterEach(() => {
    try {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(mnt, { recursive: true, force: true });
  });

  it('read-only before the run: exit 2, nothing run, the old file intact', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const r = await runCli(['duplex', '--out', join(mnt, 'r.json'), '--duration', '5'], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/EROFS/);
    expect(readFileSync(join(mnt, 'r.json'), 'utf8')).toBe(OLD);
  });

  it.each([
    ['full', 0],
    // 4 KiB free: the first write succeeds partly (writeSync returns fewer bytes than asked), the next fails.
    ['4 KiB free', 4096],
  ])('%s disk after the run: the old file intact, one line why, the result still printed, exit 1', async (_label, leave) => {
    // Full already: the pre-run check only creates an empty probe file, which still fits; the result does not.
    fill(join(mnt, 'filler'), leave);
    const r = await runCli(['duplex', '--out', join(mnt, 'r.json'), '--duration', '1', '--rate', '1k', '--no-progress'], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(readFileSync(join(mnt, 'r.json'), 'utf8')).toBe(OLD);
    const lines = r.stderr.split('\n').filter((l) => /cannot save/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ENOSPC|stopped after|wrote \d+ of/);
    // The table is on stdout and the full JSON on stderr: the measurement is not lost.
    expect(r.stdout).toMatch(/A→B/);
    const json = r.stderr.slice(r.stderr.indexOf('{\n'));
    expect(JSON.parse(json).kind).toBe('duplex');
    // No temporary file left behind.
    expect(readdirSync(mnt).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('read-only after the run with --json: the JSON on stdout, exit 1, the old file intact', async () => {
    let remounted = false;
    const r = await runCli(['duplex', '--out', join(mnt, 'r.json'), '--duration', '1', '--rate', '1k', '--json'], {
      onStderr: (chunk) => {
        if (!remounted && /0\.00-1\.00 s/.test(chunk)) {
          remounted = true;
          execFileSync('mount', ['-o', 'remount,ro', mnt]);
        }
      },
      timeoutMs: 30_000,
    });
    expect(remounted).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot save .*EROFS/);
    expect(JSON.parse(r.stdout).kind).toBe('duplex');
    expect(readFileSync(join(mnt, 'r.json'), 'utf8')).toBe(OLD);
  });

  it('a listener whose save fails logs it and keeps serving', async () => {
    const l = await startListener(['--out', join(mnt, 'r.json'), '--json']);
    try {
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      for (let i = 0; i < 2; i++) {
        const r = await runCli(['duplex', '--peer', `127.0.0.1:${l.port}`, '--duration', '1', '--rate', '1k', '--no-save', '--json']);
        expect(r.code).toBe(0);
      }
      await l.result(2);
      expect(l.stderr().split('\n').filter((x) => /cannot save .*EROFS/.test(x))).toHaveLength(2);
      expect(l.child.exitCode).toBeNull();
      expect(readFileSync(join(mnt, 'r.json'), 'utf8')).toBe(OLD);
    } finally {
      await l.stop();
    }
  });
});
