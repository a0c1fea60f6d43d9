import type { EvalRun } from './evalPipeline.js';

/**
 * The `--format json` document: `{ rows, results: [{ loss, reduction, options, value, rows, groups? }] }`,
 * exactly these fields, numbers as JavaScript prints them (shortest round-trip), non-finite values
 * (a mean over no rows) as `null`. One document, ending in a newline.
 */
export function resultDocument(run: EvalRun): string {
  const doc = {
    rows: run.rows,
    results: run.results.map((r) => ({
      loss: r.loss,
      reduction: r.reduction,
      options: r.options,
      value: finite(r.value),
      rows: r.rows,
      ...(r.groups === undefined
        ? {}
        : { groups: r.groups.map((g) => ({ key: g.key, value: finite(g.value), rows: g.rows })) }),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
