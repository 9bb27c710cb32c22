/**
 * The charts of results as standalone SVG (chart-kit.ts draws them): a run's
 * datagram rates over time with its delay panels, a many-clients run per
 * client, loss against offered rate for sweeps and searches, a search's
 * trials, and the receive-buffer chart of a sweep.
 */

import { showsQuality } from './voice.js';
import type { DuplexResult, Environment, IntervalSample, ResultBase, SearchResult, SearchTrialDirection, SweepCell, SweepResult } from '../result/types.js';
import { formatBytes, formatInteger, formatPercent, formatPps, formatSeconds } from './format.js';
import { formatRunHeadline } from './table.js';
import { estimatedBound, patternLabel } from './media.js';
import { completionLabel, directionLabel } from './labels.js';
import { MARKER_SHAPES, SERIES_COLORS, formatCompactTick, formatPlainTick, lighten, renderLineChart, renderStackedCharts, type AxisTick, type BarSeries, type ChartMarkerLine, type ChartPoint, type ChartSeries, type LegendItem, type LineChartSpec } from './chart-kit.js';

/**
 * Per-interval rates: each sample's counts divided by its length (the time
 * since the previous sample, or since 0), so a short last interval is not
 * drawn as a drop. A sample nobody observed (`null`) is left out, not drawn
 * at 0: the line joins its neighbours instead of dipping to a false zero.
 */
function intervalRates(intervals: readonly IntervalSample[], pick: (s: IntervalSample) => number | null): ChartPoint[] {
  const sorted = [...intervals].sort((a, b) => a.t - b.t);
  let previousT = 0;
  const points: ChartPoint[] = [];
  for (const sample of sorted) {
    const seconds = sample.t - previousT;
    previousT = sample.t;
    const count = pick(sample);
    // A duplicate timestamp would divide by zero: treat the sample as one second.
    if (count !== null) points.push({ x: sample.t, y: count / (seconds > 0 ? seconds : 1) });
  }
  return points;
}

/**
 * The footer every chart carries: on what machine, which Node, how long and
 * which tool version, e.g.
 * `AMD EPYC × 2 CPUs · Node v22.11.0 · 5 s measured · udp-duplex-lab 0.1.0`.
 * A remote run names both machines when they differ.
 */
export function chartFooter(result: ResultBase & { peerEnvironment?: Environment }, duration: string): string {
  const machine = (env: Environment): string => `${env.cpuModel.trim()} × ${env.cpuCount} CPUs`;
  const env = result.environment;
  const peer = result.peerEnvironment;
  const machines = peer === undefined || machine(peer) === machine(env) ? machine(env) : `${machine(env)} / peer ${machine(peer)}`;
  const nodes = peer === undefined || peer.nodeVersion === env.nodeVersion ? `Node ${env.nodeVersion}` : `Node ${env.nodeVersion} / peer ${peer.nodeVersion}`;
  return [machines, nodes, duration, `${result.tool.name} ${result.tool.version}`].join(' · ');
}

/**
 * Lost datagrams/s per interval (`intervals[].lost` over the interval's
 * length), one bar per interval; an interval whose loss nobody observed
 * (`null`) gets no bar rather than a bar of 0.
 */
function intervalLossBars(intervals: readonly IntervalSample[]): { x0: number; x1: number; y: number }[] {
  const sorted = [...intervals].sort((a, b) => a.t - b.t);
  let previousT = 0;
  const bars: { x0: number; x1: number; y: number }[] = [];
  for (const sample of sorted) {
    const x0 = previousT;
    const seconds = sample.t - previousT;
    previousT = sample.t;
    if (sample.lost !== null) bars.push({ x0, x1: sample.t, y: sample.lost / (seconds > 0 ? seconds : 1) });
  }
  return bars;
}

/** Says so when no interval lost anything (zero-height bars are invisible), or when no interval's loss was observed. */
function lossNote(bars: readonly BarSeries[]): { note?: string } {
  const all = bars.flatMap((b) => b.bars);
  if (all.length === 0) return { note: 'loss per interval not observed' };
  return all.every((r) => r.y === 0) ? { note: 'no loss in any interval' } : {};
}

/** Options of `renderRunChart`. */
export interface RunChartOptions {
  /** Replaces the default title. */
  title?: string;
}

