import { spawn } from 'node:child_process';

/** What a bounded child process left behind. */
export interface BoundedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` with its output collected, killed (SIGKILL) after `timeoutMs`: every test child is bounded in time. */
export function runBounded(command: string, args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<BoundedRun> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
