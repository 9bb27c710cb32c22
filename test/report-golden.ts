/**
 * Golden-file comparison for the printer tests. The expected output lives in
 * `test/golden/`; review a diff there like any code change. To regenerate
 * after an intended change: `UPDATE_GOLDEN=1 npx vitest run test/report-`.
 * A missing golden file fails the test (it is never created silently).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

/** Asserts that `actual` equals the golden file `name` byte for byte (or rewrites it with UPDATE_GOLDEN=1). */
export function expectGolden(actual: string, name: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `golden file ${name} missing: run with UPDATE_GOLDEN=1 once and review it`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