/**
 * Sent and received datagrams/s of both directions over time, from
 * `directions[].intervals`: four series, `A→B sent`, `A→B received`,
 * `B→A sent`, `B→A received` (sent dashed and lighter, received solid, one colour per
 * direction), and the datagrams lost per second in each interval as bars on
 * a right-hand axis (`A→B lost`, `B→A lost`; unobserved intervals left out).
 * Panels below on the same time axis, each only when some interval has its
 * figure: the one-way delay of each second (`delayMeanUs`, `delayMaxUs`; see
 * `oneWayDelayPanel`), and for framed patterns the largest frame delay of
 * each second per direction (`A→B frame delay max`, ms), marked points, the
 * line broken where an interval has none.
 *
 * @returns a standalone SVG document
 */
export function renderRunChart(result: DuplexResult, options: RunChartOptions = {}): string {
  const series: ChartSeries[] = [];
  const bars: BarSeries[] = [];
  result.directions.forEach((direction, i) => {
    const label = directionLabel(direction);
    const color = SERIES_COLORS[i % SERIES_COLORS.length] ?? '#000000';
    // Sent in a lighter tint so it shows over the received line when they coincide.
    const sent = intervalRates(direction.intervals, (s) => s.sent);
    series.push({ label: `${label} sent`, points: sent, color: lighten(color, 0.45), dash: '6 4' });
    series.push({ label: `${label} received`, points: intervalRates(direction.intervals, (s) => s.received), color });
    bars.push({ label: `${label} lost`, color: lighten(color, 0.2), bars: intervalLossBars(direction.intervals) });
  });
  const title = options.title ?? 'Datagrams per second, both directions';
  const footer = chartFooter(result, `${formatSeconds(result.config.durationSeconds)} measured`);
  const rates: LineChartSpec = {
    title,
    subtitle: `${formatRunHeadline(result)} — ${completionLabel(result)}`,
    xLabel: 'time (s)',
    yLabel: 'datagrams/s',
    series,
    formatYTick: formatCompactTick,
    xFromZero: true,
    secondary: { yLabel: 'lost datagrams/s (bars)', series: bars, ...lossNote(bars) },
  };
  // Panels under the rates, on the same time axis; the footer goes under the last one.
  const times = result.directions.flatMap((d) => d.intervals.map((s) => s.t));
  const below: { name: string; spec: LineChartSpec }[] = [];
  const oneWay = oneWayDelayPanel(result, times);
  if (oneWay !== null) below.push({ name: 'one-way delay', spec: oneWay });
  const delay = frameDelaySeries(result).filter((s) => s.points.length > 0);
  if (delay.length > 0) {
    // Framed patterns: the largest frame delay of each second.
    const bound = Math.max(-Infinity, ...result.directions.flatMap((d) => (d.frames?.delayUs === undefined ? [] : [estimatedBound(d.frames.delayUs) ?? -Infinity])));
    below.push({
      name: 'frame delay',
      spec: {
        title: Number.isFinite(bound) ? `Frame delay, largest per second (± ${formatInteger(bound)} µs)` : 'Frame delay, largest per second',
        subtitle: Number.isFinite(bound)
          ? "first datagram of a frame sent → its last arrived, the peer's clock estimated by probes; no point: no frame completed in that second"
          : 'first datagram of a frame sent → its last arrived; no point: no frame completed in that second, or no shared clock',
        xLabel: 'time (s)',
        yLabel: 'frame delay max, ms',
        series: delay,
        formatYTick: formatPlainTick,
        xFromZero: true,
        xInclude: times,
        secondaryMargin: true,
      },
    });
  }
  below.push(...playoutPanels(result));
  if (below.length === 0) return renderLineChart({ ...rates, footer });
  const last = below[below.length - 1];
  if (last !== undefined) last.spec = { ...last.spec, footer };
  return renderStackedCharts(`${title}; ${below.map((b) => b.name).join('; ')}`, [rates, ...below.map((b) => b.spec)]);
}

/**
 * The jitter-buffer answer (issue 23): late discard against the playout
 * delay, a series per direction that has one, and for voice directions the
 * E-model's MOS against the same delays (a planning estimate). No panel for
 * results without them.
 */
