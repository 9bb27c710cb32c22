/**
 * Small, pure number formatting helpers shared by the printers. Every helper
 * takes `null` for "not measured" and prints `n/a`, so callers never branch on
 * it. Nothing here depends on the locale: output must be identical on every
 * machine (golden tests, pasted reports).
 */

import { NOT_AVAILABLE, formatInteger, formatRate } from '../result/numbers.js';

// The three that results' own warning texts use live with the result (src/result/numbers.ts); the printers use them from here.
export { NOT_AVAILABLE, formatInteger, formatRate };

/** Decimal (SI) prefixes for rates and bit rates, smallest first. */
const SI_PREFIXES: readonly { factor: number; symbol: string }[] = [
  { factor: 1e9, symbol: 'G' },
  { factor: 1e6, symbol: 'M' },
  { factor: 1e3, symbol: 'k' },
];

/**
 * Three significant digits with a decimal prefix, e.g. for packets per second:
 * `950` → `"950"`, `10000` → `"10.0k"`, `1234567` → `"1.23M"`.
 */
export function formatPps(valuePps: number | null): string {
  if (valuePps === null || !Number.isFinite(valuePps)) return NOT_AVAILABLE;
  return withSiPrefix(valuePps, '');
}

/** Bits per second with a decimal prefix: `5120000` → `"5.12 Mbit/s"`. */
export function formatBitsPerSecond(bitsPerSecond: number | null): string {
  if (bitsPerSecond === null || !Number.isFinite(bitsPerSecond)) return NOT_AVAILABLE;
  return `${withSiPrefix(bitsPerSecond, ' ')}bit/s`;
}

/** Megabits per second as a bare number for a column headed "Mbit/s": `5120000` → `"5.12"`. */
export function formatMbitPerSecond(bitsPerSecond: number | null): string {
  if (bitsPerSecond === null || !Number.isFinite(bitsPerSecond)) return NOT_AVAILABLE;
  return (bitsPerSecond / 1e6).toFixed(2);
}

/**
 * A percentage with two decimals and a space before the sign: `"0.00 %"`.
 * A loss too small to show at two decimals prints `"<0.01 %"` rather than
 * `"0.00 %"`, because "some loss" and "no loss" must never look the same.
 */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return NOT_AVAILABLE;
  if (percent > 0 && percent < 0.005) return '<0.01 %';
  return `${percent.toFixed(2)} %`;
}

/** Binary (IEC) prefixes for byte sizes, largest first. */
const IEC_PREFIXES: readonly { factor: number; symbol: string }[] = [
  { factor: 1024 ** 3, symbol: 'GiB' },
  { factor: 1024 ** 2, symbol: 'MiB' },
  { factor: 1024, symbol: 'KiB' },
];

/**
 * A byte count with a binary prefix, as socket buffer sizes are usually
 * written: `212992` → `"208 KiB"`, `1572864` → `"1.5 MiB"`, `512` → `"512 B"`.
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return NOT_AVAILABLE;
  const magnitude = Math.abs(bytes);
  for (const { factor, symbol } of IEC_PREFIXES) {
    if (magnitude >= factor) return `${trimDecimals(bytes / factor)} ${symbol}`;
  }
  return `${Math.round(bytes)} B`;
}

/** Milliseconds with three decimals (jitter on loopback is tens of µs): `0.0123` → `"0.012"`. */
export function formatMs(valueMs: number | null): string {
  if (valueMs === null || !Number.isFinite(valueMs)) return NOT_AVAILABLE;
  return valueMs.toFixed(3);
}

/** Whole microseconds with separators: `1234.6` → `"1,235"`. */
export function formatUs(valueUs: number | null): string {
  return formatInteger(valueUs);
}

/** Seconds, trimmed: `10` → `"10 s"`, `2.5` → `"2.5 s"`. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return NOT_AVAILABLE;
  return `${trimDecimals(seconds)} s`;
}

/**
 * Prefixes `+` to a formatted non-negative figure, for differences: the
 * helpers above already print `-` for negatives.
 */
export function withSign(value: number, formatted: string): string {
  return value > 0 || (value === 0 && !formatted.startsWith('-')) ? `+${formatted}` : formatted;
}

/** ANSI styles the terminal printers use. */
export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan';

const ANSI_CODES: Record<Style, readonly [open: number, close: number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/**
 * Wraps `text` in an ANSI style when `enabled`, else returns it unchanged.
 * The printers decide colour from their options only, never from the
 * terminal, so they stay pure and their output is reproducible.
 */
export function paint(text: string, style: Style, enabled: boolean): string {
  if (!enabled) return text;
  const [open, close] = ANSI_CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Three significant digits, then the prefix (with `separator` before it). */
function withSiPrefix(value: number, separator: string): string {
  const magnitude = Math.abs(value);
  for (const { factor, symbol } of SI_PREFIXES) {
    // Compare after rounding so 999 950 prints "1.00M", not "1000k".
    if (Number((magnitude / factor).toPrecision(3)) >= 1) {
      return `${(value / factor).toPrecision(3)}${separator}${symbol}`;
    }
  }
  if (magnitude >= 100 || Number.isInteger(value)) return `${Math.round(value)}${separator}`;
  return `${value.toPrecision(3)}${separator}`;
}

/** Up to two decimals for small values, fewer for larger, trailing zeros dropped. */
function trimDecimals(value: number): string {
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return String(Number(value.toFixed(decimals)));
}
