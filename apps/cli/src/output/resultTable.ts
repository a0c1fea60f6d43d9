import { type DisplayKey, keyLabel } from '../eval/displayKey.js';
import type { EvalRun, LossResult } from '../eval/evalPipeline.js';
import type { Style } from './ansi.js';
import { lossColumnFormat } from './lossColumnFormat.js';
import { metricTableLines, withMetricColumns } from './metricTable.js';
import { formatBytes, formatCount, formatCounted, formatDuration } from './numberFormat.js';
import { optionSummary } from './optionSummary.js';
import { renderTable, type TableColumn } from './textTable.js';

/**
 * The results for people: one aligned table with a row per group (when grouped) and a total row,
 * a value column per loss, then what was read and how fast.
 */
export function resultTable(run: EvalRun, by: string | undefined, elapsedMs: number, style: Style): string {
  const metrics = run.metrics ?? [];
  const names = metrics.map((m) => m.metric);
  const lossColumnsShown = columnsThatDiffer(run.results.map((r) => ({ name: r.loss, columns: r.columns })));
  const metricColumnsShown = columnsThatDiffer(metrics.map((m) => ({ name: m.metric, columns: m.columns })));
  const heading = [
    ...run.results.map((r, i) => {
      const opts = optionSummary({ ...r.options, ...lossColumnsShown[i] });
      return `${style.bold(r.loss)} ${style.dim(`(${r.reduction}${opts === '' ? '' : `, ${opts}`})`)}`;
    }),
    // Metrics with options, and every metric of a name given twice: their columns share a header.
    ...metrics.flatMap((m, i) => {
      const opts = optionSummary({ ...m.options, ...metricColumnsShown[i] });
      const shared = names.indexOf(m.metric) !== names.lastIndexOf(m.metric);
      return opts === '' && !shared
        ? []
        : [`${style.bold(m.metric)} ${style.dim(`(${opts === '' ? 'defaults' : opts})`)}`];
    }),
  ].join('  ');
  const sameRows = run.results.every((r) => sameGroupRows(r, run.results[0]!));
  // Metrics only (no --loss): the first metric's rows and groups frame the table.
  const frame = run.results[0] ?? metrics[0];
  const body = sameRows
    ? combined(run.results, by, style, withMetricColumns(metrics), frame)
    : run.results
        .map((r, i) => combined([r], by, style, i === 0 ? withMetricColumns(metrics) : undefined))
        .join('\n');
  const rate = elapsedMs > 0 ? ` (${formatBytes((run.bytes / elapsedMs) * 1000)}/s)` : '';
  const footer = style.dim(
    `${formatCounted(run.rows, 'row', 'rows')} · ${formatCounted(run.batches, 'batch', 'batches')} · ${formatBytes(run.bytes)} in ${formatDuration(elapsedMs)}${rate}`,
  );
  const head = heading === '' ? '' : `${heading}\n\n`;
  const table = frame === undefined ? '' : `${body}\n`;
  return `${head}${table}${metricTableLines(metrics, style, by)}${footer}\n`;
}

/** The rows and groups a table shows: the first loss's, or with metrics only the first metric's. */
interface TableFrame {
  readonly rows: number;
  readonly groups?: readonly { readonly key: DisplayKey; readonly rows: number }[] | undefined;
}

function combined(
  results: readonly LossResult[],
  by: string | undefined,
  style: Style,
  extra?: ReturnType<typeof withMetricColumns>,
  frame: TableFrame | undefined = results[0],
): string {
  if (frame === undefined) return '';
  const first = frame;
  const groups = first.groups ?? [];
  // A key of several names (`--by run,epoch`) gets a column per name.
  const sample = groups[0]?.key;
  const names = sample !== undefined && typeof sample === 'object' ? Object.keys(sample) : undefined;
  const keyColumns: TableColumn[] = (names ?? [by ?? '']).map((header) => ({ header, align: 'left' }));
  const columns: TableColumn[] = [
    ...keyColumns,
    { header: 'rows', align: 'right' },
    ...results.map((r) => ({ header: r.loss, align: 'right' as const })),
    ...(extra?.headers ?? []).map((header) => ({ header, align: 'right' as const })),
  ];
  const formats = results.map((r) => lossColumnFormat([r.value, ...(r.groups ?? []).map((g) => g.value)]));
  const rows: string[][] = [];
  if (by !== undefined) {
    const values = results.map((r) => new Map((r.groups ?? []).map((g) => [g.key, g.value])));
    for (const g of groups) {
      const key = g.key;
      rows.push([
        ...(names === undefined || typeof key !== 'object'
          ? [keyLabel(key)]
          : names.map((n) => String(key[n]))),
        formatCount(g.rows),
        ...values.map((m, i) => {
          const v = m.get(g.key);
          return v === undefined ? '' : formats[i]!(v);
        }),
        ...(extra?.group(g.key) ?? []),
      ]);
    }
  }
  rows.push([
    'total',
    ...keyColumns.slice(1).map(() => ''),
    formatCount(first.rows),
    ...results.map((r, i) => formats[i]!(r.value)),
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

/**
 * The columns each entry's heading says: those of a name given twice whose entries read different
 * columns (their table columns share a header, and the options may not tell them apart); none for
 * the others.
 */
function columnsThatDiffer(
  entries: readonly {
    readonly name: string;
    readonly columns?: Readonly<Record<string, string>> | undefined;
  }[],
): (Readonly<Record<string, string>> | undefined)[] {
  const read = (columns: Readonly<Record<string, string>> | undefined): string =>
    JSON.stringify(columns ?? {});
  return entries.map((e) => {
    const kinds = new Set(entries.filter((o) => o.name === e.name).map((o) => read(o.columns)));
    return kinds.size > 1 ? e.columns : undefined;
  });
}
