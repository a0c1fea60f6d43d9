import type { MetricValue } from '@lossflow/core';
import { type DisplayKey, keyLabel, keyNamesLabel } from '../eval/displayKey.js';
import type { LossResult } from '../eval/evalPipeline.js';
import type { MetricResult } from '../metrics/metricResults.js';
import { lossColumnFormat } from '../output/lossColumnFormat.js';
import { boundedCell, metricCell } from '../output/metricOutput.js';
import { formatBytes, formatCount, formatDuration } from '../output/numberFormat.js';
import { optionSummary } from '../output/optionSummary.js';
import { type HeatmapMatrix, renderConfusionHeatmap } from './confusionHeatmap.js';
import { escapeHtml } from './escapeHtml.js';
import { renderLineChart } from './lineChart.js';
import { REPORT_SCRIPT } from './reportScript.js';
import { seriesColours } from './seriesColours.js';
import { REPORT_MAX_SERIES, type RecordedSeries } from './seriesRecorder.js';

/** Rows of the report's table of final values at most: the groups that appeared first. */
export const REPORT_MAX_TABLE_ROWS = 1000;

/** One loss in the report: its final values, its training curve and its running series. */
export interface ReportLoss {
  readonly result: LossResult;
  readonly series: readonly RecordedSeries[];
  /** What the series are plotted against (`step`, `rows`). */
  readonly xLabel: string;
  /** The loss of each batch (or `--every` window of batches) per group (see `CurveRecorder`). */
  readonly curve?: readonly RecordedSeries[];
  /** Batches per curve point (`--every`; 1: every batch). */
  readonly window?: number;
}

/** The smoothing the report opens with, as TensorBoard's default. */
export const DEFAULT_SMOOTHING = 0.6;

/** Everything the report shows. */
export interface ReportData {
  readonly title: string;
  /** The command line that produced it. */
  readonly command: string;
  readonly generatedAt: Date;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly rows: number;
  readonly batches: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** The grouping column (`epoch`), if any. */
  readonly by: string | undefined;
  readonly losses: readonly ReportLoss[];
  /** More run parameters (the demo's generator settings), as label/value pairs. */
  readonly parameters?: readonly (readonly [string, string])[];
  /** Every column read (input, target, keys, step), in the first file's order. */
  readonly columns?: readonly string[];
  /** Why the files may no longer be there (the demo's log, deleted after the run). */
  readonly filesNote?: string;
  /** The `--metric` results: a table of their values and a heat map per confusion matrix. */
  readonly metrics?: readonly MetricResult[];
  /** Set after an interrupted `--follow`: the values cover only the rows read. */
  readonly incomplete?: boolean;
}

/**
 * The report as one self-contained HTML document: inline CSS, SVG and one small inline script
 * (legend toggles, hover values, the curve's smoothing control; the page reads the same without
 * it), and a content security policy that forbids every network request, so it opens the same
 * offline, attached to an e-mail or pasted into a write-up.
 */
