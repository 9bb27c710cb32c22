/**
 * Writing result files atomically: write a temporary file in the same
 * directory, flush it to disk, then rename it over the target, so a reader
 * (or a crash) never sees half a file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/** Writes `text` to `file` atomically, creating the directory if needed. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A default file name for a saved result: `results/runs/<time>-<kind>-<detail>.json`. */
export function defaultResultPath(kind: string, detail: string, startedAt: string): string {
  const stamp = startedAt.replace(/[:.]/g, '-');
  return join('results', 'runs', `${stamp}-${kind}-${detail}.json`);
}
