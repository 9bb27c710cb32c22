import { describe, expect, it } from 'vitest';
import { runInProcess } from './cli-inprocess.js';

// Every case has a valid first cell and a bad value later in a list (or a bad
// combination): nothing may run before the whole matrix has been validated.
const cases: [string, string[], RegExp][] = [
  ['a buffer size that does not parse', ['--rcvbuf', '208k,4 lots'], /^bench: --rcvbuf: .*4 lots/],
  ['an empty list item', ['--rcvbuf', '208k,,4m'], /^bench: --rcvbuf: .*empty item/],
  ['a send buffer above what the kernel accepts', ['--sndbuf', '1m,3g'], /^bench: --sndbuf: /],
  ['a size below the header', ['--size', '64,10'], /^bench: --size: .*40/],
  ['a size that is not a number', ['--size', '64,big'], /^bench: --size: /],
  ['a rate that does not parse', ['--rate', '2k,fast'], /^bench: --rate: .*fast/],
  ['an unknown thread layout', ['--threads', 'single,many'], /^bench: --threads: .*many/],
  ['a zero duration', ['--size', '64,512', '--duration', '0'], /^bench: --duration: /],
  ['--rate with --find-max', ['--find-max', '--rate', '50k'], /^bench: --rate: .*--find-max/],
  ['a search option without --find-max', ['--floor', '1k'], /^bench: --floor: .*--find-max/],
  ['a ceiling below the floor', ['--find-max', '--floor', '2k', '--ceiling', '1k'], /^bench: --ceiling: .*--floor/],
];

describe('bench sweep: bad list values', () => {
  it.each(cases)('%s → one line naming the option, exit 2, nothing run', async (_name, args, pattern) => {
    const r = await runInProcess(['sweep', '--no-save', '--duration', '1', ...args]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1); // no progress line: no cell started
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
