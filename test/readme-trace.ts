/**
 * Traces the figures a README quotes back to the published result files.
 *
 * Why: README figures used to drift from results/ (numbers from another run,
 * another machine, or none at all). Every figure in the sections we check must
 * be a value some results/*.json holds (at the precision it is printed with),
 * or be computed from such values by the expression printed next to it.
 *
 * Pure functions only; the test file does the reading of README.md and results/.
 */

/** One number as printed: its value, decimals printed, and the scales its unit allows. */
export interface Figure {
  readonly text: string;
  readonly value: number;
  readonly decimals: number;
  /** Multipliers to the units the JSON may hold it in (e.g. MiB → bytes, % → fraction). */
  readonly scales: readonly number[];
}

/** A printed calculation `a op b … = c`; the operands must trace, c must equal the left side. */
export interface Expression {
  readonly text: string;
  readonly operands: readonly Figure[];
  readonly ops: readonly string[];
  readonly result: Figure;
}

export interface Untraceable {
  readonly figure: string;
  readonly line: string;
  readonly reason: string;
}

export interface Traced {
  readonly figure: string;
  readonly files: readonly string[];
}

export interface TraceReport {
  readonly traced: readonly Traced[];
  readonly untraceable: readonly Untraceable[];
}

/** Sorted numbers per result file name. */
export type Corpus = ReadonlyMap<string, readonly number[]>;

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * The bodies (heading line excluded) of every section whose heading text
 * matches `pattern`, up to the next heading of the same or a higher level.
 * Fenced code is dropped: commands are not figures.
 */
export function sectionsByHeading(markdown: string, pattern: RegExp): string[] {
  const sections: string[] = [];
  let current: string[] | null = null;
  let level = 0;
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const h = HEADING.exec(line);
    if (h !== null) {
      const hLevel = (h[1] ?? '').length;
      if (current !== null && hLevel <= level) {
        sections.push(current.join('\n'));
        current = null;
      }
      if (current === null && pattern.test(h[2] ?? '')) {
        current = [];
        level = hLevel;
      }
      continue;
    }
    current?.push(line);
  }
  if (current !== null) sections.push(current.join('\n'));
  return sections;
}

/**
 * Removes what holds digits but is no figure: link targets, inline code
 * (options, commands), file names (dated perf files), RFC and section
 * numbers, and Markdown emphasis (so `**1.05**` reads as `1.05`).
 */
export function cleanLine(line: string): string {
  return line
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\S*[\w-]+\.(?:md|json|svg|mjs|sh|ts)\b\S*/g, ' ')
    .replace(/\bRFC\s*\d+/g, ' ')
    .replace(/§\s*[\d.]+/g, ' ')
    .replace(/\*\*|__/g, '');
}

const UNIT_SCALES: Readonly<Record<string, readonly number[]>> = {
  // A "k" rate is 1000/s, a "k" buffer size 1024 bytes: accept either.
  k: [1e3, 1024],
  M: [1e6, 1048576],
  KiB: [1024],
  MiB: [1048576],
  MB: [1, 1e6],
  ns: [1],
  'µs': [1, 1e3],
  '%': [1, 0.01],
};

/** A number not glued to a word (so `iperf3`, `IPv6`, `64B` in names are skipped), with an optional unit. */
const NUM = String.raw`(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?(?:KiB|MiB|MB|µs|ns|%)|[kM](?![A-Za-z]))?(?![\w])`;
const NUM_RE = new RegExp(NUM, 'g');
const OP = String.raw`\s*[×*/+−]\s*`;
const EXPR_RE = new RegExp(String.raw`${NUM}(?:${OP}${NUM})+\s*=\s*${NUM}`, 'g');

/** Parses one number token matched by NUM. */
export function parseFigure(text: string): Figure {
  const m = /^([\d,]+)(?:\.(\d+))?\s?(.*)$/.exec(text.trim());
  if (m === null) throw new Error(`not a figure: ${text}`);
  const decimals = (m[2] ?? '').length;
  const value = Number(`${(m[1] ?? '').replace(/,/g, '')}${decimals > 0 ? `.${m[2] ?? ''}` : ''}`);
  const unit = m[3] ?? '';
  return { text: text.trim(), value, decimals, scales: UNIT_SCALES[unit] ?? [1] };
}

