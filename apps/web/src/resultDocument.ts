import { resultDocument as document, outputNumber } from '@lossflow/rx';
import type { RunResult } from './evalRun.js';

/**
 * The result as `lossflow eval … --format json` writes it, by the CLI's own writer
 * (`resultDocument` of `@lossflow/rx`): `{ rows, files, columns, by?, results }`; `files` name the
 * files the page read (their names, not paths).
 *
 * @example
 * download('lossflow.json', resultDocument(result));
 */
export function resultDocument(run: RunResult): string {
  return document({
    rows: run.rows,
    inputs: { files: run.files, columns: run.columns, ...(run.by === undefined ? {} : { by: run.by }) },
    results: run.results,
  });
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
