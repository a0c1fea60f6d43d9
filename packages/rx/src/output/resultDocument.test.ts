import { describe, expect, it } from 'vitest';
import { type DocumentRun, resultDocument } from './resultDocument.js';

/** A two-loss, three-epoch run, as `lossflow eval` and the web page hand it over. */
function sampleRun(): DocumentRun {
  return {
    rows: 300,
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
      { loss: 'nll', reduction: 'sum', options: {}, value: 12.5, rows: 300 },
    ],
  };
}

describe('resultDocument', () => {
  it('is exactly the documented JSON shape, one document ending in a newline', () => {
    const text = resultDocument(sampleRun());
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['rows', 'results']);
    expect(doc.rows).toBe(300);
    expect(doc.results[0]).toEqual({
      loss: 'cross-entropy',
      reduction: 'mean',
      options: { weight: [0.5, 1, 2], ignoreIndex: -100 },
      value: 0.8398476243019104,
      rows: 300,
      groups: [
        { key: 0, value: 1.6910388469696045, rows: 100 },
        { key: 1, value: 0.8869808316230774, rows: 100 },
        { key: 2, value: 'NaN', rows: 100 },
      ],
    });
    expect(doc.results[1].reduction).toBe('sum');
  });

  it('leaves groups out without a key', () => {
    const run = sampleRun();
    const { groups: _, ...ungrouped } = run.results[0]!;
    const doc = JSON.parse(resultDocument({ ...run, results: [ungrouped] }));
    expect(Object.keys(doc.results[0])).toEqual(['loss', 'reduction', 'options', 'value', 'rows']);
  });

  it('puts the inputs after rows, incomplete before them, metrics last, non-finite keys and values as words', () => {
    const doc = JSON.parse(
      resultDocument(
        {
          ...sampleRun(),
          inputs: { files: [{ path: 'a.arrows', bytes: 10 }], columns: ['logits', 'target'], by: ['epoch'] },
          metrics: [
            {
              metric: 'accuracy',
              options: {},
              value: [0.5, Number.POSITIVE_INFINITY],
              rows: 3,
              groups: [
                { key: { run: 'a', epoch: Number.NaN }, value: [[1, Number.NEGATIVE_INFINITY]], rows: 3 },
              ],
            },
          ],
        },
        true,
      ),
    );
    expect(Object.keys(doc)).toEqual(['rows', 'incomplete', 'files', 'columns', 'by', 'results', 'metrics']);
    expect(doc.metrics[0]).toEqual({
      metric: 'accuracy',
      options: {},
      value: [0.5, 'Infinity'],
      rows: 3,
      groups: [{ key: { run: 'a', epoch: 'NaN' }, value: [[1, '-Infinity']], rows: 3 }],
    });
  });
});
