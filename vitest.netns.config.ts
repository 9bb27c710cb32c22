import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test-netns/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
