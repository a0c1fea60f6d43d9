import { emaSmoothing } from './emaSmoothing.js';
import { escapeHtml } from './escapeHtml.js';
import { niceTicks, tickLabel } from './niceTicks.js';

/** One line of a chart. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** `[x, y]` in data units; non-finite y values break the line. */
  readonly points: readonly (readonly [number, number])[];
}

/** Text and size of a chart. */
export interface LineChartOptions {
  /** Read by screen readers and shown as a tooltip. */
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
  /** The `<svg>`'s class (default `chart`). */
  readonly className?: string;
  /**
   * Draw each series twice: faint as recorded (`path.raw`), and smoothed with this exponential
   * moving average weight (`path.series`, see `emaSmoothing`), which the page's smoothing control
   * changes. Without it each series is drawn once, as recorded.
   */
  readonly smoothing?: number;
}

/** What the report's script needs to redraw and label a chart: its scales and every series' points. */
export interface ChartData {
  readonly x: readonly [number, number, number, number];
  readonly y: readonly [number, number, number, number];
  readonly series: readonly {
    readonly label: string;
    readonly color: string;
    readonly points: readonly (readonly [number, number])[];
  }[];
  readonly smoothing?: number;
}

const ROW = 18;

/**
 * A line chart as inline SVG (no script, no external reference): labelled axes with round ticks,
 * light grid lines, one `<path class="series">` per series, a dot at each line's last point, and a
 * legend at the right whose entries (`g.legend-item`) the report's script turns into toggles. The
 * chart's scales and points follow the `<svg>` as JSON (`script.chart-data`), from which the script
 * shows hover values and redraws smoothed lines; without script the chart reads the same.
 */
export function renderLineChart(series: readonly ChartSeries[], options: LineChartOptions): string {
  const width = options.width ?? 820;
  const height = options.height ?? 400;
  const legendRows = Math.max(1, Math.floor((height - 80) / ROW));
  const legendColumns = Math.max(1, Math.ceil(series.length / legendRows));
  let longestLabel = 4;
  for (const s of series) if (s.label.length > longestLabel) longestLabel = s.label.length;
  const legendWidth = longestLabel * 7 + 34;
  const m = { top: 20, right: 24 + legendColumns * legendWidth, bottom: 56, left: 72 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;

  // Running extremes, not Math.min(...xs): a spread passes one argument per point and overflows
  // the call stack for long series. Infinity/-Infinity when no point is finite, as Math.min() gives.
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const s of series)
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) {
        if (x < xMin) xMin = x;
        if (x > xMax) xMax = x;
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
    }
  const xt = niceTicks(xMin, xMax, 7);
  const yt = niceTicks(yMin, yMax, 6);
  const sx = (x: number): number => m.left + ((x - xt.min) / (xt.max - xt.min)) * plotW;
  const sy = (y: number): number => m.top + plotH - ((y - yt.min) / (yt.max - yt.min)) * plotH;
  const r = (v: number): string => v.toFixed(1);

  const out: string[] = [];
  out.push(
    `<svg class="${options.className ?? 'chart'}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<title>${escapeHtml(options.title)}</title>`,
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" class="plot"/>`,
  );
  for (const v of yt.values) {
    const y = r(sy(v));
    out.push(
      `<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(v, yt.step)}</text>`,
    );
  }
  for (const v of xt.values) {
    const x = r(sx(v));
    out.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}"/>`,
      `<text class="tick" x="${x}" y="${m.top + plotH + 18}" text-anchor="middle">${tickLabel(v, xt.step)}</text>`,
    );
  }
  out.push(
    `<line class="axis" x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}"/>`,
    `<line class="axis" x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}"/>`,
    `<text class="axis-label" x="${m.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(18 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`,
  );
  const smoothing = options.smoothing;
  series.forEach((s) => {
    const d = pathData(s.points, sx, sy);
    if (d === '') return;
    const label = escapeHtml(s.label);
    const drawn = smoothing === undefined ? s.points : smoothed(s.points, smoothing);
    if (smoothing !== undefined)
      out.push(`<path class="raw" data-series="${label}" d="${d}" stroke="${s.color}"/>`);
    out.push(
      `<path class="series" data-series="${label}" d="${pathData(drawn, sx, sy)}" stroke="${s.color}"><title>${label}</title></path>`,
    );
    const last = [...drawn].reverse().find(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (last !== undefined) {
      out.push(
        `<circle class="end" data-series="${label}" cx="${r(sx(last[0]))}" cy="${r(sy(last[1]))}" r="3" fill="${s.color}"/>`,
      );
    }
  });
  out.push(`<g class="legend">`);
  series.forEach((s, i) => {
    const col = Math.floor(i / legendRows);
    const row = i % legendRows;
    const x = width - m.right + 20 + col * legendWidth;
    const y = m.top + 6 + row * ROW;
    out.push(
      `<g class="legend-item" data-series="${escapeHtml(s.label)}" role="button" tabindex="0" aria-pressed="true">`,
      `<rect x="${x - 4}" y="${y - ROW / 2}" width="${legendWidth - 8}" height="${ROW}" fill="transparent"/>`,
      `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="3"/>`,
      `<text x="${x + 24}" y="${y}" dominant-baseline="middle">${escapeHtml(s.label)}</text>`,
      '</g>',
    );
  });
  out.push('</g>', '</svg>');
  const data: ChartData = {
    x: [xt.min, xt.max, m.left, plotW],
    y: [yt.min, yt.max, m.top, plotH],
    series: series.map((s) => ({ label: s.label, color: s.color, points: s.points })),
    ...(smoothing === undefined ? {} : { smoothing }),
  };
  // `<` escaped, so a label can never close the script element.
  out.push(
    `<script type="application/json" class="chart-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`,
  );
  return out.join('\n');
}

function smoothed(points: readonly (readonly [number, number])[], weight: number): [number, number][] {
  const ys = emaSmoothing(
    points.map(([, y]) => y),
    weight,
  );
  return points.map(([x], i) => [x, ys[i]!]);
}

function pathData(
  points: readonly (readonly [number, number])[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}
