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
 * The result as `lossflow eval … --format csv` writes it: `kind,loss,reduction,key,value,rows,batches`,
 * per loss its groups in key order (`group`) and then its total (`total`, empty key); non-finite
 * numbers as words, cells quoted as RFC 4180 wants.
 *
 * @example
 * download('lossflow.csv', resultCsv(result));
 */
export function resultCsv(run: RunResult): string {
  const lines = ['kind,loss,reduction,key,value,rows,batches'];
  const cell = (v: unknown): string => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  for (const r of run.results) {
    for (const g of r.groups ?? [])
      lines.push(
        [
          'group',
          r.loss,
          r.reduction,
          typeof g.key === 'number' ? outputNumber(g.key) : g.key,
          outputNumber(g.value),
          g.rows,
          g.batches,
        ]
          .map(cell)
          .join(','),
      );
    lines.push(
      ['total', r.loss, r.reduction, '', outputNumber(r.value), r.rows, run.batches].map(cell).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