export function reportHtml(given: ReportData): string {
  const data = given.by === undefined ? given : { ...given, by: keyNamesLabel(given.by) };
  const seconds = data.elapsedMs / 1000;
  const cards: [string, string][] = [
    ['Rows', formatCount(data.rows)],
    ['Batches', formatCount(data.batches)],
    ['Data', formatBytes(data.bytes)],
    ['Elapsed', formatDuration(data.elapsedMs)],
    ['Throughput', seconds > 0 ? `${formatCount(data.rows / seconds)} rows/s` : '–'],
    ['Read rate', seconds > 0 ? `${formatBytes(data.bytes / seconds)}/s` : '–'],
  ];
  const sections = data.losses.map((l) => lossSection(l, data.by));
  const params: [string, string][] = [
    ['Command', data.command],
    ...data.files.map((f, i): [string, string] => [
      data.files.length > 1 ? `File ${i + 1}` : 'File',
      `${f.path} (${formatBytes(f.bytes)})${data.filesNote === undefined ? '' : ` — ${data.filesNote}`}`,
    ]),
    ...(data.columns === undefined ? [] : [['Columns read', data.columns.join(', ')] as [string, string]]),
    ...data.losses
      .filter((l) => l.result.columns !== undefined)
      .map((l): [string, string] => [
        `Columns of ${l.result.loss}`,
        Object.entries(l.result.columns!)
          .map(([role, column]) => `${role}=${column}`)
          .join(' '),
      ]),
    ...data.losses.map((l): [string, string] => [
      `Loss: ${l.result.loss}`,
      [`reduction=${l.result.reduction}`, optionSummary(l.result.options)].filter((s) => s !== '').join(' '),
    ]),
    ['Grouped by', data.by ?? '—'],
    ...(data.parameters ?? []).map(([k, v]): [string, string] => [k, v]),
    ['Generated', data.generatedAt.toISOString()],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="lede">${escapeHtml(lede(data))}</p>
${data.incomplete === true ? `<p class="incomplete" role="alert">${escapeHtml(`Incomplete: reading was interrupted before the end of the stream; every value covers only the ${formatCount(data.rows)} rows read so far.`)}</p>` : ''}
</header>
<section class="cards">
${cards.map(([k, v]) => `<div class="card"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div></div>`).join('\n')}
</section>
${sections.join('\n')}
${metricsSection(data.metrics ?? [], data.by)}
<section>
<h2>Run</h2>
<table class="params">
<tbody>
${params.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody>
</table>
</section>
<footer>Made by lossflow · values are PyTorch-exact (<code>torch.nn.functional</code> semantics) and do not depend on how the rows were batched (the same bits for any thread count).</footer>
</main>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function lede(data: ReportData): string {
  const names = data.losses.map((l) => `${l.result.reduction} ${l.result.loss}`).join(', ');
  const grouping = data.by === undefined ? '' : ` per ${data.by}`;
  // A few files by name; shards or runs whose names repeat (run=a/log.arrows, run=b/log.arrows)
  // or many files, by count (the Run section lists every path).
  const base = data.files.map((f) => f.path.split(/[\\/]/).at(-1) ?? f.path);
  const files =
    base.length <= 3 && new Set(base).size === base.length
      ? base.join(', ')
      : `${formatCount(base.length)} files`;
  return `${names}${grouping} over ${formatCount(data.rows)} rows of ${files}.`;
}

/**
 * Whether the change from group `a` to the next group `b` means something: consecutive values of
 * an ordered (integer) key, epochs, within the same values of the other keys (one run). Between
 * runs or files (`--by run`), or across runs (`run=a epoch=2` to `run=b epoch=0`), it does not.
 */
function sameSeries(a: DisplayKey, b: DisplayKey): boolean {
  const ordered = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  if (typeof a !== 'object' || typeof b !== 'object') return ordered(a) && ordered(b);
  const names = Object.keys(a);
  const last = names.at(-1);
  if (last === undefined || !ordered(a[last]) || !ordered(b[last])) return false;
  return names.slice(0, -1).every((n) => a[n] === b[n]);
}

function curveFigure(
  l: ReportLoss,
  by: string | undefined,
  label: (key: DisplayKey | null) => string,
): string {
  const curve = l.curve;
  if (curve === undefined || curve.length === 0) return '';
  const r = l.result;
  const colors = seriesColours(curve.map((s) => s.key));
  const per = (l.window ?? 1) === 1 ? 'batch' : `${l.window} batches`;
  const chart = renderLineChart(
    curve.map((s, i) => ({ label: label(s.key), color: colors[i]!, points: s.points })),
    {
      title: `${r.loss} per ${per}${by === undefined ? '' : ` for each ${by}`} against ${l.xLabel}`,
      xLabel: l.xLabel,
      yLabel: `${r.loss} (${r.reduction} per ${per})`,
      className: 'chart-curve',
      smoothing: DEFAULT_SMOOTHING,
    },
  );
  return `<figure class="curve">
<div class="controls"><label>Smoothing <input class="smoothing" type="range" min="0" max="0.99" step="0.01" value="${DEFAULT_SMOOTHING}"> <output class="smoothing-value">${DEFAULT_SMOOTHING.toFixed(2)}</output></label><span class="muted">Click a legend entry to hide or show its line; hover for values.</span></div>
${chart}
<figcaption>${escapeHtml(`The ${r.reduction} ${r.loss} of each ${per}${by === undefined ? '' : ` per ${by}`} (faint), and smoothed with an exponential moving average as TensorBoard smooths (bold).`)}</figcaption>
</figure>`;
}

function lossSection(l: ReportLoss, by: string | undefined): string {
  const r = l.result;
  const colors = seriesColours(l.series.map((s) => s.key));
  const label = (key: RecordedSeries['key']): string =>
    key === null ? 'all rows' : typeof key === 'object' ? keyLabel(key) : `${by ?? 'group'} ${key}`;
  const curve = curveFigure(l, by, label);
  const chart = renderLineChart(
    l.series.map((s, i) => ({ label: label(s.key), color: colors[i]!, points: s.points })),
    {
      title: `Running ${r.reduction} ${r.loss}${by === undefined ? '' : ` within each ${by}`} against ${l.xLabel}`,
      xLabel: l.xLabel,
      yLabel: `${r.loss} (running ${r.reduction})`,
    },
  );
  const caption =
    by === undefined
      ? `Running ${r.reduction} ${r.loss} over all rows so far, after every batch.`
      : `Running ${r.reduction} ${r.loss} within each ${by}, after every batch: each line starts afresh at its ${by}'s first batch and ends at the ${by}'s final value (dot).`;
  const allGroups = r.groups ?? [];
  const groups = allGroups.slice(0, REPORT_MAX_TABLE_ROWS);
  // One number of decimals down the column, as in the terminal table.
  const format = lossColumnFormat([r.value, ...groups.map((g) => g.value)]);
  const rows = groups.map((g, i) => {
    // The change from the group before within one run: with several keys (run,epoch) only when
    // every key but the last is the same (the next epoch of the same run, not another run's).
    const before = groups[i - 1];
    const previous = before !== undefined && sameSeries(before.key, g.key) ? before.value : Number.NaN;
    const change =
      Number.isFinite(previous) && previous !== 0
        ? ((g.value - previous) / Math.abs(previous)) * 100
        : Number.NaN;
    const changeText = Number.isFinite(change) ? `${change > 0 ? '+' : ''}${change.toFixed(1)}%` : '';
    return `<tr><td><span class="swatch" style="background:${colors[i] ?? '#888'}"></span>${escapeHtml(keyLabel(g.key))}</td><td>${formatCount(g.rows)}</td><td>${format(g.value)}</td><td>${changeText}</td></tr>`;
  });
  const table = `<table class="values">
<thead><tr><th>${escapeHtml(by ?? '')}</th><th>rows</th><th>${escapeHtml(r.loss)}</th><th>change</th></tr></thead>
<tbody>
${rows.join('\n')}
${groups.length < allGroups.length ? `<tr class="more"><td colspan="4">${escapeHtml(`Showing ${formatCount(groups.length)} of ${formatCount(allGroups.length)} groups (the first to appear); the json, csv and ndjson outputs have them all.`)}</td></tr>\n` : ''}<tr class="total"><td>all</td><td>${formatCount(r.rows)}</td><td>${format(r.value)}</td><td></td></tr>
</tbody>
</table>`;
  return `<section class="loss">
<h2>${escapeHtml(r.loss)} <span class="muted">(${escapeHtml(r.reduction)})</span></h2>
${curve}
<figure>
${chart}
<figcaption>${escapeHtml(caption)}</figcaption>
${seriesNote(l, by)}
</figure>
<h3>Final values${by === undefined ? '' : ` per ${escapeHtml(by)}`}</h3>
${table}
</section>`;
}

/** Groups the report shows per metric at most: the heat map's selector and the table's columns. */
export const REPORT_MAX_METRIC_GROUPS = 50;

/** The metrics: one table of their values (overall and per group), and each confusion matrix as a heat map. */
function metricsSection(metrics: readonly MetricResult[], by: string | undefined): string {
  if (metrics.length === 0) return '';
  const label = (key: DisplayKey): string =>
    typeof key === 'object' ? keyLabel(key) : `${by ?? 'group'} ${key}`;
  const tabled = metrics.filter((m) => m.metric !== 'confusion-matrix');
  const keys = (tabled[0]?.groups ?? []).slice(0, REPORT_MAX_METRIC_GROUPS).map((g) => g.key);
  const head = `<tr><th>metric</th>${keys.map((k) => `<th>${escapeHtml(label(k))}</th>`).join('')}<th>all</th></tr>`;
  const rows = tabled.map((m) => {
    const name = [m.metric, optionSummary(m.options)].filter((t) => t !== '').join(' ');
    // One number of decimals along a metric's row, as in the terminal table (0.9843 beside 1.0000).
    const numbers = [m.value, ...(m.groups ?? []).map((g) => g.value)].filter(
      (v): v is number => typeof v === 'number',
    );
    const fixed = lossColumnFormat(numbers, 4);
    // auroc's error bound beside its value: the exact value lies within value ± bound.
    const cell = (v: MetricValue | undefined, bound?: number | number[]) => {
      return boundedCell(typeof v === 'number' ? fixed(v) : metricCell(v), v, bound);
    };
    const cells = keys
      .map((_, i) => `<td>${escapeHtml(cell(m.groups?.[i]?.value, m.groups?.[i]?.errorBound))}</td>`)
      .join('');
    return `<tr><td>${escapeHtml(name)}</td>${cells}<td>${escapeHtml(cell(m.value, m.errorBound))}</td></tr>`;
  });
  const table =
    tabled.length === 0
      ? ''
      : `<table class="values metrics">
<thead>${head}</thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
  const heatmaps = metrics
    .filter((m) => m.metric === 'confusion-matrix' && Array.isArray(m.value))
    .map((m) => {
      const matrices: HeatmapMatrix[] = [
        { label: 'all rows', matrix: m.value as number[][] },
        ...(m.groups ?? [])
          .slice(0, REPORT_MAX_METRIC_GROUPS)
          .map((g) => ({ label: label(g.key), matrix: g.value as number[][] })),
      ];
      const name = [m.metric, optionSummary(m.options)].filter((t) => t !== '').join(' ');
      return `<h3>${escapeHtml(name)}</h3>\n${renderConfusionHeatmap(matrices, 'Confusion matrix')}`;
    });
  return `<section class="metrics">
<h2>Metrics</h2>
${table}
${heatmaps.join('\n')}
</section>`;
}

/** The note under a chart that draws only some of the groups. */
function seriesNote(l: ReportLoss, by: string | undefined): string {
  const total = l.result.groups?.length ?? 0;
  const drawn = l.series.filter((s) => s.key !== null).length;
  if (by === undefined || total <= drawn) return '';
  return `<p class="note">${escapeHtml(`Showing ${formatCount(drawn)} of ${formatCount(total)} groups: the first ${formatCount(drawn)} ${by} values to appear (the report draws at most ${REPORT_MAX_SERIES} lines).`)}</p>`;
}

const CSS = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6477; --rule: #e3e6ec; --bg: #fbfbfd; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 12px; }
h3 { font-size: 15px; margin: 20px 0 8px; color: var(--muted); font-weight: 600; }
.lede, .muted, figcaption, footer { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 10px; margin-top: 20px; }
@media (max-width: 560px) { .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.card { background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 10px 14px; min-width: 0; }
.card .k { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.card .v { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.incomplete { background: #fff4e5; border: 1px solid #f0b45c; color: #7a4a00; border-radius: 8px; padding: 8px 12px; font-weight: 600; }
figure { position: relative; }
figure.curve { margin-bottom: 16px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; font-size: 13px; margin-bottom: 6px; }
.controls input { vertical-align: middle; width: 160px; }
.controls input[type=checkbox] { width: auto; margin: 0 4px 0 0; }
svg .raw { fill: none; stroke-width: 1; opacity: 0.25; }
svg .off { display: none; }
svg .legend-item { cursor: pointer; }
svg .legend-item.off { display: inline; opacity: 0.35; }
svg .guide { stroke: #8a93a6; stroke-dasharray: 3 3; pointer-events: none; }
.tip { position: absolute; pointer-events: none; background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: 6px 8px; font-size: 12px; box-shadow: 0 2px 6px rgba(0,0,0,0.12); white-space: nowrap; z-index: 2; }
.tip .tip-x { color: var(--muted); margin-bottom: 2px; }
.tip .tip-swatch { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 6px; }
figure { margin: 0; background: #fff; border: 1px solid var(--rule); border-radius: 8px; padding: 12px; }
figcaption { font-size: 13px; margin-top: 6px; }
svg.chart, svg.chart-curve { width: 100%; height: auto; display: block; font: 12px system-ui, sans-serif; }
svg .plot { fill: #fff; }
svg .grid { stroke: #eceef3; stroke-width: 1; }
svg .axis { stroke: #8a93a6; stroke-width: 1; }
svg .tick { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .axis-label { fill: var(--ink); font-size: 13px; font-weight: 600; }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .legend text { fill: var(--ink); }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--rule); }
table.values td:not(:first-child), table.values th:not(:first-child) { text-align: right; }
table.values tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
table.params th { width: 180px; color: var(--muted); font-weight: 500; }
table.params td { word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.note { font-size: 13px; color: var(--muted); margin: 6px 0 0; font-weight: 600; }
table.values tr.more td { color: var(--muted); font-style: italic; text-align: left; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 8px; }
footer { margin-top: 40px; font-size: 12px; }
table.values.metrics td:first-child { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
figure.heatmap-figure { max-width: 700px; }
svg.heatmap { width: 100%; height: auto; display: block; font: 12px system-ui, sans-serif; }
svg.heatmap .cell { stroke: #fff; stroke-width: 0.5; }
svg.heatmap .cell:hover { stroke: #e15759; stroke-width: 2; }
svg.heatmap .cell-count { font-size: 12px; text-anchor: middle; dominant-baseline: central; pointer-events: none; font-variant-numeric: tabular-nums; }
svg.heatmap .frame { fill: none; stroke: #8a93a6; }
`;
