import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { reusePortSupport } from '../src/udp/socket.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with a bounded lifetime; `onSpawn` may signal it. */
export function runCli(args: string[], opts: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv; onStderr?: (chunk: string, kill: (s: NodeJS.Signals) => void) => void; node?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(opts.node ?? process.execPath, [CLI, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(d.toString(), (s) => child.kill(s));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A UDP port on 127.0.0.1 that was free a moment ago (bound and released). */
export async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/**
 * A Node binary that has dgram's `reusePort` (22.12+): this one, or Node 24
 * from scripts/node-bin.sh (cached by CI's Node 24 pass, else fetched from
 * the npm registry); `skip` with the reason when neither can run here.
 */
export function reusePortNode(): { node: string } | { skip: string } {
  if (reusePortSupport().ok) return { node: process.execPath };
  const script = fileURLToPath(new URL('../scripts/node-bin.sh', import.meta.url));
  const r = spawnSync('bash', [script, '24'], { encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0 && r.stdout.trim() !== '') return { node: r.stdout.trim() };
  return { skip: `no Node 22.12+ here for reusePort (node-bin.sh 24: exit ${r.status}: ${(r.stderr ?? '').split('\n')[0]})` };
}