function playoutPanels(result: DuplexResult): { name: string; spec: LineChartSpec }[] {
  // Media directions only (an RTP stream, voice, frames): a cbr flood's chart stays as it was.
  const withPlayout = result.directions.map((d, i) => ({ d, i })).filter(({ d }) => d.playout != null && d.playout.rows.length > 0 && showsQuality(d));
  if (withPlayout.length === 0) return [];
  const colorOf = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length] ?? '#000000';
  const panels: { name: string; spec: LineChartSpec }[] = [
    {
      name: 'late discard',
      spec: {
        title: 'Late discard against jitter-buffer playout delay',
        subtitle: 'datagrams later than the least-delayed one + the playout delay, % of those received (a fixed-delay buffer discards them)',
        xLabel: 'playout delay (ms)',
        yLabel: 'late, %',
        series: withPlayout.map(({ d, i }) => ({ label: `${directionLabel(d)} late`, points: (d.playout?.rows ?? []).map((r) => ({ x: r.playoutMs, y: r.latePercent })), color: colorOf(i) })),
        formatYTick: formatPlainTick,
        xFromZero: true,
        markers: true,
        secondaryMargin: true,
      },
    },
  ];
  const voice = withPlayout.filter(({ d }) => d.voice != null && (d.playout?.rows ?? []).some((r) => r.mos !== null));
  if (voice.length > 0) {
    panels.push({
      name: 'MOS',
      spec: {
        title: 'MOS against jitter-buffer playout delay (ITU-T G.107 E-model, a planning estimate)',
        subtitle: 'loss + late discard and mouth-to-ear delay at each playout delay; codec impairment from ITU-T G.113 Appendix I',
        xLabel: 'playout delay (ms)',
        yLabel: 'MOS',
        series: voice.map(({ d, i }) => ({
          label: `${directionLabel(d)} MOS (${d.voice?.codec ?? ''})`,
          points: (d.playout?.rows ?? []).flatMap((r) => (r.mos === null ? [] : [{ x: r.playoutMs, y: r.mos }])),
          color: colorOf(i),
        })),
        formatYTick: formatPlainTick,
        xFromZero: true,
        markers: true,
        secondaryMargin: true,
      },
    });
  }
  return panels;
}

/**
 * Points of one figure of a direction's intervals, scaled by `scale`: a
 * point only where the interval has a finite figure, the line broken
 * (`breakBefore`) across intervals without one (never drawn through them,
 * never at 0).
 */
function gappedIntervalPoints(intervals: readonly IntervalSample[], pick: (s: IntervalSample) => number | null | undefined, scale: number): ChartPoint[] {
  const sorted = [...intervals].sort((a, b) => a.t - b.t);
  const points: ChartPoint[] = [];
  let gap = false;
  for (const sample of sorted) {
    const v = pick(sample);
    if (v === undefined || v === null || !Number.isFinite(v)) {
      gap = true;
      continue;
    }
    points.push({ x: sample.t, y: v * scale, ...(gap && points.length > 0 ? { breakBefore: true } : {}) });
    gap = false;
  }
  return points;
}

/**
 * Each direction's `intervals[].frameDelayMaxUs` in ms, one series per
 * direction (`A→B frame delay max`), a point only where the interval has a
 * figure and the line broken across intervals without one (never drawn
 * through them, never at 0), every point marked so a lone one shows.
 */
function frameDelaySeries(result: DuplexResult): ChartSeries[] {
  return result.directions.map((direction, i) => {
    const points = gappedIntervalPoints(direction.intervals, (s) => s.frameDelayMaxUs, 1 / 1000);
    const shape = MARKER_SHAPES[i % MARKER_SHAPES.length] ?? 'circle';
    return { label: `${directionLabel(direction)} frame delay max`, points, color: SERIES_COLORS[i % SERIES_COLORS.length] ?? '#000000', markers: true, shape };
  });
}

/** How far apart, px, coinciding points of the one-way delay panel are drawn side by side. */
const ONE_WAY_DODGE_PX = 6;

/**
 * The one-way delay panel of a run chart, `null` when no interval has a
 * `delayMeanUs`: per direction the mean of each second as a line with a
 * marker per point (`A→B one-way mean`) and the largest of each second as
 * small markers without a line (`A→B one-way max`, lighter), in ms, points
 * only where the interval has a figure. Across machines the figures rest on
 * the estimated clock: the title says its bound (every point may be off by
 * up to that much, all by nearly the same amount, so the changes from second
 * to second are sounder than the level).
 */
