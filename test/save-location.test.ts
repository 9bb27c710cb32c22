import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

describe('where runs are saved by default', () => {
  it('outside the checkout: the user data directory (XDG), with the path printed; never the working directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bench-cwd-'));
    const home = mkdtempSync(join(tmpdir(), 'bench-home-'));
    const env = { ...process.env, HOME: home, XDG_DATA_HOME: '', BENCH_RESULTS_DIR: '' };
    const r = await runCli(['duplex', '-t', '1', '--rate', '1k', '--no-progress'], { cwd, env });
    expect(r.code).toBe(0);
    const dir = join(home, '.local', 'share', 'udp-duplex-lab', 'runs');
    expect(readdirSync(dir)).toHaveLength(1);
    expect(r.stderr).toContain(`result saved to ${dir}`);
    expect(existsSync(join(cwd, 'results'))).toBe(false);
  });

  it('BENCH_RESULTS_DIR wins', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bench-cwd-'));
    const target = join(mkdtempSync(join(tmpdir(), 'bench-target-')), 'mine');
    const r = await runCli(['duplex', '-t', '1', '--rate', '1k', '--no-progress'], { cwd, env: { ...process.env, BENCH_RESULTS_DIR: target } });
    expect(r.code).toBe(0);
    expect(readdirSync(target)).toHaveLength(1);
  });
});
