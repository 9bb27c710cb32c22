import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli.js';

/** A `bench listen` process on a free loopback port, stopped by `stop()`. */
export interface Listener {
  port: number;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr matches. */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
  stop: () => Promise<number | null>;
  /** Resolves with the exit code once the process exits by itself. */
  exited: () => Promise<number | null>;
  /** Resolves with the `n`-th JSON result printed on stdout (1-based). */
  result: (n: number, timeoutMs?: number) => Promise<any>;
}

/** Splits pretty-printed JSON documents written one after another. */
export function jsonDocs(text: string): unknown[] {
  return text
    .split(/^}\n/m)
    .filter((p) => p.trim().startsWith('{'))
    .map((p) => JSON.parse(`${p}}`));
}

/** `save`: leave out `--no-save` (results go to `BENCH_RESULTS_DIR` in `env`, or `--out`). */
export function startListener(args: string[] = [], opts: { save?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'listen', '--port', '0', ...(opts.save === true ? [] : ['--no-save']), ...args], { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waiters: { re: RegExp; fn: () => void }[] = [];
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000); // never outlive the test run
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      for (const w of [...waiters]) if (w.re.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.fn();
      }
      const m = /listening on (?:127\.0\.0\.1|\[::1\]):(\d+)/.exec(err);
      if (m && !started) {
        started = true;
        resolve(listener(Number(m[1])));
      }
    });
    let started = false;
    const exited = new Promise<number | null>((r) => child.on('close', (code) => {
      clearTimeout(kill);
      if (!started) reject(new Error(`listener exited early: ${err}`));
      r(code);
    }));
    const listener = (port: number): Listener => ({
      port,
      child,
      stdout: () => out,
      stderr: () => err,
      waitFor: (re, timeoutMs = 20_000) =>
        new Promise<void>((res, rej) => {
          if (re.test(err)) return res();
          const t = setTimeout(() => rej(new Error(`listener never printed ${re}: ${err}`)), timeoutMs);
          waiters.push({ re, fn: () => { clearTimeout(t); res(); } });
        }),
      exited: () => exited,
      result: async (n, timeoutMs = 20_000) => {
        const until = Date.now() + timeoutMs; // test deadline only, not a measurement
        while (Date.now() < until) {
          const docs = jsonDocs(out);
          if (docs.length >= n) return docs[n - 1];
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`listener printed no result #${n}: ${out}`);
      },
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    });
  });
}
