import type { EvalRun, LossResult } from '../eval/evalPipeline.js';
import type { Style } from './ansi.js';
import { metricTableLines, withMetricColumns } from './metricTable.js';
import { formatBytes, formatCount, formatDuration, formatLoss } from './numberFormat.js';
import { optionSummary } from './optionSummary.js';
import { renderTable, type TableColumn } from './textTable.js';

/**
 * The results for people: one aligned table with a row per group (when grouped) and a total row,
 * a value column per loss, then what was read and how fast.
 */
export function resultTable(run: EvalRun, by: string | undefined, elapsedMs: number, style: Style): string {
  const heading = run.results
    .map((r) => {
      const opts = optionSummary(r.options);
      return `${style.bold(r.loss)} ${style.dim(`(${r.reduction}${opts === '' ? '' : `, ${opts}`})`)}`;
    })
    .join('  ');
  const sameRows = run.results.every((r) => sameGroupRows(r, run.results[0]!));
  const metrics = run.metrics ?? [];
  const body = sameRows
    ? combined(run.results, by, style, withMetricColumns(metrics))
    : run.results
        .map((r, i) => combined([r], by, style, i === 0 ? withMetricColumns(metrics) : undefined))
        .join('\n');
  const rate = elapsedMs > 0 ? ` (${formatBytes((run.bytes / elapsedMs) * 1000)}/s)` : '';
  const footer = style.dim(
    `${formatCount(run.rows)} rows · ${formatCount(run.batches)} batches · ${formatBytes(run.bytes)} in ${formatDuration(elapsedMs)}${rate}`,
  );
  return `${heading}\n\n${body}\n${metricTableLines(metrics, style)}${footer}\n`;
}

function combined(
  results: readonly LossResult[],
  by: string | undefined,
  style: Style,
  extra?: ReturnType<typeof withMetricColumns>,
): string {
  const first = results[0]!;
  const columns: TableColumn[] = [
    { header: by ?? '', align: 'left' },
    { header: 'rows', align: 'right' },
    ...results.map((r) => ({ header: r.loss, align: 'right' as const })),
    ...(extra?.headers ?? []).map((header) => ({ header, align: 'right' as const })),
  ];
  const rows: string[][] = [];
  if (by !== undefined) {
    const values = results.map((r) => new Map((r.groups ?? []).map((g) => [g.key, g.value])));
    for (const g of first.groups ?? []) {
      rows.push([
        String(g.key),
        formatCount(g.rows),
        ...values.map((m) => {
          const v = m.get(g.key);
          return v === undefined ? '' : formatLoss(v);
        }),
        ...(extra?.group(g.key) ?? []),
      ]);
    }
  }
  rows.push([
    'total',
    formatCount(first.rows),
    ...results.map((r) => formatLoss(r.value)),
    ...(extra?.total ?? []),
  ]);
  return renderTable(
    columns,
    rows,
    by === undefined ? { header: style.bold } : { header: style.bold, lastRow: style.bold },
  );
}

function sameGroupRows(a: LossResult, b: LossResult): boolean {
  if (a.rows !== b.rows) return false;
  const ga = a.groups ?? [];
  const gb = b.groups ?? [];
  return ga.length === gb.length && ga.every((g, i) => g.key === gb[i]!.key && g.rows === gb[i]!.rows);
}
