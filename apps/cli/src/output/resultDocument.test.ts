import { describe, expect, it } from 'vitest';
import { sampleRun } from '../testing/sampleRun.js';
import { resultDocument } from './resultDocument.js';

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

  it('leaves groups out without --by', () => {
    const run = sampleRun();
    const { groups: _, ...ungrouped } = run.results[0]!;
    const doc = JSON.parse(resultDocument({ ...run, results: [ungrouped] }));
    expect(Object.keys(doc.results[0])).toEqual(['loss', 'reduction', 'options', 'value', 'rows']);
  });
});
