/**
 * Issue #12, point 11: each option is declared once (src/cli/option-table.ts)
 * and shared by the commands that take it, with the same short flag and help
 * everywhere unless the table declares a variant; and the CLI imports bench,
 * not udp.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { OPTIONS, VARIANTS, optionSpec, type CommandName, type OptionName } from '../src/cli/option-table.js';
import { runCli } from './cli.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The CLI's sources: src/cli.ts and src/cli/*.ts, as [path, text]. */
function cliSources(): [string, string][] {
  const files = ['cli.ts', ...readdirSync(join(SRC, 'cli')).filter((f) => f.endsWith('.ts')).map((f) => join('cli', f))];
  return files.map((f) => [f, readFileSync(join(SRC, f), 'utf8')]);
}

/**
 * The options listed by `bench <command> --help`, by long flag: the flags as
 * printed and the description with commander's line wrapping undone.
 */
async function helpOptions(command: string): Promise<Map<string, { flags: string; help: string }>> {
  const r = await runCli([command, '--help']);
  expect(r.code).toBe(0);
  const section = r.stdout.slice(r.stdout.indexOf('Options:'), r.stdout.indexOf('Examples:')).split('\n').slice(1);
  const items: string[] = [];
  for (const line of section) {
    if (/^ {2}-/.test(line)) items.push(line.trim());
    else if (line.trim() !== '' && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
  }
  const options = new Map<string, { flags: string; help: string }>();
  for (const item of items) {
    const m = /^(\S.*?)(?: {2,}(.*))?$/.exec(item);
    const flags = m?.[1] ?? item;
    const long = /--[\w-]+/.exec(flags)?.[0];
    if (long !== undefined) options.set(long, { flags, help: (m?.[2] ?? '').replace(/\s+/g, ' ') });
  }
  return options;
}

const RUNNING: CommandName[] = ['duplex', 'sweep', 'listen'];

describe('one option table', () => {
  it('no option is declared outside src/cli/option-table.ts', () => {
    const declaring = /\.(option|requiredOption|addOption)\(|new Option\(/;
    const offenders = cliSources()
      .filter(([file]) => file !== join('cli', 'option-table.ts'))
      .flatMap(([file, text]) => text.split('\n').map((line, i) => [`${file}:${i + 1}`, line] as const))
      .filter(([, line]) => declaring.test(line))
      .map(([where, line]) => `${where}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('names every option by the attribute commander gives it, so commands read values by table name', () => {
    for (const [name, spec] of Object.entries(OPTIONS)) expect(new Option(spec.flags).attributeName(), spec.flags).toBe(name);
  });

  it('a variant changes help, default or placeholder, never the long name or short flag', () => {
    for (const [command, variants] of Object.entries(VARIANTS)) {
      for (const name of Object.keys(variants ?? {}) as OptionName[]) {
        const base = new Option(OPTIONS[name].flags);
        const variant = new Option(optionSpec(command as CommandName, name).flags);
        expect([variant.long, variant.short], `${command} ${name}`).toEqual([base.long, base.short]);
      }
    }
  });

  it('duplex, sweep and listen --help list each shared option with the same flags and help, unless the table declares a variant', async () => {
    const helps = new Map<CommandName, Map<string, { flags: string; help: string }>>();
    for (const command of RUNNING) helps.set(command, await helpOptions(command));
    const byLong = new Map(Object.keys(OPTIONS).map((name) => [new Option(OPTIONS[name as OptionName].flags).long, name as OptionName]));
    let shared = 0;
    for (const [long, name] of byLong) {
      const plain = RUNNING.filter((c) => helps.get(c)?.has(long ?? '') === true && VARIANTS[c]?.[name] === undefined);
      if (plain.length < 2) continue;
      shared += 1;
      const seen = plain.map((c) => helps.get(c)?.get(long ?? ''));
      for (const s of seen) expect(s, `${long} in ${plain.join(', ')}`).toEqual(seen[0]);
    }
    // host/port/peer/secret/duration/omit/json/save/… — not a vacuous check.
    expect(shared).toBeGreaterThanOrEqual(15);
  });

  it('every option a command lists has the help the table gives it', async () => {
    for (const command of [...RUNNING, 'micro', 'report'] as CommandName[]) {
      const listed = await helpOptions(command);
      for (const name of Object.keys(OPTIONS) as OptionName[]) {
        const spec = optionSpec(command, name);
        const option = listed.get(new Option(spec.flags).long ?? '');
        if (option === undefined) continue;
        expect(option.flags, `${command} ${name}`).toBe(spec.flags);
        expect(option.help.startsWith(spec.help), `${command} ${name}: ${option.help}`).toBe(true);
      }
    }
  });

  it('short flags work wherever the option exists', async () => {
    const help = {
      sweep: await helpOptions('sweep'),
      listen: await helpOptions('listen'),
      micro: await helpOptions('micro'),
    };
    expect(help.sweep.get('--duration')?.flags).toBe('-t, --duration <s>');
    expect(help.sweep.get('--size')?.flags).toBe('-l, --size <list>');
    expect(help.sweep.get('--port')?.flags).toBe('-p, --port <n>');
    expect(help.sweep.get('--json')?.flags).toBe('-J, --json');
    expect(help.listen.get('--port')?.flags).toBe('-p, --port <n>');
    expect(help.listen.get('--port')?.help).toContain('(default: "5301")');
    expect(help.listen.get('--json')?.flags).toBe('-J, --json');
    expect(help.micro.get('--json')?.flags).toBe('-J, --json');
    // Each short flag reaches its option: a bad value is named by the long flag, before anything runs.
    const cases: [string[], RegExp][] = [
      [['sweep', '--no-save', '-t', '0'], /^bench: --duration: /],
      [['sweep', '--no-save', '-t', '1', '-p', '7000', '-l', '64,10'], /^bench: --size: .*40/],
      [['sweep', '--no-save', '-p', '70000'], /^bench: --port: /],
      [['listen', '-J', '-p', '70000'], /^bench: --port: /],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
    }
  });
});

describe('the CLI imports bench, not udp', () => {
  it('no src/cli module imports src/udp, not even a type', () => {
    const offenders = cliSources()
      .filter(([, text]) => /(from|import)\s*\(?\s*['"](\.\.?\/)+udp\//.test(text))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
