/**
 * Standalone SVG line charts, no dependencies: a run's datagram rates over
 * time, and loss against offered rate for sweeps and searches. 800 px wide so
 * they read well at README width; white background so they also read on dark
 * themes. Every series is one `<path data-series="label">` (tests and
 * scripts find series by that attribute).
 */

import type { DuplexResult, Environment, IntervalSample, ResultBase, SearchResult, SearchTrialDirection, SweepCell, SweepResult } from '../result/types.js';
import { formatBytes, formatInteger, formatPercent, formatPps, formatSeconds } from './format.js';
import { formatRunHeadline } from './table.js';
import { estimatedBound, patternLabel } from './media.js';
import { completionLabel, directionLabel } from './labels.js';

/** Marker shapes: series that coincide stay told apart by shape. */
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'triangle-down';

/** Shapes in the order series get them. */
export const MARKER_SHAPES: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond', 'triangle-down'];

/** One point of a chart, in data units. */
export interface ChartPoint {
  x: number;
  y: number;
  /**
   * A short label for a point that must stand out (e.g. `undersent`): drawn
   * as a hollow marker (`data-flag` holds the label; the legend says what
   * hollow means), whether or not the chart marks its other points, so the
   * reader does not take it at face value.
   */
  flag?: string;
  /** This point's marker colour (else the series colour). */
  color?: string;
  /** Extra CSS class of this point's marker (e.g. `verdict-pass`). */
  cls?: string;
  /** Draw the marker as a ring (white fill, coloured outline). */
  hollow?: boolean;
  /** Draw the marker outline dashed (a point whose figures were not observed). */
  dashed?: boolean;
  /** Start a new piece of the series' line here: no line from the previous point (nothing was measured between them). */
  breakBefore?: boolean;
}

/** One line of a chart. */
export interface ChartSeries {
  label: string;
  points: readonly ChartPoint[];
  color: string;
  /** SVG `stroke-dasharray`, e.g. `"6 4"`; solid when absent. */
  dash?: string;
  /** `false`: markers only, no line joining the points (measured points that say nothing about the range between them). */
  line?: boolean;
  /** Marker shape; a circle when absent. */
  shape?: MarkerShape;
  /**
   * Horizontal offset, px, of this series' markers (and line): keeps series
   * that coincide visible side by side. A fan of offsets near an edge of the
   * plot is moved inwards as a whole, so no marker leaves the plot.
   */
  offsetPx?: number;
  /** Line width, px; 2 when absent. */
  strokeWidth?: number;
  /** Hide from the legend (the chart adds its own entries). */
  noLegend?: boolean;
  /** Mark every point of this series (its line may have gaps, and a point between two gaps has no line). */
  markers?: boolean;
  /** Marker half-size, px; 4 when absent (hollow markers stay 6). */
  markerSize?: number;
}

/** Bars on a secondary (right) y axis, e.g. loss per interval. */
export interface BarSeries {
  label: string;
  color: string;
  /** One bar per interval `[x0, x1]` (data units of the x axis), height `y` (secondary axis units). */
  bars: readonly { x0: number; x1: number; y: number }[];
}

/** A vertical marker line at `x` with a label (e.g. the maximum a search found). */
export interface ChartMarkerLine {
  x: number;
  label: string;
  color: string;
  cls?: string;
  /** Which side of the line its label goes; right unless it would leave the plot. */
  side?: 'left' | 'right';
}

/** A legend entry the series do not give (e.g. what a marker colour means). */
export interface LegendItem {
  label: string;
  color: string;
  kind: 'line' | 'marker' | 'bar';
  /** The marker's shape; on a `line` entry, a marker drawn on the line (a series with both). */
  shape?: MarkerShape;
  hollow?: boolean;
  dash?: string;
}

