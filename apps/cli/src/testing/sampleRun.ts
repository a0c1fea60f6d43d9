import type { EvalRun } from '../eval/evalPipeline.js';

/** A two-loss, three-epoch run, as the output formatters receive it. */
export function sampleRun(): EvalRun {
  return {
    rows: 300,
    batches: 5,
    bytes: 12_000,
    results: [
      {
        loss: 'cross-entropy',
        reduction: 'mean',
        options: { weight: [0.5, 1, 2], ignoreIndex: -100 },
        value: 0.8398476243019104,
        rows: 300,
        groups: [
          { key: 0, value: 1.6910388469696045, rows: 100 },
          { key: 1, value: 0.8869808316230774, rows: 100 },
          { key: 2, value: Number.NaN, rows: 100 },
        ],
      },
      {
        loss: 'nll',
        reduction: 'sum',
        options: {},
        value: 12.5,
        rows: 300,
        groups: [
          { key: 0, value: 6, rows: 100 },
          { key: 1, value: 4.5, rows: 100 },
          { key: 2, value: 2, rows: 100 },
        ],
      },
    ],
  };
}
