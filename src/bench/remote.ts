import type { DuplexResult, RunConfig } from '../report/schema.js';
import type { RunHooks } from './duplex.js';
import { OptionError } from '../errors.js';

/** Remote mode (work in progress). */
export async function runRemoteDuplex(cfg: RunConfig, hooks: RunHooks = {}): Promise<DuplexResult> {
  void cfg;
  void hooks;
  throw new OptionError('--peer', 'remote mode is not available yet');
}
