import type { EvalRun } from '../eval/evalPipeline.js';
import { metricDocument } from './metricOutput.js';
import { outputKey, outputNumber } from './nonFiniteWords.js';

/**
 * The `--format json` document: `{ rows, results: [{ loss, reduction, options, value, rows, groups? }] }`
 * (and `metrics: [{ metric, options, value, rows, groups? }]` with `--metric`),
 * exactly these fields, numbers as JavaScript prints them (shortest round-trip), non-finite values
 * and keys as the strings `"Infinity"`, `"-Infinity"` and `"NaN"` (a diverged loss, a mean over no
 * rows; see `outputNumber`); after an interrupted `--follow`, `incomplete: true` after `rows`. One
 * document, ending in a newline.
 */
export function resultDocument(run: EvalRun, incomplete = false): string {
  const doc = {
    rows: run.rows,
    // Only after --follow was interrupted: the values cover the rows read, not the whole stream.
    ...(incomplete ? { incomplete: true } : {}),
    ...(run.inputs === undefined
      ? {}
      : {
          files: run.inputs.files,
          columns: run.inputs.columns,
          ...(run.inputs.by === undefined ? {} : { by: run.inputs.by }),
        }),
    results: run.results.map((r) => ({
      loss: r.loss,
      reduction: r.reduction,
      options: r.options,
      ...(r.columns === undefined ? {} : { columns: r.columns }),
      value: outputNumber(r.value),
      rows: r.rows,
      ...(r.groups === undefined
        ? {}
        : {
            groups: r.groups.map((g) => ({
              key: outputKey(g.key),
              value: outputNumber(g.value),
              rows: g.rows,
            })),
          }),
    })),
    ...(run.metrics === undefined ? {} : { metrics: metricDocument(run.metrics) }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
