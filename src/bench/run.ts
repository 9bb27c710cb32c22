/**
 * One entry point for a duplex run in either mode: local (both endpoints
 * here) or remote (`--peer`, against `bench listen`). Sweeps and searches call
 * this, so they work in both modes.
 */
import type { DuplexResult, RunConfig } from '../result/types.js';
import { runLocalDuplex } from './duplex.js';
import { runLocalClients } from './clients.js';
import type { RunHooks } from './hooks.js';

export type { BaseHooks, RunHooks, ProgressSample } from './hooks.js';

/** Runs one duplex test with a resolved config. */
export async function runDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  if (cfg.peer !== null) {
    // Loaded on demand: the control protocol's schemas (typebox, ~700 modules) cost a local run
    // ~0.3 s of CPU at start-up (measured with bash `times`, Node 20), which nothing local uses.
    if ((cfg.clients ?? 1) > 1) return (await import('./remote-clients.js')).runRemoteClients(cfg, hooks);
    return (await import('./remote.js')).runRemoteDuplex(cfg, hooks);
  }
  return (cfg.clients ?? 1) > 1 ? runLocalClients(cfg, hooks) : runLocalDuplex(cfg, hooks);
}
