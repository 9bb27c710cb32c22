/**
 * The `--find-max` options of `bench duplex` and `bench sweep`: turning them
 * into the search's settings, and refusing them where they do not apply
 * (without `--find-max`, or beside a rate the search would override).
 */
import type { Command } from 'commander';
import { OptionError } from '../errors.js';
import { parseIntIn, parseRate, parseSeconds } from './options.js';
import { firstGiven, OPTIONS, type FIND_MAX_OPTIONS, type RawOptions } from './option-table.js';
import type { FindMaxOptions } from '../bench/findmax.js';
import { formatPps } from '../report/format.js';

/** Raw `--find-max` options (strings from commander; no commander defaults, so "given" is visible). */
export type RawFindMaxOptions = RawOptions<(typeof FIND_MAX_OPTIONS)[number]>;

/** The first rate option the user gave on the command line (not just its default), or `null`. */
export function rateGiven(cmd: Command): string | null {
  return firstGiven(cmd, ['rate', 'rateAb', 'rateBa']);
}

/**
 * Validates the `--find-max` options for datagrams of `sizeBytes` (bit rates
 * depend on it), an option not given taking its default from the option
 * table. Returns `null` without `--find-max`, after checking that none of its
 * options was given alone.
 */
export function resolveFindMaxOptions(raw: RawFindMaxOptions, sizeBytes: number, explicitRate: string | null): FindMaxOptions | null {
  if (raw.findMax !== true) {
    const stray = (
      [
        ['--loss-threshold', raw.lossThreshold],
        ['--trial-duration', raw.trialDuration],
        ['--floor', raw.floor],
        ['--ceiling', raw.ceiling],
        ['--max-trials', raw.maxTrials],
      ] as const
    ).find(([, v]) => v !== undefined);
    if (stray !== undefined) throw new OptionError(stray[0], 'only applies with --find-max');
    return null;
  }
  if (explicitRate !== null) throw new OptionError(explicitRate, 'cannot be combined with --find-max (the search picks the rates; see --floor and --ceiling)');
  const thresholdText = raw.lossThreshold ?? OPTIONS.lossThreshold.fallback;
  const lossThresholdPercent = Number(thresholdText);
  if (!/^\d+(\.\d+)?$/.test(thresholdText.trim()) || !(lossThresholdPercent >= 0 && lossThresholdPercent < 100)) {
    throw new OptionError('--loss-threshold', `"${thresholdText}" must be a percentage from 0 to below 100`);
  }
  const trialSeconds = parseSeconds('--trial-duration', raw.trialDuration ?? OPTIONS.trialDuration.fallback, false);
  const floorPps = parseRate('--floor', raw.floor ?? OPTIONS.floor.fallback, sizeBytes);
  if (floorPps === null) throw new OptionError('--floor', '"max" is not a floor; give a rate such as 1k');
  let ceilingPps: number | null = null;
  if (raw.ceiling !== undefined) {
    ceilingPps = parseRate('--ceiling', raw.ceiling, sizeBytes);
    if (ceilingPps === null) throw new OptionError('--ceiling', '"max" is the default: leave --ceiling out to measure it with an unpaced flood');
    if (ceilingPps < floorPps) throw new OptionError('--ceiling', `"${raw.ceiling}" is below --floor (${formatPps(floorPps)} datagrams/s)`);
  }
  const maxTrials = parseIntIn('--max-trials', raw.maxTrials ?? OPTIONS.maxTrials.fallback, 1, 1000);
  return { lossThresholdPercent, floorPps, ceilingPps, trialSeconds, maxTrials };
}