/** Everything `renderLineChart` draws. */
export interface LineChartSpec {
  title: string;
  /** A second, smaller title line (run settings). */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Tick label formatters; plain numbers by default. */
  formatXTick?: TickFormatter;
  formatYTick?: TickFormatter;
  /** Start the x axis at 0 even when the data start later (time axes). */
  xFromZero?: boolean;
  /** Draw point markers on every series, not only on series too short to show a line. */
  markers?: boolean;
  /** Bars on a right-hand axis with this label; slots side by side when there are several series. */
  secondary?: { yLabel: string; series: readonly BarSeries[]; formatTick?: TickFormatter; note?: string };
  /** Vertical marker lines (the x axis is widened to include them). */
  markerLines?: readonly ChartMarkerLine[];
  /** Legend entries after the series'. */
  legendExtra?: readonly LegendItem[];
  /** A small line under the legend: machine, Node, duration, tool (see `chartFooter`). */
  footer?: string;
  /** x values the axis must cover even without points there (a panel sharing the time axis of the one above it). */
  xInclude?: readonly number[];
  /** Keep the right margin of a chart with a secondary axis, without one: its plot lines up with such a chart above it. */
  secondaryMargin?: boolean;
  /**
   * The x ticks, given rather than chosen (e.g. the swept buffer sizes on a
   * log axis): the axis spans them and the data, widened by `xDomainPad`. A
   * label that would run into its left neighbour's is left out (its grid line stays).
   */
  xTicks?: readonly AxisTick[];
  /** With `xTicks`: room added at both ends of the x axis, data units. */
  xDomainPad?: number;
  /** Small grey lines in the top right corner of the plot (what the chart leaves out, how to read it). */
  plotNote?: readonly string[];
  /**
   * Points of different series at the same x whose markers would overlap
   * (within `DODGE_OVERLAP_PX` vertically) are drawn this many px apart
   * sideways, centred on their x, in series order; their lines follow them.
   * Points that overlap nothing stay exactly at their x.
   */
  dodgePx?: number;
}

/** One given x tick: its value (data units), its label and an optional smaller second line. */
export interface AxisTick {
  value: number;
  label: string;
  sublabel?: string;
}

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const SERIES_COLORS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

const WIDTH_PX = 800;
const PLOT_HEIGHT_PX = 300;
const MARGIN_LEFT_PX = 80;
const MARGIN_RIGHT_PX = 28;
/** Room for the secondary axis's tick labels and title. */
const MARGIN_RIGHT_SECONDARY_PX = 72;
/** The footer line under the legend. */
const FOOTER_PX = 22;
const MARGIN_TOP_PX = 64;
/** Below the plot: tick labels and the x-axis label; the legend comes after. */
const AXIS_BELOW_PX = 52;
const LEGEND_ROW_PX = 22;
/** The second line of an x tick label (`xTicks[].sublabel`), below the first. */
const SUBLABEL_PX = 13;
/** How close to an edge of the plot a fanned-out marker's centre may come: the largest marker's half-width and its outline. */
const FAN_EDGE_PX = 7;
/** Markers closer than this vertically, px, overlap (see `LineChartSpec.dodgePx`). */
const DODGE_OVERLAP_PX = 9;
const FONT = 'Helvetica, Arial, sans-serif';
/** Rough average glyph width of the 12 px font, for laying out the legend without measuring text. */
const CHAR_WIDTH_PX = 6.8;

/**
 * Escapes text for XML content and attribute values, and drops the control
 * characters XML 1.0 forbids (they could come from a label in a result file).
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c] ?? ''};`);
}

/** Evenly spaced "nice" ticks (1, 2, 5 × 10ⁿ) covering `[min, max]`. */
export function niceTicks(min: number, max: number, targetCount = 6): { ticks: number[]; step: number } {
  let lo = min;
  let hi = max;
  if (hi === lo) {
    // A flat series still needs a visible range around it.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= lo === 0 ? 0 : pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, targetCount - 1));
  const first = Math.floor(lo / step) * step;
  const last = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  // Multiply instead of accumulating so rounding errors do not add up.
  for (let i = 0; first + i * step <= last + step / 2; i++) ticks.push(roundTo(first + i * step, step));
  return { ticks, step };
}

function niceStep(rough: number): number {
  const exponent = Math.floor(Math.log10(rough));
  const base = 10 ** exponent;
  const fraction = rough / base;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * base;
}

/** Rounds away floating-point noise at the precision of `step` (0.30000000000000004 → 0.3). */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 12)));
}

/**
 * Formats an axis tick. `step` is the tick spacing (to choose decimals) and
 * `maxAbs` the largest |tick| of the axis (to choose a prefix shared by all).
 */
export type TickFormatter = (value: number, step: number, maxAbs: number) => string;

/**
 * A tick label with a k/M prefix on axes that reach 10 000 or more:
 * `20000` (step 5000) → `"20k"`, `1500000` (step 500000) → `"1.5M"`, and
 * plain numbers on smaller axes. The prefix follows the axis, so all its
 * labels share it.
 */
