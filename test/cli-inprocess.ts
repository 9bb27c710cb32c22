/**
 * Runs a command's option handling in this process (src/cli/program.ts),
 * for the many "bad option → one line, exit 2" cases: the same program and
 * error path as the built CLI, without a process start per case (~0.5 s
 * each). What the command writes to stdout and stderr is captured; nothing
 * reaches the terminal. Only for cases that fail before any run starts:
 * runtime failures (a port in use, an address not on this machine) keep
 * spawning the built CLI (test/cli.ts).
 */
import { vi } from 'vitest';
import { runProgram } from '../src/cli/program.js';
import type { CliRun } from './cli.js';

export async function runInProcess(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const capture = (sink: 'out' | 'err') => (chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (sink === 'out') stdout += text;
    else stderr += text;
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture('out') as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture('err') as typeof process.stderr.write);
  try {
    const code = await runProgram(args);
    return { code, signal: null, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
