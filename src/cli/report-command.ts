/**
 * `bench report FILE...`: render saved results (any kind) as a terminal
 * table, Markdown, CSV or normalised JSON, several side by side, and charts
 * as standalone SVG files.
 */
import type { Command } from 'commander';
import { examplesText } from './examples.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { OptionError, ResultFileError } from '../errors.js';
import { renderChart, renderResults, type ReportFormat } from '../report/render.js';
import { writeFileAtomic } from './files.js';
import { stderrLine, stdoutWidth } from './common.js';
import { addOptions, type RawOptions } from './option-table.js';
import type { AnyResult } from '../result/types.js';

type RawReportOptions = RawOptions<'format' | 'chart' | 'out' | 'wide' | 'label'>;

const FORMATS: readonly ReportFormat[] = ['table', 'md', 'csv', 'json', 'html'];

/**
 * Reads and validates result files; a bad file is a {@link ResultFileError} (exit 2).
 * Each is labelled `labels[i]` when given (`--label`, in file order), else by its file name.
 */
export async function readResults(files: readonly string[], labels: readonly string[] = []): Promise<{ label: string; result: AnyResult }[]> {
  // The schemas load on demand (typebox is ~700 modules): the other commands never pay for them.
  const { parseResultFile } = await import('../result/read.js');
  return files.map((file, i) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ResultFileError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    return { label: labels[i] ?? basename(file).replace(/\.json$/, ''), result: parseResultFile(text, file) };
  });
}

/** Registers `bench report`. */
export function registerReport(program: Command, setExit: (code: number) => void): void {
  const cmd = program
    .command('report')
    .addHelpText('after', examplesText('report'))
    .description('render saved results: a table, Markdown, CSV or JSON; several files side by side; SVG charts')
    .argument('<files...>', 'result files (from bench duplex, --find-max, sweep)');
  addOptions(cmd, 'report', ['format', 'out', 'wide', 'label', 'chart']).action(async (files: string[], raw: RawReportOptions) => {
    if (!FORMATS.includes(raw.format as ReportFormat)) throw new OptionError('--format', `"${raw.format}" must be one of ${FORMATS.join(', ')}`);
    if (raw.chart !== undefined && !raw.chart.endsWith('.svg')) throw new OptionError('--chart', `"${raw.chart}" should name an .svg file`);
    if (raw.label.length > files.length) throw new OptionError('--label', `${raw.label.length} labels for ${files.length} file${files.length === 1 ? '' : 's'}: give at most one per file`);
    if (raw.label.some((l) => l.trim() === '')) throw new OptionError('--label', 'a label cannot be empty');
    const runs = await readResults(files, raw.label);
    const text = renderResults(runs, raw.format as ReportFormat, { width: stdoutWidth(raw.wide === true) });
    if (raw.out === undefined) process.stdout.write(text);
    else {
      writeFileAtomic(raw.out, text);
      stderrLine(`bench: report written to ${raw.out}`);
    }
    if (raw.chart !== undefined) {
      runs.forEach((r, i) => {
        const file = runs.length === 1 ? (raw.chart as string) : (raw.chart as string).replace(/\.svg$/, `-${i + 1}.svg`);
        writeFileAtomic(file, renderChart(r.result));
        stderrLine(`bench: chart written to ${file}`);
      });
    }
    setExit(0);
  });
}
