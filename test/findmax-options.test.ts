import { describe, expect, it } from 'vitest';
import { runInProcess } from './cli-inprocess.js';

const cases: [string, string[], RegExp][] = [
  ['a loss threshold above 100 %', ['--find-max', '--loss-threshold', '101'], /^bench: --loss-threshold: /],
  ['a negative loss threshold', ['--find-max', '--loss-threshold=-1'], /^bench: --loss-threshold: /],
  ['a zero trial duration', ['--find-max', '--trial-duration', '0'], /^bench: --trial-duration: /],
  ['"max" as the floor', ['--find-max', '--floor', 'max'], /^bench: --floor: /],
  ['"max" as the ceiling', ['--find-max', '--ceiling', 'max'], /^bench: --ceiling: /],
  ['a ceiling below the floor', ['--find-max', '--floor', '5k', '--ceiling', '2k'], /^bench: --ceiling: .*--floor/],
  ['zero trials', ['--find-max', '--max-trials', '0'], /^bench: --max-trials: /],
  ['a rate with --find-max', ['--find-max', '--rate-ab', '5k'], /^bench: --rate-ab: .*--find-max/],
  ['a search option without --find-max', ['--trial-duration', '1'], /^bench: --trial-duration: .*--find-max/],
];

describe('bench duplex --find-max: bad options', () => {
  it.each(cases)('%s → one line naming the option, exit 2', async (_name, args, pattern) => {
    const r = await runInProcess(['duplex', '--no-save', ...args]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stdout).toBe('');
  });
});