/** Every figure on a cleaned line, with the calculations split out of the plain numbers. */
export function figuresOnLine(line: string): { figures: Figure[]; expressions: Expression[] } {
  const expressions: Expression[] = [];
  const rest = line.replace(EXPR_RE, (expr) => {
    expressions.push(parseExpression(expr));
    return ' ';
  });
  const figures = [...rest.matchAll(NUM_RE)].map((m) => parseFigure(m[0]));
  return { figures, expressions };
}

function parseExpression(text: string): Expression {
  const [left = '', right = ''] = text.split('=');
  const operands = [...left.matchAll(NUM_RE)].map((m) => parseFigure(m[0]));
  const ops = [...left.replace(NUM_RE, ' ').matchAll(/[×*/+−]/g)].map((m) => m[0]);
  const result = parseFigure(right);
  return { text: text.trim(), operands, ops, result };
}

/** Evaluates operands and operators with × and / before + and −. */
export function evaluate(values: readonly number[], ops: readonly string[]): number {
  const terms: number[] = [values[0] ?? NaN];
  const signs: string[] = [];
  ops.forEach((op, i) => {
    const v = values[i + 1] ?? NaN;
    if (op === '×' || op === '*') terms[terms.length - 1] = (terms[terms.length - 1] ?? NaN) * v;
    else if (op === '/') terms[terms.length - 1] = (terms[terms.length - 1] ?? NaN) / v;
    else {
      signs.push(op);
      terms.push(v);
    }
  });
  return terms.slice(1).reduce((acc, t, i) => (signs[i] === '+' ? acc + t : acc - t), terms[0] ?? NaN);
}

/** True when `actual` rounds to the figure as printed (in one of its unit's scales). */
export function roundsTo(actual: number, figure: Figure, scale = 1): boolean {
  const half = 0.5 * 10 ** -figure.decimals * scale;
  // The small relative slack absorbs binary floating point at exact halves.
  return Math.abs(actual - figure.value * scale) <= half * (1 + 1e-9);
}

/** Every number a parsed JSON document holds, including numbers inside strings (versions, limits like "≥ 0.9"). */
export function collectNumbers(doc: unknown, out: number[] = []): number[] {
  if (typeof doc === 'number') out.push(doc);
  else if (typeof doc === 'string') for (const m of doc.matchAll(/\d+(?:\.\d+)?/g)) out.push(Number(m[0]));
  else if (Array.isArray(doc)) for (const v of doc) collectNumbers(v, out);
  else if (doc !== null && typeof doc === 'object') for (const v of Object.values(doc)) collectNumbers(v, out);
  return out;
}

/** Builds the corpus from parsed result files (name → document). */
export function buildCorpus(docs: ReadonlyMap<string, unknown>): Corpus {
  const corpus = new Map<string, readonly number[]>();
  for (const [name, doc] of docs) corpus.set(name, collectNumbers(doc).sort((a, b) => a - b));
  return corpus;
}

/** Whether a sorted array holds a value in [lo, hi] (binary search). */
function holdsBetween(sorted: readonly number[], lo: number, hi: number): boolean {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((sorted[mid] ?? Infinity) < lo) a = mid + 1;
    else b = mid;
  }
  return a < sorted.length && (sorted[a] ?? Infinity) <= hi;
}

/** The result files holding a value that rounds to the figure. */
export function filesHolding(figure: Figure, corpus: Corpus): string[] {
  const files: string[] = [];
  for (const [name, sorted] of corpus) {
    const hit = figure.scales.some((scale) => {
      const half = 0.5 * 10 ** -figure.decimals * scale * (1 + 1e-9);
      return holdsBetween(sorted, figure.value * scale - half, figure.value * scale + half);
    });
    if (hit) files.push(name);
  }
  return files;
}

