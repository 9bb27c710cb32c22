/**
 * A small SVG chart kit, no dependencies, nothing about results: line charts
 * with markers, bars and a secondary axis, stacked panels, legends, nice
 * ticks, escaping. 800 px wide so charts read well at README width; white
 * background so they also read on dark themes. Every series is one
 * `<path data-series="label">` (tests and scripts find series by that
 * attribute). The charts of results are in svg.ts.
 */

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

/** Mixes a `#rrggbb` colour with white: `amount` 0 keeps it, 1 gives white. */
export function lighten(hex: string, amount: number): string {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `#${channels.map((c) => Math.round(c + (255 - c) * amount).toString(16).padStart(2, '0')).join('')}`;
}
