import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test-capture/**/*.test.ts'],
    // One capture at a time: each run's traffic must be the only traffic of its own ports.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