function oneWayDelayPanel(result: DuplexResult, times: readonly number[]): LineChartSpec | null {
  const series: ChartSeries[] = [];
  result.directions.forEach((direction, i) => {
    const label = directionLabel(direction);
    const color = SERIES_COLORS[i % SERIES_COLORS.length] ?? '#000000';
    const shape = MARKER_SHAPES[i % MARKER_SHAPES.length] ?? 'circle';
    const mean = gappedIntervalPoints(direction.intervals, (s) => s.delayMeanUs, 1 / 1000);
    if (mean.length === 0) return;
    series.push({ label: `${label} one-way mean`, points: mean, color, markers: true, shape });
    const max = gappedIntervalPoints(direction.intervals, (s) => s.delayMaxUs, 1 / 1000);
    if (max.length > 0) series.push({ label: `${label} one-way max`, points: max, color: lighten(color, 0.3), line: false, shape: 'triangle', markerSize: 2.5 });
  });
  if (series.length === 0) return null;
  const plotted = result.directions.filter((d) => d.intervals.some((s) => s.delayMeanUs !== undefined && s.delayMeanUs !== null && Number.isFinite(s.delayMeanUs)));
  const bounds = [...new Set(plotted.flatMap((d) => {
    const b = estimatedBound(d.latencyUs);
    return b === null ? [] : [b];
  }))];
  const estimated = bounds.length > 0;
  // One estimate serves both directions, so their bounds normally agree; else the largest.
  const largest = `${formatInteger(Math.max(...bounds))} µs`;
  const bound = bounds.length === 1 ? `± ${largest}` : `± up to ${largest}`;
  return {
    title: estimated ? `One-way delay per second (${bound})` : 'One-way delay per second',
    subtitle: estimated
      ? `the peer's clock estimated by probes: every point may be off by up to ${largest}, all by about the same amount; no point: nothing measured in that second`
      : 'mean and largest of each second, both endpoints on one clock; no point: nothing measured in that second',
    xLabel: 'time (s)',
    yLabel: 'one-way delay, ms',
    series,
    formatYTick: formatPlainTick,
    xFromZero: true,
    xInclude: times,
    secondaryMargin: true,
    // Both directions' means often coincide (a symmetric path): side by side rather than one hiding the other.
    dodgePx: ONE_WAY_DODGE_PX,
    ...(series.filter((s) => s.line !== false).length > 1 ? { plotNote: [`points that would hide each other are drawn ${ONE_WAY_DODGE_PX} px apart sideways`] } : {}),
  };
}

/**
 * `--clients N`: each client's received rate per direction, one marker per
 * client (x = client number; no line: clients are not a sequence), so an
 * unfair share stands out as a point below the others. The offered rate per
 * client is a dashed reference line.
 *
 * @returns a standalone SVG document
 */
export function renderPeersChart(result: DuplexResult): string {
  const peers = result.peers ?? [];
  // The legend carries the aggregate (the sums over all clients through the one port), so the chart shows both the shares and the whole.
  const sumOf = (from: 'A' | 'B'): string => {
    const d = result.directions.find((x) => x.from === from);
    return d === undefined ? '' : `; all clients ${formatPps(d.receivedPps)}/s of ${formatPps(d.sentPps)}/s sent, ${formatPercent(d.lossPercent)} lost`;
  };
  const series: ChartSeries[] = (['A', 'B'] as const).map((from, i) => ({
    label: (from === 'A' ? 'A→B received (client → server)' : 'B→A received (server → client)') + sumOf(from),
    points: peers.flatMap((p) => {
      const d = p.directions.find((x) => x.from === from);
      const v = d?.receivedPps ?? null;
      return v === null ? [] : [{ x: p.index, y: v }];
    }),
    color: SERIES_COLORS[i] ?? '#000000',
    line: false,
    shape: MARKER_SHAPES[i] ?? 'circle',
    offsetPx: i === 0 ? -3 : 3,
  }));
  const offered = [result.config.rateAbPps, result.config.rateBaPps].filter((r): r is number => r !== null && r > 0);
  for (const [i, rate] of [...new Set(offered)].entries()) {
    series.push({ label: `offered per client${offered.length > 1 && new Set(offered).size > 1 ? ` (${i === 0 ? 'A→B' : 'B→A'})` : ''}`, points: [{ x: 1, y: rate }, { x: Math.max(1, peers.length), y: rate }], color: '#999999', dash: '4 4' });
  }
  const fair = result.fairness;
  const jain = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toFixed(3));
  return renderLineChart({
    title: `Received datagrams/s per client, ${peers.length} clients on one server port`,
    // Short: the run's full headline is in the footer's file and the tables; here what the chart needs.
    subtitle: `${result.config.sizeBytes} B, rate per client A→B ${result.config.rateAbText} B→A ${result.config.rateBaText}, ${completionLabel(result)}; Jain's fairness A→B ${jain(fair?.abJain)}, B→A ${jain(fair?.baJain)}`,
    xLabel: 'client',
    yLabel: 'received datagrams/s',
    series,
    formatXTick: formatPlainTick,
    formatYTick: formatCompactTick,
    markers: true,
    footer: chartFooter(result, `${formatSeconds(result.config.durationSeconds)} measured`),
  });
}

