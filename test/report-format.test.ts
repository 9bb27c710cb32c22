import { describe, it, expect } from 'vitest';
import {
  formatBitsPerSecond,
  formatBytes,
  formatInteger,
  formatMs,
  formatPercent,
  formatPps,
  formatSeconds,
  paint,
  withSign,
} from '../src/report/format.js';

describe('format helpers', () => {
  it('prints rates with three significant digits and a decimal prefix', () => {
    expect(formatPps(10000)).toBe('10.0k');
    expect(formatPps(950)).toBe('950');
    expect(formatPps(122469)).toBe('122k');
    expect(formatPps(1234567)).toBe('1.23M');
    // Rounding up into the next prefix.
    expect(formatPps(999950)).toBe('1.00M');
    expect(formatBitsPerSecond(5.12e6)).toBe('5.12 Mbit/s');
    expect(formatBitsPerSecond(512)).toBe('512 bit/s');
  });

  it('prints percentages with two decimals, never hiding a small loss as 0', () => {
    expect(formatPercent(0)).toBe('0.00 %');
    expect(formatPercent(2.2177)).toBe('2.22 %');
    expect(formatPercent(0.001)).toBe('<0.01 %');
  });

  it('prints byte sizes with binary prefixes', () => {
    expect(formatBytes(212992)).toBe('208 KiB');
    expect(formatBytes(1572864)).toBe('1.5 MiB');
    expect(formatBytes(4194304)).toBe('4 MiB');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('prints n/a for null and non-finite values', () => {
    for (const f of [formatPps, formatBitsPerSecond, formatPercent, formatBytes, formatMs, formatInteger, formatSeconds]) {
      expect(f(null)).toBe('n/a');
      expect(f(Number.NaN)).toBe('n/a');
    }
  });

  it('groups integers, signs differences and colours only on request', () => {
    expect(formatInteger(-1234567)).toBe('-1,234,567');
    expect(withSign(3, '3')).toBe('+3');
    expect(withSign(-3, '-3')).toBe('-3');
    expect(paint('x', 'red', false)).toBe('x');
    expect(paint('x', 'red', true)).toBe('\u001b[31mx\u001b[39m');
  });
});
