/**
 * `bench micro`: micro-benchmarks of the per-datagram hot paths, table or JSON.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { finishResult, planSave, stderrLine, stdoutWidth, type OutputOptions } from './common.js';
import { parseIntIn } from './options.js';
import { addOptions, type RawOptions } from './option-table.js';
import { MICRO_ROW_NAMES, runMicro } from '../bench/micro.js';
import { formatMicroTable } from '../report/micro.js';

type RawMicroOptions = RawOptions<'time' | 'json' | 'save' | 'out'>;

async function microAction(raw: RawMicroOptions): Promise<number> {
  const timeMs = parseIntIn('--time', raw.time, 1, 600_000);
  const out: OutputOptions = { save: raw.save, progress: false, interval: '0', ...(raw.json ? { json: true } : {}), ...(raw.out !== undefined ? { out: raw.out } : {}) };
  const plan = planSave(out);
  stderrLine(`bench: micro: ${MICRO_ROW_NAMES.length} benchmarks, ${timeMs} ms each…`);
  const result = await runMicro({ timeMs });
  return finishResult(result, out, plan, 'hotpath', () => formatMicroTable(result, { width: stdoutWidth() }), null);
}

/** Registers `bench micro`. */
export function registerMicro(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('micro')
    .addHelpText('after', examplesText('micro'))
    .description('micro-benchmarks of the per-datagram hot paths (ns per operation, no sockets)');
  addOptions(cmd, 'micro', ['time', 'json', 'save', 'out']).action(async (opts: RawMicroOptions) => {
    setExit(await microAction(opts));
  });
}