/** One measured point of a loss chart. */
export interface LossPoint {
  /** What the sender achieved, datagrams/s: the x coordinate. */
  sentPps: number;
  /** What it was asked for; `null` for unpaced. Not plotted: the loss happened at the achieved rate. */
  offeredPps: number | null;
  lossPercent: number;
  /** The sender fell short of the offered rate: flagged on the chart. */
  undersent: boolean;
}

/** One line of a loss chart: e.g. one direction of a sweep. */
export interface LossSeries {
  label: string;
  points: readonly LossPoint[];
}

/** The label an undersent point carries on a loss chart. */
export const UNDERSENT_FLAG = 'undersent';

/** The widest fan of sideways offsets on a loss chart, px (series that coincide; see `ChartSeries.offsetPx`). */
const LOSS_FAN_MAX_PX = 60;

/** Options of `renderLossChart`. */
export interface LossChartOptions {
  /** The footer line (see `chartFooter`). */
  footer?: string;
}

/**
 * Loss % against the ACHIEVED (sent) rate, one series per setting (sweeps):
 * markers only, one per measured point, no line between them (a line would
 * claim a trend across rates nobody measured). Not the offered rate: a cell
 * that asked for 60k and sent 34.7k measured loss at 34.7k, and plotting it at
 * 60k would claim a lossless 60k. Undersent points are flagged (hollow marker,
 * `data-flag="undersent"`, explained in the legend). Each series gets its own marker shape and a small
 * horizontal offset, so series that coincide (all at 0 %) stay visible.
 *
 * @returns a standalone SVG document
 */
export function renderLossChart(series: readonly LossSeries[], title: string, options: LossChartOptions = {}): string {
  const n = series.length;
  // 5 px steps, the whole fan at most LOSS_FAN_MAX_PX wide: with many series a wider one would move points far from their rate.
  const step = n > 1 ? Math.min(5, LOSS_FAN_MAX_PX / (n - 1)) : 0;
  return renderLineChart({
    title,
    xLabel: 'achieved (sent) rate (datagrams/s)',
    yLabel: 'loss (%)',
    series: series.map((s, i) => ({
      label: s.label,
      points: s.points.map((p) => ({ x: p.sentPps, y: p.lossPercent, ...(p.undersent ? { flag: UNDERSENT_FLAG } : {}) })),
      color: SERIES_COLORS[i % SERIES_COLORS.length] ?? '#000000',
      line: false,
      shape: MARKER_SHAPES[i % MARKER_SHAPES.length] ?? 'circle',
      // Centred fan: coinciding points sit side by side, not on top of each other.
      offsetPx: n > 1 ? Math.round((i - (n - 1) / 2) * step * 10) / 10 : 0,
    })),
    formatXTick: formatCompactTick,
    formatYTick: formatPlainTick,
    markers: true,
    ...(options.footer !== undefined ? { footer: options.footer } : {}),
  });
}

/** Marker colours of a find-max trial by verdict. */
export const VERDICT_COLORS: Record<SearchTrialDirection['verdict'], string> = {
  pass: '#009E73',
  loss: '#D55E00',
  undersent: '#E69F00',
  unobserved: '#999999',
};

/**
 * The trials of a `--find-max` search as points, not a line (the order of
 * trials is the search's, not a trend): one circle per trial and direction
 * at the rate the sender achieved (`class="trial verdict-… dir-ab|dir-ba"`),
 * coloured by verdict (pass, loss, undersent, unobserved), A→B filled and
 * B→A as rings. A trial whose sent rate or loss was not observed sits on the
 * x axis at its offered rate, grey and dashed, so it never reads as a pass.
 * The maximum found per direction is a labelled vertical line.
 *
 * @returns a standalone SVG document
 */
