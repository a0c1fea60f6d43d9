import type { RunResult } from './evalRun.js';

/** A non-finite number as the CLI's JSON writes it (a diverged loss, a mean over no rows). */
function outputNumber(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * The result as `lossflow eval … --format json` writes it: `{ rows, files, columns, by?, results }`,
 * the same fields in the same order, numbers as JavaScript prints them, non-finite values as
 * strings; `files` name the files the page read (their names, not paths).
 *
 * @example
 * download('lossflow.json', resultDocument(result));
 */
export function resultDocument(run: RunResult): string {
  const doc = {
    rows: run.rows,
    files: run.files,
    columns: run.columns,
    ...(run.by === undefined ? {} : { by: run.by }),
    results: run.results.map((r) => ({
      loss: r.loss,
      reduction: r.reduction,
      options: r.options,
      columns: r.columns,
      value: outputNumber(r.value),
      rows: r.rows,
      ...(r.groups === undefined
        ? {}
        : {
            groups: r.groups.map((g) => ({
              key: typeof g.key === 'number' ? outputNumber(g.key) : g.key,
              value: outputNumber(g.value),
              rows: g.rows,
            })),
          }),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * The result as CSV: one line per loss and group (`loss,reduction,key,value,rows`; the key is empty
 * on the line of the whole stream), values printed as in the JSON.
 *
 * @example
 * download('lossflow.csv', resultCsv(result));
 */
export function resultCsv(run: RunResult): string {
  const lines = ['loss,reduction,key,value,rows'];
  const cell = (v: unknown): string => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  for (const r of run.results) {
    lines.push([r.loss, r.reduction, '', outputNumber(r.value), r.rows].map(cell).join(','));
    for (const g of r.groups ?? [])
      lines.push([r.loss, r.reduction, g.key, outputNumber(g.value), g.rows].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
