import { formatCount } from '../output/numberFormat.js';
import { escapeHtml } from './escapeHtml.js';

/** One confusion matrix the heat map can show: the overall one or a group's. */
export interface HeatmapMatrix {
  /** What the selector calls it (`all rows`, `epoch 3`). */
  readonly label: string;
  /** `matrix[true][predicted]` counts. */
  readonly matrix: readonly (readonly number[])[];
}

/** Classes up to which each cell prints its count (beyond, cells are too small: hover shows it). */
export const HEATMAP_MAX_CELL_TEXT = 20;

const PLOT = 560;
const LEFT = 64;
const TOP = 44;

/**
 * A cell's colour for a share `t` in [0, 1] of the largest count (or of its row): white through
 * blue, as a sequential scale that prints and reads in grey too.
 */
export function heatColour(t: number): string {
  const u = Math.sqrt(Math.min(1, Math.max(0, t)));
  const from = [247, 251, 255];
  const to = [8, 48, 107];
  return `rgb(${from.map((f, i) => Math.round(f + (to[i]! - f) * u)).join(',')})`;
}

/**
 * The confusion-matrix heat map of the report: an SVG with one `<rect>` per cell in row-major
 * order (its count in `data-count`; for at most {@link HEATMAP_MAX_CELL_TEXT} classes the count
 * printed in the cell and a `<title>` for hover without script), class labels on both axes, a selector of the matrix (the
 * overall one and each group's) and a row-normalised toggle. The page draws the first matrix
 * without script; the report script (see `REPORT_SCRIPT`) redraws it from the JSON after the SVG
 * when the selector or the toggle changes.
 *
 * @example
 * renderConfusionHeatmap([{ label: 'all rows', matrix: [[5, 1], [0, 4]] }], 'confusion-matrix');
 */
export function renderConfusionHeatmap(matrices: readonly HeatmapMatrix[], title: string): string {
  const first = matrices[0];
  if (first === undefined) return '';
  const classes = first.matrix.length;
  if (classes === 0) return '<p class="muted">No class was seen: the confusion matrix is empty.</p>';
  const cell = PLOT / classes;
  const text = classes <= HEATMAP_MAX_CELL_TEXT;
  const max = Math.max(1, ...first.matrix.flat());
  // Every n-th class (1, 2, 5, 10, 20, …) where labels would overlap (100 classes: every 5th).
  const every = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((n) => n * cell >= 24) ?? 1000;
  const parts: string[] = [];
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) {
      const n = first.matrix[t]?.[p] ?? 0;
      const x = LEFT + p * cell;
      const y = TOP + t * cell;
      // Many classes: no <title> per cell (the page would grow by megabytes); the script's tip shows the count.
      const hover = text ? `<title>${cellTitle(t, p, n)}</title>` : '';
      parts.push(
        `<rect class="cell" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${cell.toFixed(1)}" height="${cell.toFixed(1)}" fill="${heatColour(n / max)}" data-count="${n}">${hover}</rect>`,
      );
      if (text) {
        parts.push(
          `<text class="cell-count" x="${(x + cell / 2).toFixed(1)}" y="${(y + cell / 2).toFixed(1)}" fill="${n / max > 0.45 ? '#fff' : '#1d2433'}">${n}</text>`,
        );
      }
    }
  }
  const labels: string[] = [];
  for (let c = 0; c < classes; c += every) {
    const mid = (c + 0.5) * cell;
    labels.push(
      `<text class="tick" x="${LEFT - 6}" y="${(TOP + mid).toFixed(2)}" text-anchor="end" dominant-baseline="middle">${c}</text>`,
    );
    labels.push(
      `<text class="tick" x="${(LEFT + mid).toFixed(2)}" y="${TOP - 6}" text-anchor="middle">${c}</text>`,
    );
  }
  const size = LEFT + PLOT + 16;
  const total = first.matrix.flat().reduce((a, b) => a + b, 0);
  const correct = first.matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  const summary = `${title}: ${classes} classes, rows are the true class and columns the predicted class; ${formatCount(correct)} of ${formatCount(total)} counted samples on the diagonal.`;
  const svg = `<svg class="heatmap" viewBox="0 0 ${size} ${TOP + PLOT + 40}" role="img" aria-label="${escapeHtml(summary)}" data-classes="${classes}">
<text class="axis-label" x="${LEFT + PLOT / 2}" y="14" text-anchor="middle">predicted class</text>
<text class="axis-label" transform="translate(14 ${TOP + PLOT / 2}) rotate(-90)" text-anchor="middle">true class</text>
${labels.join('\n')}
<g class="cells">
${parts.join('\n')}
</g>
<rect class="frame" x="${LEFT}" y="${TOP}" width="${PLOT}" height="${PLOT}"/>
</svg>`;
  // The counts for the script: escape '<' so no JSON can close the script element.
  const data = JSON.stringify({
    labels: matrices.map((m) => m.label),
    matrices: matrices.map((m) => m.matrix),
  }).replace(/</g, '\\u003c');
  const select =
    matrices.length > 1
      ? `<label>Matrix <select class="heatmap-select">${matrices.map((m, i) => `<option value="${i}">${escapeHtml(m.label)}</option>`).join('')}</select></label>`
      : '';
  return `<figure class="heatmap-figure">
<div class="controls">${select}<label><input class="heatmap-normalise" type="checkbox"> Row-normalised (share of each true class)</label><span class="muted">Hover a cell for its count.</span></div>
${svg}
<script type="application/json" class="heatmap-data">${data}</script>
<figcaption>${escapeHtml(`${title}: row = true class, column = predicted class; darker is more samples (of the largest cell, or of the row when row-normalised).${text ? '' : ' Cells are too small for their counts: hover one to see it.'}`)}</figcaption>
</figure>`;
}

/** The hover text of a cell (the script writes the same words). */
function cellTitle(t: number, p: number, n: number): string {
  return `true ${t}, predicted ${p}: ${n}`;
}