export function formatCompactTick(value: number, step: number, maxAbs: number = Math.abs(value)): string {
  if (value === 0) return '0';
  const [factor, symbol] = maxAbs >= 1e6 ? [1e6, 'M'] : maxAbs >= 1e4 ? [1e3, 'k'] : [1, ''];
  return `${formatPlainTick(value / factor, step / factor)}${symbol}`;
}

/** A tick label with just enough decimals for the step: `0.5` (step 0.5) → `"0.5"`. */
export function formatPlainTick(value: number, step: number): string {
  const decimals = Math.min(6, Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** A coordinate with at most one decimal: keeps files small and diffs stable. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Splits legend entries into rows that fit the plot width. */
function legendRows(items: readonly LegendItem[], widthPx: number): { item: LegendItem; x: number }[][] {
  const rows: { item: LegendItem; x: number }[][] = [];
  let row: { item: LegendItem; x: number }[] = [];
  let x = 0;
  for (const item of items) {
    const itemPx = 30 + item.label.length * CHAR_WIDTH_PX + 20;
    if (row.length > 0 && x + itemPx > widthPx) {
      rows.push(row);
      row = [];
      x = 0;
    }
    row.push({ item, x });
    x += itemPx;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** One marker as an SVG element; `attributes` are added as written (already escaped). */
function markerElement(shape: MarkerShape, cx: number, cy: number, attributes: string, size = 4): string {
  switch (shape) {
    case 'circle':
      return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${size}"${attributes}/>`;
    case 'square':
      return `<rect x="${px(cx - size)}" y="${px(cy - size)}" width="${size * 2}" height="${size * 2}"${attributes}/>`;
    case 'triangle':
      return `<path d="M${px(cx)} ${px(cy - size - 1)} L${px(cx + size + 1)} ${px(cy + size)} L${px(cx - size - 1)} ${px(cy + size)} Z"${attributes}/>`;
    case 'triangle-down':
      return `<path d="M${px(cx)} ${px(cy + size + 1)} L${px(cx + size + 1)} ${px(cy - size)} L${px(cx - size - 1)} ${px(cy - size)} Z"${attributes}/>`;
    case 'diamond':
      return `<path d="M${px(cx)} ${px(cy - size - 1)} L${px(cx + size + 1)} ${px(cy)} L${px(cx)} ${px(cy + size + 1)} L${px(cx - size - 1)} ${px(cy)} Z"${attributes}/>`;
  }
}

/** The legend entry of a series: a line swatch, or its marker when it draws no line. */
function seriesLegendItem(s: ChartSeries): LegendItem {
  return s.line === false
    ? { label: s.label, color: s.color, kind: 'marker', shape: s.shape ?? 'circle' }
    : { label: s.label, color: s.color, kind: 'line', ...(s.dash !== undefined ? { dash: s.dash } : {}) };
}

/**
 * Renders a line chart as a standalone SVG document. The building block of
 * the charts below; exported for other chart kinds.
 */
export function renderLineChart(spec: LineChartSpec): string {
  const { heightPx, body } = lineChartBody(spec);
  return `${[svgOpen(spec.title, heightPx), ...body, '</svg>'].join('\n')}\n`;
}

/** The XML declaration and the root element's start tag of a standalone chart. */
function svgOpen(title: string, heightPx: number): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${WIDTH_PX} ${heightPx}" ` +
    `font-family="${escapeXml(FONT)}" font-size="12" role="img" aria-label="${escapeXml(title)}">`
  );
}

/**
 * Charts one above the other in one standalone SVG, each in a
 * `<g class="panel">` moved down by the heights above it (groups, not nested
 * `<svg>` elements: a page's CSS sizing `svg` would resize those too).
 */
export function renderStackedCharts(title: string, specs: readonly LineChartSpec[]): string {
  const out: string[] = [];
  let top = 0;
  for (const [i, spec] of specs.entries()) {
    const { heightPx, body } = lineChartBody(spec);
    out.push(`  <g class="panel" data-panel="${i}" transform="translate(0 ${top})">`, ...body.map((l) => `  ${l}`), '  </g>');
    top += heightPx;
  }
  return `${[svgOpen(title, top), `  <title>${escapeXml(title)}</title>`, ...out, '</svg>'].join('\n')}\n`;
}

/** Everything inside a chart's root element, and the chart's height. */
function lineChartBody(spec: LineChartSpec): { heightPx: number; body: string[] } {
  const bars = spec.secondary?.series ?? [];
  const hasSecondary = spec.secondary !== undefined;
  const plotLeft = MARGIN_LEFT_PX;
  const plotRight = WIDTH_PX - (hasSecondary || spec.secondaryMargin === true ? MARGIN_RIGHT_SECONDARY_PX : MARGIN_RIGHT_PX);
  const plotTop = MARGIN_TOP_PX;
  const plotBottom = plotTop + PLOT_HEIGHT_PX;
  const legendItems: LegendItem[] = [
    ...spec.series.filter((s) => s.noLegend !== true).map(seriesLegendItem),
    ...bars.map((b): LegendItem => ({ label: b.label, color: b.color, kind: 'bar' })),
    ...(spec.legendExtra ?? []),
    ...[...new Set(spec.series.flatMap((s) => s.points.flatMap((p) => (p.flag === undefined ? [] : [p.flag]))))].map(
      (flag): LegendItem => ({ label: `hollow: ${flag}`, color: '#333333', kind: 'marker', shape: 'square', hollow: true }),
    ),
  ];
  const legend = legendRows(legendItems, plotRight - plotLeft);
  const givenTicks = (spec.xTicks ?? []).filter((t) => Number.isFinite(t.value));
  // Second lines under the x tick labels push the axis label and the legend down.
  const sublabelPx = givenTicks.some((t) => t.sublabel !== undefined) ? SUBLABEL_PX : 0;
  const axisBelowPx = AXIS_BELOW_PX + sublabelPx;
  const legendBottom = plotBottom + axisBelowPx + legend.length * LEGEND_ROW_PX;
  const heightPx = legendBottom + (spec.footer !== undefined ? FOOTER_PX : 0) + 16;

  const finite = spec.series.map((s) => ({
    ...s,
    points: s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).slice().sort((a, b) => a.x - b.x),
  }));
  const all = finite.flatMap((s) => s.points);
  const barsFinite = bars.map((b) => ({ ...b, bars: b.bars.filter((r) => Number.isFinite(r.x0) && Number.isFinite(r.x1) && Number.isFinite(r.y)) }));
  const allBars = barsFinite.flatMap((b) => b.bars);
  const lines = (spec.markerLines ?? []).filter((m) => Number.isFinite(m.x));
  const hasData = all.length > 0 || allBars.length > 0;

  const xs = [
    ...all.map((p) => p.x),
    ...allBars.flatMap((r) => [r.x0, r.x1]),
    ...(all.length > 0 ? lines.map((m) => m.x) : []),
    ...(hasData ? (spec.xInclude ?? []).filter((x) => Number.isFinite(x)) : []),
  ];
  const ys = all.map((p) => p.y);
  const xLow = hasData ? (spec.xFromZero === true ? Math.min(0, ...xs) : Math.min(...xs)) : 0;
  const xHigh = hasData ? Math.max(...xs) : 1;
  // Marker charts get a little room at both ends, so edge markers are not cut by the axes.
  const xPad = spec.markers === true && spec.xFromZero !== true ? (xHigh - xLow) * 0.03 : 0;
  // Data that are never negative (rates, sizes) never get a negative axis for the padding's sake.
  const xMin = xLow >= 0 ? Math.max(0, xLow - xPad) : xLow - xPad;
  const xMax = xHigh + xPad;
  // The y axis always includes 0: rates and loss are read against zero.
  const yMin = ys.length > 0 ? Math.min(0, ...ys) : 0;
  const yMax = ys.length > 0 ? Math.max(...ys) : 1;
  const xTicks = niceTicks(xMin, xMax);
  const yTicks = niceTicks(yMin, yMax, 6);
  const givenLow = Math.min(...givenTicks.map((t) => t.value), ...(hasData ? xs : []));
  const givenHigh = Math.max(...givenTicks.map((t) => t.value), ...(hasData ? xs : []));
  const givenPad = givenHigh > givenLow ? (spec.xDomainPad ?? 0) : Math.max(1, spec.xDomainPad ?? 0);
  const x0 = givenTicks.length > 0 ? givenLow - givenPad : (xTicks.ticks[0] ?? 0);
  const x1 = givenTicks.length > 0 ? givenHigh + givenPad : (xTicks.ticks[xTicks.ticks.length - 1] ?? 1);
  const y0 = yTicks.ticks[0] ?? 0;
  const y1 = yTicks.ticks[yTicks.ticks.length - 1] ?? 1;
  const sx = (x: number): number => plotLeft + ((x - x0) / (x1 - x0 || 1)) * (plotRight - plotLeft);
  const sy = (y: number): number => plotBottom - ((y - y0) / (y1 - y0 || 1)) * (plotBottom - plotTop);
  // Series offset sideways (`offsetPx`) fan out around each point; a fan that
  // would cross an edge of the plot moves inwards as a whole, keeping its spacing.
  const fanned = finite.some((s) => (s.offsetPx ?? 0) !== 0);
  const fanLeft = Math.min(0, ...finite.map((s) => s.offsetPx ?? 0));
  const fanRight = Math.max(0, ...finite.map((s) => s.offsetPx ?? 0));
  const inwards = (base: number, left: number, right: number): number =>
    Math.max(0, plotLeft + FAN_EDGE_PX - (base + left)) - Math.max(0, base + right - (plotRight - FAN_EDGE_PX));
  const dodged = dodgeOffsets(finite, sx, sy, spec.dodgePx ?? 0, inwards);
  const pointX = (s: ChartSeries, p: ChartPoint): number => {
    const base = sx(p.x);
    const dodge = dodged.get(p);
    if (dodge !== undefined) return base + dodge;
    if (!fanned || s.offsetPx === undefined) return base;
    return base + s.offsetPx + inwards(base, fanLeft, fanRight);
  };
  const xMaxAbs = Math.max(...xTicks.ticks.map(Math.abs));
  const yMaxAbs = Math.max(...yTicks.ticks.map(Math.abs));
  const formatX = spec.formatXTick ?? formatPlainTick;
  const formatY = spec.formatYTick ?? formatPlainTick;
  // Secondary axis: 0 up to the highest bar.
  // At least 0..5, so a run without loss gets whole-number ticks rather than 0.2 steps.
  const y2Ticks = niceTicks(0, Math.max(5, ...allBars.map((r) => r.y)), 6);
  const y2Top = y2Ticks.ticks[y2Ticks.ticks.length - 1] ?? 1;
  const sy2 = (y: number): number => plotBottom - (y / (y2Top || 1)) * (plotBottom - plotTop);

  const out: string[] = [];
  out.push(`  <title>${escapeXml(spec.title)}</title>`);
  out.push(`  <rect x="0" y="0" width="${WIDTH_PX}" height="${heightPx}" fill="#ffffff"/>`);
  out.push(`  <text x="${WIDTH_PX / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(spec.title)}</text>`);
  if (spec.subtitle !== undefined) {
    // A subtitle too long for the width (a run of patterns names each) gets a smaller font, down to 9 px, rather than running off both edges.
    const room = WIDTH_PX - 20;
    const estimated = [...spec.subtitle].length * CHAR_WIDTH_PX;
    const size = estimated <= room ? null : Math.max(9, Math.floor((12 * room) / estimated));
    const fit = size === null ? '' : ` font-size="${size}"${(estimated * size) / 12 > room ? ` textLength="${room}" lengthAdjust="spacingAndGlyphs"` : ''}`;
    out.push(`  <text x="${WIDTH_PX / 2}" y="46" text-anchor="middle" fill="#555555"${fit}>${escapeXml(spec.subtitle)}</text>`);
  }

  // Grid and tick labels.
  out.push('  <g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (const t of yTicks.ticks) out.push(`    <line x1="${plotLeft}" y1="${px(sy(t))}" x2="${plotRight}" y2="${px(sy(t))}"/>`);
  const xTickValues = givenTicks.length > 0 ? givenTicks.map((t) => t.value) : xTicks.ticks;
  for (const t of xTickValues) out.push(`    <line x1="${px(sx(t))}" y1="${plotTop}" x2="${px(sx(t))}" y2="${plotBottom}"/>`);
  out.push('  </g>');
  // Without data the 0..1 placeholder range means nothing: no tick labels.
  if (hasData) {
    out.push('  <g class="ticks" fill="#333333">');
    for (const t of yTicks.ticks) {
      out.push(`    <text x="${plotLeft - 8}" y="${px(sy(t) + 4)}" text-anchor="end">${escapeXml(formatY(t, yTicks.step, yMaxAbs))}</text>`);
    }
    if (givenTicks.length === 0) {
      for (const t of xTicks.ticks) {
        out.push(`    <text x="${px(sx(t))}" y="${plotBottom + 18}" text-anchor="middle">${escapeXml(formatX(t, xTicks.step, xMaxAbs))}</text>`);
      }
    } else {
      let previousRight = -Infinity;
      for (const t of [...givenTicks].sort((a, b) => a.value - b.value)) {
        const x = sx(t.value);
        const half = (Math.max(t.label.length, (t.sublabel?.length ?? 0) * 0.85) * CHAR_WIDTH_PX) / 2;
        if (x - half < previousRight + 6) continue;
        previousRight = x + half;
        out.push(`    <text x="${px(x)}" y="${plotBottom + 18}" text-anchor="middle">${escapeXml(t.label)}</text>`);
        if (t.sublabel !== undefined) {
          out.push(`    <text class="tick-sublabel" x="${px(x)}" y="${plotBottom + 18 + SUBLABEL_PX}" text-anchor="middle" font-size="10" fill="#666666">${escapeXml(t.sublabel)}</text>`);
        }
      }
    }
    out.push('  </g>');
  }

  // Axes and their labels.
  out.push(`  <g class="axes" stroke="#333333" stroke-width="1">`);
  out.push(`    <line x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}"/>`);
  out.push(`    <line x1="${plotLeft}" y1="${plotTop}" x2="${plotLeft}" y2="${plotBottom}"/>`);
  if (hasSecondary) out.push(`    <line x1="${plotRight}" y1="${plotTop}" x2="${plotRight}" y2="${plotBottom}"/>`);
  out.push('  </g>');
  out.push(
    `  <text class="x-label" x="${px((plotLeft + plotRight) / 2)}" y="${plotBottom + 40 + sublabelPx}" text-anchor="middle" font-size="13">${escapeXml(spec.xLabel)}</text>`,
  );
  const yLabelY = px((plotTop + plotBottom) / 2);
  out.push(
    `  <text class="y-label" x="20" y="${yLabelY}" text-anchor="middle" font-size="13" transform="rotate(-90 20 ${yLabelY})">${escapeXml(spec.yLabel)}</text>`,
  );

  if (spec.secondary !== undefined) {
    const formatY2 = spec.secondary.formatTick ?? formatCompactTick;
    const y2MaxAbs = Math.max(...y2Ticks.ticks.map(Math.abs));
    if (hasData) {
      out.push('  <g class="ticks-secondary" fill="#333333">');
      for (const t of y2Ticks.ticks) {
        out.push(`    <text x="${plotRight + 8}" y="${px(sy2(t) + 4)}" text-anchor="start">${escapeXml(formatY2(t, y2Ticks.step, y2MaxAbs))}</text>`);
      }
      out.push('  </g>');
    }
    const y2LabelX = WIDTH_PX - 14;
    out.push(
      `  <text class="y2-label" x="${y2LabelX}" y="${yLabelY}" text-anchor="middle" font-size="13" transform="rotate(90 ${y2LabelX} ${yLabelY})">${escapeXml(spec.secondary.yLabel)}</text>`,
    );
    if (spec.secondary.note !== undefined) {
      out.push(`  <text class="secondary-note" x="${plotRight - 6}" y="${plotTop + 14}" text-anchor="end" font-size="11" fill="#555555">${escapeXml(spec.secondary.note)}</text>`);
    }
    // Bars first, under the lines; each series takes its slot of the interval.
    barsFinite.forEach((b, i) => {
      out.push(`  <g class="bars" data-bar-series="${escapeXml(b.label)}" fill="${escapeXml(b.color)}" fill-opacity="0.75">`);
      for (const r of b.bars) {
        const left = sx(r.x0);
        const slot = (sx(r.x1) - left) / Math.max(1, barsFinite.length);
        const top = sy2(r.y);
        out.push(
          `    <rect class="loss-bar" x="${px(left + i * slot + slot * 0.15)}" y="${px(top)}" width="${px(slot * 0.7)}" height="${px(plotBottom - top)}"/>`,
        );
      }
      out.push('  </g>');
    });
  }

  // Series, solid first: a dashed line drawn over a solid one it coincides
  // with (sent = received, no loss) stays visible. Markers last, on top.
  const drawOrder = [...finite.filter((s) => s.dash === undefined), ...finite.filter((s) => s.dash !== undefined)];
  for (const s of drawOrder) {
    if (s.points.length === 0 || s.line === false) continue;
    const d = s.points.map((p, i) => `${i === 0 || p.breakBefore === true ? 'M' : 'L'}${px(pointX(s, p))} ${px(sy(p.y))}`).join(' ');
    const dash = s.dash === undefined ? '' : ` stroke-dasharray="${escapeXml(s.dash)}"`;
    out.push(
      `  <path data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="${s.strokeWidth ?? 2}" stroke-linejoin="round"${dash}/>`,
    );
  }
  for (const s of finite) {
    // A lone point draws no line: mark it, or every point when asked to (always without a line).
    const plain = s.points.filter((p) => p.flag === undefined);
    if (plain.length === 0 || (spec.markers !== true && s.markers !== true && s.line !== false && s.points.length > 1)) continue;
    const named = s.line === false ? ` data-series="${escapeXml(s.label)}"` : s.markers === true ? ` data-marker-series="${escapeXml(s.label)}"` : '';
    out.push(`  <g class="markers"${named} fill="${escapeXml(s.color)}">`);
    for (const p of plain) {
      const color = escapeXml(p.color ?? s.color);
      const cls = p.cls === undefined ? '' : ` class="${escapeXml(p.cls)}"`;
      // A ring has no fill and is a little larger: a filled marker at the same spot shows inside it.
      const style =
        p.hollow === true
          ? ` fill="none" stroke="${color}" stroke-width="2"`
          : ` fill="${color}" stroke="#ffffff" stroke-width="0.8"`;
      const dash = p.dashed === true ? ' stroke-dasharray="2 2"' : '';
      out.push(`    ${markerElement(s.shape ?? 'circle', pointX(s, p), sy(p.y), `${cls}${style}${dash}`, p.hollow === true ? 6 : (s.markerSize ?? 4))}`);
    }
    out.push('  </g>');
  }
  for (const s of finite) {
    const flagged = s.points.filter((p) => p.flag !== undefined);
    if (flagged.length === 0) continue;
    // Hollow, in the series' own shape; what hollow means is in the legend
    // (a text label per point would overprint its neighbours).
    out.push(`  <g class="flagged" data-flagged-series="${escapeXml(s.label)}" fill="#ffffff" stroke="${escapeXml(s.color)}" stroke-width="2">`);
    for (const p of flagged) {
      const flag = ` class="point-flag" data-flag="${escapeXml(p.flag ?? '')}"`;
      out.push(`    ${markerElement(s.shape ?? 'square', pointX(s, p), sy(p.y), flag, 4.5)}`);
    }
    out.push('  </g>');
  }
  if (all.length > 0) {
    lines.forEach((m, i) => {
      const x = px(sx(m.x));
      const cls = m.cls === undefined ? 'marker-line' : `marker-line ${m.cls}`;
      out.push(`  <g class="${escapeXml(cls)}" stroke="${escapeXml(m.color)}" fill="${escapeXml(m.color)}">`);
      out.push(`    <line x1="${x}" y1="${plotTop}" x2="${x}" y2="${plotBottom}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
      // Labels stacked from the top, right of the line, so two close maxima do not overwrite each other.
      const anchorEnd = m.side === 'left' ? sx(m.x) - plotLeft > 140 : sx(m.x) > plotRight - 140;
      out.push(
        `    <text x="${px(sx(m.x) + (anchorEnd ? -4 : 4))}" y="${plotTop + 12 + i * 14}" text-anchor="${anchorEnd ? 'end' : 'start'}" stroke="none" font-size="11">${escapeXml(m.label)}</text>`,
      );
      out.push('  </g>');
    });
  }

  if (spec.plotNote !== undefined && hasData) {
    out.push('  <g class="plot-note" font-size="11" fill="#555555" text-anchor="end">');
    spec.plotNote.forEach((line, i) => out.push(`    <text x="${plotRight - 6}" y="${plotTop + 14 + i * 14}">${escapeXml(line)}</text>`));
    out.push('  </g>');
  }

  if (!hasData) {
    out.push(
      `  <text class="no-data" x="${px((plotLeft + plotRight) / 2)}" y="${px((plotTop + plotBottom) / 2)}" text-anchor="middle" font-size="14" fill="#888888">no data</text>`,
    );
  }

  // Legend under the x-axis label, so it never covers data.
  out.push('  <g class="legend">');
  legend.forEach((row, rowIndex) => {
    const y = plotBottom + axisBelowPx + rowIndex * LEGEND_ROW_PX + 10;
    for (const { item, x } of row) {
      const left = plotLeft + x;
      const color = escapeXml(item.color);
      if (item.kind === 'line') {
        const dash = item.dash === undefined ? '' : ` stroke-dasharray="${escapeXml(item.dash)}"`;
        out.push(`    <line x1="${px(left)}" y1="${y}" x2="${px(left + 24)}" y2="${y}" stroke="${color}" stroke-width="2"${dash}/>`);
        if (item.shape !== undefined) out.push(`    ${markerElement(item.shape, left + 12, y, ` fill="${color}" stroke="#ffffff" stroke-width="0.8"`)}`);
      } else if (item.kind === 'bar') {
        out.push(`    <rect x="${px(left + 6)}" y="${y - 6}" width="12" height="12" fill="${color}" fill-opacity="0.75"/>`);
      } else {
        const style = item.hollow === true ? ` fill="#ffffff" stroke="${color}" stroke-width="2"` : ` fill="${color}"`;
        out.push(`    ${markerElement(item.shape ?? 'circle', left + 12, y, style)}`);
      }
      out.push(`    <text x="${px(left + 30)}" y="${y + 4}">${escapeXml(item.label)}</text>`);
    }
  });
  out.push('  </g>');
  if (spec.footer !== undefined) {
    out.push(
      `  <text class="footer" x="${WIDTH_PX / 2}" y="${legendBottom + FOOTER_PX - 2}" text-anchor="middle" font-size="11" fill="#666666">${escapeXml(spec.footer)}</text>`,
    );
  }
  return { heightPx, body: out };
}

/**
 * Sideways offsets, px, of the points whose markers would overlap another
 * series' at the same x (`LineChartSpec.dodgePx`): per x, the points sorted
 * by height fall into runs less than `DODGE_OVERLAP_PX` apart; a run of k
 * points from k series is spread `step` px apart in series order, centred on
 * the x, and moved inwards as a whole where it would cross an edge of the
 * plot. Points that overlap nothing get no entry (they stay at their x).
 */
function dodgeOffsets(
  series: readonly { points: readonly ChartPoint[] }[],
  sx: (x: number) => number,
  sy: (y: number) => number,
  step: number,
  inwards: (base: number, left: number, right: number) => number,
): Map<ChartPoint, number> {
  const offsets = new Map<ChartPoint, number>();
  if (!(step > 0)) return offsets;
  const byX = new Map<string, { point: ChartPoint; series: number; y: number }[]>();
  series.forEach((s, i) => {
    for (const point of s.points) {
      const key = px(sx(point.x));
      byX.set(key, [...(byX.get(key) ?? []), { point, series: i, y: sy(point.y) }]);
    }
  });
  for (const [key, points] of byX) {
    const sorted = [...points].sort((a, b) => a.y - b.y);
    const runs: (typeof sorted)[] = [];
    for (const p of sorted) {
      const run = runs[runs.length - 1];
      const last = run?.[run.length - 1];
      if (run !== undefined && last !== undefined && p.y - last.y < DODGE_OVERLAP_PX) run.push(p);
      else runs.push([p]);
    }
    for (const run of runs) {
      if (run.length < 2) continue;
      run.sort((a, b) => a.series - b.series);
      const half = ((run.length - 1) / 2) * step;
      const shift = inwards(Number(key), -half, half);
      run.forEach((p, j) => offsets.set(p.point, Math.round((j * step - half + shift) * 10) / 10));
    }
  }
  return offsets;
}

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

/** Mixes a `#rrggbb` colour with white: `amount` 0 keeps it, 1 gives white. */
function lighten(hex: string, amount: number): string {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${channels.map((c) => Math.round(c + (255 - c) * amount).toString(16).padStart(2, '0')).join('')}`;
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
  if (below.length === 0) return renderLineChart({ ...rates, footer });
  const last = below[below.length - 1];
  if (last !== undefined) last.spec = { ...last.spec, footer };
  return renderStackedCharts(`${title}; ${below.map((b) => b.name).join('; ')}`, [rates, ...below.map((b) => b.spec)]);
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
