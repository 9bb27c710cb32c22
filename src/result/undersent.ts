/**
 * The one rule for "the sender, not the path, was the limit": a direction is
 * undersent when its sender emitted less than 95 % of the offered rate over
 * the measured time. Producers set `DirectionResult.undersent` with it, the
 * reader applies it to results written before the field existed, and the
 * search judges trials by the same fraction (`SearchSettings.minSentFraction`,
 * whose default this is), so the three can never disagree about a cell.
 */

/** Share of the offered rate a sender must reach not to count as undersent. */
export const MIN_SENT_FRACTION = 0.95;

/**
 * Whether a sender fell short of its offered rate.
 *
 * @param sentPps - the achieved rate, datagrams/s; `null` when nobody observed it
 * @param offeredPps - the rate asked for; `null` for an unpaced (`max`) run, which cannot fall short
 * @param minSentFraction - the share of `offeredPps` that counts as reaching it
 * @returns `true`/`false`, or `null` when it cannot be told (the achieved rate is unknown)
 */
export function isUndersent(
  sentPps: number | null,
  offeredPps: number | null,
  minSentFraction: number = MIN_SENT_FRACTION,
): boolean | null {
  if (offeredPps === null || !(offeredPps > 0)) return false;
  if (sentPps === null || !Number.isFinite(sentPps)) return null;
  return sentPps < minSentFraction * offeredPps;
}
