/** One line of a chart: its points and its colour. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Options of {@link lineChart}. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly width?: number;
  readonly height?: number;
}

/** A few round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * A self-contained SVG line chart (axes, ticks, one `<path class="series">` per series, a legend):
 * the page shows it and downloads it as it is, or drawn onto a canvas as PNG.
 *
 * @example
 * svg.outerHTML = lineChart([{ label: 'epoch 0', color: '#0b63c5', x: [1, 2], y: [2.3, 2.1] }], { title: 'cross-entropy', xLabel: 'rows' });
 */
export function lineChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 300;
  const perRow = Math.max(1, Math.floor((width - 68) / 92));
  const legendRows = Math.ceil(series.length / perRow);
  // The legend sits above the plot, one line per `perRow` series.
  const m = { left: 56, right: 24, top: 30 + legendRows * 14, bottom: 40 };
  const xs = series.flatMap((s) => s.x.filter(Number.isFinite));
  const ys = series.flatMap((s) => s.y.filter(Number.isFinite));
  const x0 = Math.min(0, ...xs);
  const x1 = xs.length === 0 ? 1 : Math.max(...xs, x0 + 1);
  let y0 = ys.length === 0 ? 0 : Math.min(...ys);
  let y1 = ys.length === 0 ? 1 : Math.max(...ys);
  if (y1 - y0 < 1e-12) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="16" font-size="13" font-weight="600" fill="#1a1a1a">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks(y0, y1, 5)) {
    const y = py(t).toFixed(1);
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#e2e2e2"/>`,
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#3d3d3d">${t}</text>`,
    );
  }
  for (const t of ticks(x0, x1, 5)) {
    const x = px(t).toFixed(1);
    parts.push(
      `<text x="${x}" y="${height - m.bottom + 14}" text-anchor="middle" fill="#3d3d3d">${t.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#6b6b6b"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 8}" text-anchor="middle" fill="#3d3d3d">${escapeXml(options.xLabel)}</text>`,
  );
  series.forEach((s, k) => {
    let d = '';
    let pen = 'M';
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${px(x).toFixed(1)},${py(y).toFixed(1)}`;
      pen = 'L';
    }
    parts.push(
      `<path class="series" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`,
    );
    const lx = m.left + 8 + (k % perRow) * 92;
    const ly = 32 + Math.floor(k / perRow) * 14;
    parts.push(
      `<rect x="${lx}" y="${ly - 4}" width="10" height="3" fill="${s.color}"/><text x="${lx + 14}" y="${ly}" dominant-baseline="middle" fill="#1a1a1a">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Colours for series, dark enough for text contrast on white (≥ 4.5:1). */
export const PALETTE: readonly string[] = [
  '#0b63c5',
  '#c2410c',
  '#15803d',
  '#9333ea',
  '#b91c1c',
  '#0e7490',
  '#a16207',
  '#be185d',
  '#4d7c0f',
  '#1e40af',
];
