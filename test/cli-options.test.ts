import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { runCli } from './cli.js';
import { runInProcess } from './cli-inprocess.js';

const cases: [string, string[], RegExp][] = [
  ['port above 65535', ['--port', '70000'], /^bench: --port: /],
  ['negative port', ['--port', '-1'], /^bench: --port: /],
  ['size below the header', ['--size', '10'], /^bench: --size: .*40/],
  ['size above the IPv4 maximum', ['--size', '65508'], /^bench: --size: .*65507/],
  ['a rate that does not parse', ['--rate', 'fast'], /^bench: --rate: /],
  ['a bad per-direction rate', ['--rate-ba', '12 parsecs'], /^bench: --rate-ba: /],
  ['zero duration', ['--duration', '0'], /^bench: --duration: /],
  ['negative duration', ['--duration', '-3'], /^bench: --duration: /],
  ['unknown thread mode', ['--threads', 'many'], /^bench: --threads: /],
  ['a bad buffer size', ['--rcvbuf', '4 lots'], /^bench: --rcvbuf: /],
  ['an unknown host', ['--host', 'no-such-host.invalid'], /^bench: --host: /],
  ['an unknown option', ['--frobnicate'], /^bench: .*--frobnicate/],
];
/** Failures the runtime finds (binding): through the built CLI, a process each. */
const runtimeCases: [string, string[], RegExp][] = [['an address not on this machine', ['--host', '198.18.7.7'], /^bench: --host: /]];

describe('bad options', () => {
  it.each([...cases.map((c) => [...c, runInProcess] as const), ...runtimeCases.map((c) => [...c, runCli] as const)])('%s → one line naming the option, exit 2', async (_name, args, pattern, run) => {
    const r = await run(['duplex', '--no-save', '--duration', '1', ...args]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('a port already in use → --port, exit 2', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const port = s.address().port;
    try {
      const r = await runCli(['duplex', '--no-save', '--duration', '1', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^bench: --port: port ${port} .*in use`));
    } finally {
      s.close();
    }
  });
});

describe('bad bench listen options', () => {
  it.each([['0'], ['65'], ['many'], ['1.5'], ['']])('--max-clients "%s" → one line naming the option and its range, exit 2, nothing bound', async (value) => {
    const r = await runInProcess(['listen', '--no-save', '--port', '0', '--max-clients', value]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^bench: --max-clients: .*must be an integer from 1 to 64$/);
    expect(r.stderr).not.toMatch(/listening on/);
  });
});