export function renderSearchChart(search: SearchResult): string {
  const dirs = [
    { key: 'ab', label: 'A→B', hollow: false },
    { key: 'ba', label: 'B→A', hollow: true },
  ] as const;
  const series: ChartSeries[] = dirs.map(({ key, label, hollow }) => ({
    label,
    color: '#333333',
    line: false,
    noLegend: true,
    points: search.trials.map((trial): ChartPoint => {
      const d = trial[key];
      const observed = d.outcome.sentPps !== null && d.outcome.lossPercent !== null;
      return {
        x: d.outcome.sentPps ?? d.offeredPps,
        y: observed ? (d.outcome.lossPercent ?? 0) : 0,
        color: VERDICT_COLORS[d.verdict],
        cls: `trial verdict-${d.verdict} dir-${key}`,
        ...(hollow || !observed ? { hollow: true } : {}),
        ...(!observed ? { dashed: true } : {}),
      };
    }),
  }));
  const markerLines: ChartMarkerLine[] = [];
  for (const { key, label } of dirs) {
    const answer = search.directions?.[key];
    if (answer?.ratePps === null || answer?.ratePps === undefined) continue;
    const how = answer.confirmed ? 'confirmed' : 'not confirmed';
    markerLines.push({ x: answer.ratePps, label: `${label} max ${formatPps(answer.ratePps)} (${how})`, color: key === 'ab' ? '#0072B2' : '#56B4E9', cls: `max-${key}` });
  }
  // The lower maximum's label goes left of its line, the higher one's right: two close lines do not cross each other's labels.
  if (markerLines.length === 2) {
    const [first, second] = markerLines as [ChartMarkerLine, ChartMarkerLine];
    (first.x <= second.x ? first : second).side = 'left';
  }
  const verdicts = (Object.keys(VERDICT_COLORS) as SearchTrialDirection['verdict'][]).filter((v) =>
    search.trials.some((t) => t.ab.verdict === v || t.ba.verdict === v),
  );
  const legendExtra: LegendItem[] = [
    { label: 'A→B (filled)', color: '#333333', kind: 'marker' },
    { label: 'B→A (ring)', color: '#333333', kind: 'marker', hollow: true },
    ...verdicts.map((v): LegendItem => ({ label: v, color: VERDICT_COLORS[v], kind: 'marker' })),
    ...markerLines.map((m): LegendItem => ({ label: `${m.label.split(' max')[0] ?? ''} max found`, color: m.color, kind: 'line', dash: '5 3' })),
  ];
  return renderLineChart({
    title: 'find-max trials: loss against achieved (sent) rate',
    subtitle: `${search.trials.length} trials of ${formatSeconds(search.search.trialSeconds)}, ${search.config.sizeBytes} B datagrams, pass at loss ≤ ${search.search.lossThresholdPercent} %`,
    xLabel: 'achieved (sent) rate (datagrams/s)',
    yLabel: 'loss (%)',
    series,
    formatXTick: formatCompactTick,
    formatYTick: formatPlainTick,
    markers: true,
    markerLines,
    legendExtra,
    footer: chartFooter(search, `${search.trials.length} × ${formatSeconds(search.search.trialSeconds)} trials, ${formatSeconds(Math.round(search.elapsedSeconds))} in all`),
  });
}

/**
 * The footer's duration part for a sweep:
 * `36 cells, 108 s measured, 135 s in all`.
 */
export function sweepDuration(sweep: SweepResult): string {
  const measured = sweep.cells.reduce((sum, c) => sum + (c.run?.config.durationSeconds ?? 0), 0);
  return `${sweep.cells.length} cells, ${formatSeconds(measured)} measured, ${formatSeconds(Math.round(sweep.elapsedSeconds))} in all`;
}

/** One measured point of a buffer chart: a cell's frame loss at the receive buffer its receiver had. */
export interface BufferPoint {
  /** The cell's index in the sweep. */
  cell: number;
  /** Effective (kernel-reported) receive buffer of the direction's receiving endpoint, bytes. */
  rcvbufBytes: number;
  /** What the cell asked for (`null`: the OS default). */
  requestedBytes: number | null;
  /** Frame loss of the plotted direction, %. */
  lossPercent: number;
}

/** One line of a buffer chart: the cells that share every swept setting but the receive buffer. */
export interface BufferSeries {
  label: string;
  points: BufferPoint[];
  /** Index among the distinct values of the first setting in the label (colour), and of the others (marker shape). */
  colorIndex: number;
  shapeIndex: number;
}

/** What `bufferChartSeries` finds in a sweep. */
export interface BufferChartData {
  /** The plotted direction: A→B (client → server) unless only B→A has frame figures. */
  from: 'A' | 'B';
  series: BufferSeries[];
  /** The other direction's worst frame loss over the plotted cells, %; `null` when none was observed. */
  otherWorstPercent: number | null;
  /** Cells without a run, without frame figures, or without a receive buffer: not plotted. */
  skipped: number;
}

/** `1 client`, `50 clients`. */
function clientsLabel(clients: number): string {
  return `${clients} client${clients === 1 ? '' : 's'}`;
}