/**
 * The result files a piece of Markdown links to (`results/X.md`, `.json` or
 * `.svg` all mean X.json), among those in the corpus; the index
 * results/README.md is no result and is ignored.
 */
export function linkedResults(text: string, corpus: Corpus): string[] {
  const names = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => /([^/]+)\.(?:md|json|svg)$/.exec(m[1] ?? '')?.[1])
    .filter((base): base is string => base !== undefined)
    .map((base) => `${base}.json`)
    .filter((name) => corpus.has(name));
  return [...new Set(names)];
}

/** Links to results/X.md|json|svg whose X.json is not in the corpus (the index README.md excepted). */
export function danglingResultLinks(text: string, corpus: Corpus): string[] {
  return [...text.matchAll(/\]\(([^)\s]*results\/([^/)\s]+)\.(?:md|json|svg))\)/g)]
    .filter((m) => m[2] !== 'README' && !corpus.has(`${m[2] ?? ''}.json`))
    .map((m) => m[1] ?? '');
}

function restrict(corpus: Corpus, names: readonly string[]): Corpus {
  if (names.length === 0) return corpus;
  return new Map([...corpus].filter(([name]) => names.includes(name)));
}

/** Blank-line separated blocks; a table's rows are blocks of their own so each row can name its file. */
function blocks(section: string): string[][] {
  const out: string[][] = [];
  let prose: string[] = [];
  const flush = (): void => {
    if (prose.length > 0) out.push(prose);
    prose = [];
  };
  for (const raw of section.split('\n')) {
    const line = raw.trim();
    if (line === '') flush();
    else if (line.startsWith('|')) {
      flush();
      out.push([line]);
    } else prose.push(line);
  }
  flush();
  return out;
}

/**
 * Traces every figure in one README section against the corpus. Why scoped:
 * results/ holds tens of thousands of numbers, so a small figure is almost
 * always somewhere by chance. A figure is therefore looked up only in the
 * result files its table row (or else its paragraph, or else its section)
 * links to; only a section that links no result file is checked against all.
 */
export function traceText(section: string, corpus: Corpus): TraceReport {
  const traced: Traced[] = [];
  const untraceable: Untraceable[] = [];
  // A link to a result that is not there (renamed, not yet published) cites nothing.
  for (const target of danglingResultLinks(section, corpus)) {
    untraceable.push({ figure: target, line: target, reason: 'links a result file that results/ does not hold' });
  }
  const sectionScope = restrict(corpus, linkedResults(section, corpus));
  for (const block of blocks(section)) {
    const own = linkedResults(block.join('\n'), corpus);
    const scope = own.length > 0 ? restrict(corpus, own) : sectionScope;
    const where = scope === corpus ? 'any results/*.json' : [...scope.keys()].join(', ');
    const check = (figure: Figure, line: string, context: string): void => {
      const files = filesHolding(figure, scope);
      if (files.length > 0) traced.push({ figure: figure.text, files });
      else untraceable.push({ figure: figure.text, line, reason: `${context}in none of ${where} at the printed precision` });
    };
    for (const line of block) {
      const { figures, expressions } = figuresOnLine(cleanLine(line));
      for (const f of figures) check(f, line, '');
      for (const e of expressions) {
        for (const f of e.operands) check(f, line, `operand of "${e.text}" `);
        const computed = evaluate(
          e.operands.map((f) => f.value * (f.scales[0] ?? 1)),
          e.ops,
        );
        if (!roundsTo(computed, e.result, e.result.scales[0] ?? 1)) {
          untraceable.push({ figure: e.result.text, line, reason: `"${e.text}": the left side is ${computed}, which does not round to ${e.result.text}` });
        }
      }
    }
  }
  return { traced, untraceable };
}

/** One line per untraceable figure, for the failure message. */
export function formatUntraceable(list: readonly Untraceable[]): string {
  return list.map((u) => `  ${u.figure}: ${u.reason}\n      in: ${u.line}`).join('\n');
}
