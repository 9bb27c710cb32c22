/**
 * Saving result files so that a save never loses or corrupts a result:
 *
 * - before a run, {@link prepareOutput} checks that the directory exists or
 *   can be created and that a file can be created in it, so a bad `--out`
 *   fails in a second with exit 2, not after a ten-minute run;
 * - {@link writeFileAtomic} writes a temporary file in the same directory,
 *   checks that every byte was written (`writeSync` may write fewer bytes
 *   than asked on a full disk), flushes it, and only then renames it over
 *   the target: on any failure the old file is left as it was.
 *
 * Directories are created one component at a time, never with
 * `mkdirSync(…, { recursive: true })`: under /proc that call never returns
 * (it loops on ENOENT, Node 20–26).
 */
import { closeSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BenchError } from '../errors.js';

/** A result could not be saved; the message says where and why. */
export class SaveError extends BenchError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`cannot save ${file}: ${message}`, 'ESAVE');
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code !== undefined ? `${e.code}${e.syscall !== undefined ? ` (${e.syscall})` : ''}` : String(e.message ?? err);
}

/** Most directory levels created for one file (a guard, not a limit anyone should meet). */
const MAX_NEW_LEVELS = 32;

/**
 * Makes sure `dir` exists, creating missing components one by one from the
 * nearest existing ancestor. Throws {@link SaveError}.
 */
export function ensureDirectory(dir: string, file: string = dir): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SaveError(file, `${d}: ${reason(err)}`);
      missing.push(d);
      if (missing.length > MAX_NEW_LEVELS) throw new SaveError(file, `more than ${MAX_NEW_LEVELS} directory levels to create`);
      const parent = dirname(d);
      if (parent === d) throw new SaveError(file, 'no existing parent directory');
      d = parent;
      continue;
    }
    if (!st.isDirectory()) throw new SaveError(file, `${d} is not a directory`);
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && lstatSync(m).isDirectory()) continue;
      throw new SaveError(file, `cannot create ${m}: ${reason(err)}`);
    }
    // /proc and similar file systems may accept mkdir and still have no directory there.
    try {
      if (!statSync(m).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new SaveError(file, `created ${m} but it is not usable: ${reason(err)}`);
    }
  }
}

function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Checks, before a run, that `file` can be written: its directory exists or
 * is created, and a file can be created there (a probe, removed at once).
 * An existing target that is a directory is refused. Throws {@link SaveError}.
 */
export function prepareOutput(file: string): void {
  ensureDirectory(dirname(file), file);
  try {
    if (statSync(file).isDirectory()) throw new SaveError(file, 'is a directory');
  } catch (err) {
    if (err instanceof SaveError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SaveError(file, reason(err));
  }
  const probe = tempName(file);
  try {
    closeSync(openSync(probe, 'wx', 0o644));
  } catch (err) {
    throw new SaveError(file, `the directory is not writable: ${reason(err)}`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * Writes `text` to `file` atomically. On any failure the target is left as
 * it was, the temporary file is removed, and a {@link SaveError} says why.
 */
export function writeFileAtomic(file: string, text: string): void {
  ensureDirectory(dirname(file), file);
  const tmp = tempName(file);
  const data = Buffer.from(text, 'utf8');
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < data.length) {
      const n = writeSync(fd, data, off, data.length - off);
      if (n <= 0) throw new SaveError(file, `the write stopped after ${off} of ${data.length} bytes`);
      off += n;
    }
    fsyncSync(fd);
    const size = fstatSync(fd).size;
    if (size !== data.length) throw new SaveError(file, `wrote ${size} of ${data.length} bytes`);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the first error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw err instanceof SaveError ? err : new SaveError(file, reason(err));
  }
}

/**
 * A default file name for a saved result: `<dir>/<time>-<kind>-<detail>.json`.
 * Every part comes from this process (its own clock and validated config):
 * nothing a peer sent becomes part of a path. Anything outside
 * `[A-Za-z0-9._-]` is replaced, whatever the caller passes.
 */
export function defaultResultPath(kind: string, detail: string, at: Date, dir: string = join('results', 'runs')): string {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 64);
  return join(dir, `${safe(stamp)}-${safe(kind)}-${safe(detail)}.json`);
}
