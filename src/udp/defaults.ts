/**
 * Figures more than one module depends on, declared once: the range of the
 * delay histograms (receiver, pacing, micro-benchmarks and the bounds a peer's
 * report is held to must agree, or a real report would be refused).
 */

/**
 * Largest delay, lateness or jitter the histograms track, µs (60 s; above:
 * clamped). A datagram a minute late is lost in every sense that matters to
 * the real-time traffic this tool measures.
 */
export const MAX_TRACKED_US = 60_000_000;

/** The HDR histograms of delay: 1 µs to {@link MAX_TRACKED_US}, three significant digits (0.1 % error). */
export const DELAY_HISTOGRAM = { lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 as const };

