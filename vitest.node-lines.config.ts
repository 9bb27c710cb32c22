import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The second Node line in CI (.ci/run: Node 24 after the machine's Node 20).
 * What differs between Node lines is the runtime under the tool: dgram,
 * worker threads, timers, zlib, child processes, the module loader. Every
 * test that runs those runs here. Left out are the slowest tests of pure
 * text and option handling (printers, terminal fitting, option tables and
 * their errors, packaging, schemas, saving), whose logic is plain TypeScript
 * that no Node line changes: together ~170 s that kept CI under its
 * 20 minutes. They run on the first line (`npm test`) as always.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/report-*.test.ts',
        'test/cli-terminal-fit.test.ts',
        'test/cli-options.test.ts',
        'test/cli-help.test.ts',
        'test/option-table.test.ts',
        'test/sweep-options.test.ts',
        'test/findmax-options.test.ts',
        'test/save.test.ts',
        'test/save-location.test.ts',
        'test/npm-pack.test.ts',
        'test/published-schemas.test.ts',
        'test/result-schema.test.ts',
        'test/readme-figures.test.ts',
        'test/architecture.test.ts',
        'node_modules/**',
      ],
    },
  }),
);