/** A swept stall: `stall 100 ms/1 s` or `no stall`. */
function stallLabel(stall: SweepCell['stall']): string {
  return stall === undefined || stall === null ? 'no stall' : `stall ${stall.ms} ms/${stall.everySeconds} s`;
}

/**
 * The series of `renderBufferChart`: per combination of the swept settings
 * other than the receive buffer (clients, stall, size, sndbuf, rate,
 * threads, in that order in the label), the frame loss of one direction at
 * the EFFECTIVE receive buffer of that direction's receiver (what the
 * kernel gave, not what was asked). Cells with no run, no frame figures
 * (`frames` or its `lossPercent` null) or no receive buffer are skipped.
 */
export function bufferChartSeries(sweep: SweepResult): BufferChartData {
  const lossOf = (cell: SweepCell, from: 'A' | 'B'): number | null => cell.run?.directions.find((d) => d.from === from)?.frames?.lossPercent ?? null;
  const from: 'A' | 'B' = sweep.cells.some((c) => lossOf(c, 'A') !== null) || !sweep.cells.some((c) => lossOf(c, 'B') !== null) ? 'A' : 'B';
  const other = from === 'A' ? 'B' : 'A';
  const varies = {
    clients: (sweep.axes.clients?.length ?? 0) > 1,
    stall: (sweep.axes.stalls?.length ?? 0) > 1,
    size: sweep.axes.sizeBytes.length > 1,
    sndbuf: sweep.axes.sndbufBytes.length > 1,
    rate: sweep.axes.rates.length > 1,
    threads: sweep.axes.threads.length > 1,
  };
  const parts = (cell: SweepCell): string[] => [
    ...(varies.clients ? [clientsLabel(cell.clients ?? 1)] : []),
    ...(varies.stall ? [stallLabel(cell.stall)] : []),
    ...(varies.size ? [`${cell.sizeBytes} B`] : []),
    ...(varies.sndbuf ? [`sndbuf ${cell.sndbufBytes === null ? 'default' : formatBytes(cell.sndbufBytes)}`] : []),
    ...(varies.rate ? [`rate ${cell.rateText ?? 'n/a'}`] : []),
    ...(varies.threads ? [cell.threads] : []),
  ];
  const groups = new Map<string, { parts: string[]; points: BufferPoint[] }>();
  let skipped = 0;
  let otherWorst: number | null = null;
  for (const cell of sweep.cells) {
    const run = cell.run;
    const direction = run?.directions.find((d) => d.from === from);
    const lossPercent = direction?.frames?.lossPercent ?? null;
    // The receiving endpoint's buffer; with many clients B (the server) is the one receiver of A→B.
    const receiver = run?.endpoints.find((e) => e.id === direction?.to);
    const rcvbufBytes = receiver?.rcvbuf.effective ?? direction?.rxQueuePeak?.rcvbufEffectiveBytes ?? null;
    if (direction === undefined || lossPercent === null || !Number.isFinite(lossPercent) || rcvbufBytes === null || !(rcvbufBytes > 0)) {
      skipped++;
      continue;
    }
    const otherLoss = lossOf(cell, other);
    if (otherLoss !== null && Number.isFinite(otherLoss)) otherWorst = Math.max(otherWorst ?? 0, otherLoss);
    const p = parts(cell);
    const key = JSON.stringify(p);
    const group = groups.get(key) ?? { parts: p, points: [] };
    group.points.push({ cell: cell.index, rcvbufBytes, requestedBytes: cell.rcvbufBytes, lossPercent });
    groups.set(key, group);
  }
  // Colour by the first setting, shape by the rest, when the palettes have room; else one colour and shape after another.
  const firsts = [...new Set([...groups.values()].map((g) => g.parts[0] ?? ''))];
  const rests = [...new Set([...groups.values()].map((g) => JSON.stringify(g.parts.slice(1))))];
  const factored = firsts.length <= SERIES_COLORS.length && rests.length <= MARKER_SHAPES.length && firsts.length * rests.length >= groups.size;
  const series = [...groups.values()].map((g, i): BufferSeries => ({
    label: g.parts.length > 0 ? g.parts.join(', ') : `${from}→${other}`,
    points: g.points.sort((a, b) => a.rcvbufBytes - b.rcvbufBytes),
    colorIndex: factored ? firsts.indexOf(g.parts[0] ?? '') : i % SERIES_COLORS.length,
    shapeIndex: factored ? rests.indexOf(JSON.stringify(g.parts.slice(1))) : i % MARKER_SHAPES.length,
  }));
  return { from, series, otherWorstPercent: otherWorst, skipped };
}

