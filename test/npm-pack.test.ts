/**
 * `npm pack` makes a working package: the tarball installs into an empty
 * prefix (its dependencies from the lockfile's registry, as a user's install
 * would) and both bin names run a real duplex test. Skipped with the reason
 * when npm cannot install here (no registry).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

describe('npm pack', () => {
  it('installs into a temp prefix, and `udp-duplex-lab` and `bench` both run a duplex test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-pack-'));
    execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    const prefix = join(dir, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, tgz as string)], { encoding: 'utf8', timeout: 120_000 });
    if (install.status !== 0) {
      console.log(`npm pack test: skipped: npm could not install the tarball here: ${(install.stderr || '').split('\n').find((l) => /ERR/.test(l)) ?? install.status}`);
      return;
    }
    const bin = join(prefix, 'bin');
    const version = spawnSync(join(bin, 'udp-duplex-lab'), ['--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    const run = spawnSync(join(bin, 'bench'), ['duplex', '-t', '1', '--rate', '1k', '-J', '--no-save', '--no-progress'], { encoding: 'utf8', timeout: 30_000, cwd: dir });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).complete).toBe(true);
  }, 180_000);
});
