import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The second Node line in CI (.ci/run: Node 24 after the machine's Node 20).
 * What differs between Node lines is the runtime under the tool: dgram,
 * worker threads, timers, zlib, child processes, the module loader. Tests of
 * those run here, with two groups left out to keep CI under its 20 minutes:
 * the slowest tests of pure text and option handling (printers, terminal
 * fitting, option tables and their errors, packaging, schemas, saving:
 * ~170 s), and the listener's hostile-input tests whose subject is protocol
 * logic (sequence windows, caps, log limits, hello floods, hostile fields,
 * replays, fuzzing: ~80 s), plain TypeScript that no Node line changes, and
 * the pure arithmetic of the media figures and the search. The
 * hostile report stays: it exercises a worker's heap limit and zlib. Every
 * test runs on the first line (`npm test`) as always.
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
        'test/cli-iperf-habits.test.ts',
        'test/listen-seq-window.test.ts',
        'test/listen-caps.test.ts',
        'test/listen-log-limit.test.ts',
        'test/listen-hello-flood.test.ts',
        'test/remote-hostile.test.ts',
        'test/remote-replay.test.ts',
        'test/remote-fuzz.test.ts',
        // Pure arithmetic of the media figures and the search (RFC 3550/3611, G.107, bisection): no runtime in them.
        'test/emodel.test.ts',
        'test/loss-shape.test.ts',
        'test/late.test.ts',
        'test/rtp.test.ts',
        'test/search-*.test.ts',
        'node_modules/**',
      ],
    },
  }),
);
