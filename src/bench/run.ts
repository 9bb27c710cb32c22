/**
 * One entry point for a duplex run in either mode: local (both endpoints
 * here) or remote (`--peer`, against `bench listen`). Sweeps and searches call
 * this, so they work in both modes.
 */
import type { DuplexResult, RunConfig } from '../report/schema.js';
import { runLocalDuplex, type RunHooks } from './duplex.js';

export type { RunHooks, ProgressSample } from './duplex.js';

/** Runs one duplex test with a resolved config. */
export async function runDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  if (cfg.peer !== null) {
    const { runRemoteDuplex } = await import('./remote.js');
    return runRemoteDuplex(cfg, hooks);
  }
  return runLocalDuplex(cfg, hooks);
}
