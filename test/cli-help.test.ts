import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { EXAMPLES } from '../src/cli/examples.js';

describe('--help of every subcommand', () => {
  it.each(Object.keys(EXAMPLES))('%s --help ends with 2–4 examples, each of them a valid command line', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    const tail = r.stdout.slice(r.stdout.lastIndexOf('Examples:'));
    const lines = tail.trim().split('\n').slice(1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(4);
    for (const l of lines) expect(l.trim()).toMatch(new RegExp(`^bench ${command}\\b`));
  });

});