/** How far apart, px, points of series that meet are drawn side by side on a buffer chart. */
const BUFFER_DODGE_PX = 8;

/**
 * Frame loss against the receive buffer, for sweeps of a framed pattern
 * (voice, video, trace) over `--rcvbuf`: x is the EFFECTIVE receive buffer
 * of the plotted direction's receiver on a log₂ axis, ticked at the swept
 * sizes (the size asked for under each); y is that direction's frame loss, %
 * — A→B (client → server: the direction where many clients meet one socket)
 * unless only B→A has frame figures; the other direction's worst loss is
 * in the subtitle. One series per combination of the other swept settings
 * (`50 clients, stall 100 ms/1 s`), its measured points marked and joined by
 * a thin line (the buffers were swept, so neighbours are neighbours), each
 * series its own colour and marker (colour by clients, marker and dash by
 * stall). Series that coincide (typically all at 0 %) are drawn a few px
 * apart sideways (only those: a point that overlaps nothing sits at its
 * buffer), so each stays visible; the plot says so.
 *
 * @returns a standalone SVG document
 */
export function renderBufferChart(sweep: SweepResult): string {
  const data = bufferChartSeries(sweep);
  const { from } = data;
  const to = from === 'A' ? 'B' : 'A';
  const manyClients = (sweep.axes.clients ?? []).some((n) => n > 1) || (sweep.config.clients ?? 1) > 1;
  const role = manyClients ? (from === 'A' ? ' (client → server)' : ' (server → client)') : '';
  const n = data.series.length;
  // Markers only: the buffers between the swept sizes were not measured, and a
  // line through them would draw a trend nobody observed (issue 12).
  const series: ChartSeries[] = data.series.map((s) => ({
    label: s.label,
    points: s.points.map((p) => ({ x: Math.log2(p.rcvbufBytes), y: p.lossPercent })),
    color: SERIES_COLORS[s.colorIndex % SERIES_COLORS.length] ?? '#000000',
    shape: MARKER_SHAPES[s.shapeIndex % MARKER_SHAPES.length] ?? 'circle',
    line: false,
    markers: true,
    noLegend: true,
  }));
  const legendExtra = series.map((s): LegendItem => ({ label: s.label, color: s.color, kind: 'marker', shape: s.shape ?? 'circle' }));
  // A tick per effective size measured, the size(s) asked for under it.
  const asked = new Map<number, Set<string>>();
  for (const p of data.series.flatMap((s) => s.points)) {
    const set = asked.get(p.rcvbufBytes) ?? new Set<string>();
    set.add(p.requestedBytes === null ? 'default' : formatBytes(p.requestedBytes));
    asked.set(p.rcvbufBytes, set);
  }
  const xTicks: AxisTick[] = [...asked.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bytes, requested]) => ({ value: Math.log2(bytes), label: formatBytes(bytes), sublabel: `asked ${[...requested].join(', ')}` }));
  const config = sweep.cells.find((c) => c.run !== null)?.run?.config ?? sweep.config;
  const patternAb = patternLabel(config.patternAb);
  const patternBa = patternLabel(config.patternBa);
  const patterns = patternAb === patternBa ? `${patternAb} both ways` : `A→B ${patternAb}, B→A ${patternBa}`;
  const otherWorst = data.otherWorstPercent === null ? `${to}→${from} frame loss not observed` : `${to}→${from} frame loss at most ${formatPercent(data.otherWorstPercent)}`;
  const plotNote = [
    ...(n > 1 ? [`points that would hide each other are drawn ${BUFFER_DODGE_PX} px apart sideways`] : []),
    ...(data.skipped > 0 ? [`${data.skipped} cell${data.skipped === 1 ? '' : 's'} without frame figures not shown`] : []),
  ];
  return renderLineChart({
    title: `Frame loss against receive buffer, ${from}→${to}${role}`,
    subtitle: `${patterns}${manyClients ? ' (per client)' : ''}, ${formatSeconds(sweep.config.durationSeconds)} per cell; ${otherWorst}`,
    xLabel: `receive buffer of ${to}, the ${from}→${to} receiver: effective (kernel-reported), log scale`,
    yLabel: `${from}→${to} frame loss (%)`,
    series,
    xTicks,
    xDomainPad: 0.6,
    dodgePx: BUFFER_DODGE_PX,
    formatYTick: formatPlainTick,
    markers: true,
    legendExtra,
    ...(plotNote.length > 0 ? { plotNote } : {}),
    footer: chartFooter(sweep, sweepDuration(sweep)),
  });
}
