/**
 * One entry point for a duplex run in either mode: local (both endpoints
 * here) or remote (`--peer`, against `bench listen`). Sweeps and searches call
 * this, so they work in both modes.
 */
import type { DuplexResult, RunConfig } from '../result/types.js';
import { runLocalDuplex } from './duplex.js';
import type { RunHooks } from './hooks.js';

export type { BaseHooks, RunHooks, ProgressSample } from './hooks.js';

/** Runs one duplex test with a resolved config. */
export async function runDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  if (cfg.peer !== null && (cfg.clients ?? 1) > 1) {
    const { runRemoteClients } = await import('./remote-clients.js');
    return runRemoteClients(cfg, hooks);
  }
  if (cfg.peer !== null) {
    const { runRemoteDuplex } = await import('./remote.js');
    return runRemoteDuplex(cfg, hooks);
  }
  if ((cfg.clients ?? 1) > 1) {
    const { runLocalClients } = await import('./clients.js');
    return runLocalClients(cfg, hooks);
  }
  return runLocalDuplex(cfg, hooks);
}
