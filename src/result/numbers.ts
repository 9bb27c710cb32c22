/**
 * The number formatting a result's own texts use (its warnings, written by
 * src/bench): integers with separators and rates with a decimal below
 * 100/s, locale-independent. The printers have the rest (report/format.ts).
 */

/** What every helper prints for a figure that was not measured. */
export const NOT_AVAILABLE = 'n/a';

/**
 * An integer with `,` thousands separators: `1234567` → `"1,234,567"`.
 * Non-integers are rounded first.
 */
export function formatInteger(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_AVAILABLE;
  const rounded = Math.round(value);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return rounded < 0 ? `-${digits}` : digits;
}

/**
 * A rate in whole datagrams/s with separators, but with one decimal below
 * 100/s: 0.5/s must not print as 1/s beside "(50 %)".
 */
export function formatRate(valuePps: number | null): string {
  return valuePps !== null && valuePps < 100 && !Number.isInteger(valuePps) ? valuePps.toFixed(1) : formatInteger(valuePps);
}
