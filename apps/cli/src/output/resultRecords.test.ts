import { describe, expect, it } from 'vitest';
import { sampleRun } from '../testing/sampleRun.js';
import { csvHeader, csvLine, finalRecords, ndjsonLine } from './resultRecords.js';

describe('result records', () => {
  it('lists each loss’s groups, then its total', () => {
    const records = finalRecords(sampleRun());
    expect(records.map((r) => `${r.kind}:${r.loss}:${r.key}`)).toEqual([
      'group:cross-entropy:0',
      'group:cross-entropy:1',
      'group:cross-entropy:2',
      'total:cross-entropy:null',
      'group:nll:0',
      'group:nll:1',
      'group:nll:2',
      'total:nll:null',
    ]);
    expect(records[2]!.value).toBe('NaN');
  });

  it('writes CSV with a header and quotes keys that need it', () => {
    expect(csvHeader()).toBe('kind,loss,reduction,key,value,rows,batches\n');
    const [first] = finalRecords(sampleRun());
    expect(csvLine(first!)).toBe('group,cross-entropy,mean,0,1.6910388469696045,100,5\n');
    expect(csvLine({ ...first!, key: 'a,"b"', value: 'NaN' })).toBe(
      'group,cross-entropy,mean,"a,""b""",NaN,100,5\n',
    );
  });

  it('writes several --by keys as one CSV column each, named after the keys (a clashing name prefixed)', () => {
    expect(csvHeader({ keyNames: ['run', 'epoch'] })).toBe(
      'kind,loss,reduction,run,epoch,value,rows,batches\n',
    );
    expect(csvHeader({ keyNames: ['run', 'rows'] })).toBe(
      'kind,loss,reduction,run,key_rows,value,rows,batches\n',
    );
    // Headers stay unique when a key is named as another key's renamed header.
    expect(csvHeader({ keyNames: ['options', 'key_options'], withOptions: true })).toBe(
      'kind,loss,reduction,options,key_options,key_key_options,value,rows,batches\n',
    );
    expect(csvHeader({ keyNames: ['kind', 'key_kind'] })).toBe(
      'kind,loss,reduction,key_kind,key_key_kind,value,rows,batches\n',
    );
    const [first] = finalRecords(sampleRun());
    expect(csvLine({ ...first!, key: { run: 'a,b', epoch: 3 } }, { keyNames: ['run', 'epoch'] })).toBe(
      'group,cross-entropy,mean,"a,b",3,1.6910388469696045,100,5\n',
    );
    expect(csvLine({ ...first!, kind: 'total', key: null }, { keyNames: ['run', 'epoch'] })).toBe(
      'total,cross-entropy,mean,,,1.6910388469696045,100,5\n',
    );
  });

  it('a final group line counts the batches of that group when known', () => {
    const run = sampleRun();
    const groups = run.results[0]!.groups!.map((g, i) => ({ ...g, batches: i + 1 }));
    const records = finalRecords({ ...run, results: [{ ...run.results[0]!, groups }] });
    expect(records.map((r) => r.batches)).toEqual([1, 2, 3, run.batches]);
  });

  it('tags metric lines partial after an interrupted --follow, as the loss lines, with each group’s batches', () => {
    const run = {
      ...sampleRun(),
      metrics: [
        {
          metric: 'accuracy',
          options: {},
          value: 0.5,
          rows: 300,
          groups: [
            { key: 0, value: 0.25, rows: 100, batches: 2 },
            { key: 1, value: 0.75, rows: 200, batches: 3 },
          ],
        },
      ],
    };
    const metricLines = (incomplete: boolean) =>
      finalRecords(run, incomplete)
        .filter((r) => r.reduction === 'metric')
        .map((r) => `${r.kind}:${r.key}:${r.batches}`);
    expect(metricLines(false)).toEqual(['group:0:2', 'group:1:3', `total:null:${run.batches}`]);
    expect(metricLines(true)).toEqual([
      'partial-group:0:2',
      'partial-group:1:3',
      `partial-total:null:${run.batches}`,
    ]);
    expect(finalRecords(run, true).every((r) => r.kind.startsWith('partial-'))).toBe(true);
  });

  it('an auroc record carries its errorBound after value (NDJSON field, CSV column when the run has one)', () => {
    const run = {
      ...sampleRun(),
      metrics: [
        { metric: 'auroc', options: {}, value: 0.75, errorBound: 0.002, rows: 300 },
        {
          metric: 'auroc',
          options: { average: 'none' },
          value: [0.5, Number.NaN],
          errorBound: [0.001, Number.NaN],
          rows: 300,
        },
        { metric: 'accuracy', options: {}, value: 0.5, rows: 300 },
      ],
    };
    const records = finalRecords(run).filter((r) => r.reduction === 'metric');
    expect(Object.keys(JSON.parse(ndjsonLine(records[0]!)) as object)).toEqual([
      'kind',
      'loss',
      'reduction',
      'key',
      'value',
      'errorBound',
      'rows',
      'batches',
    ]);
    expect(records.map((r) => r.errorBound)).toEqual([0.002, '[0.001,"NaN"]', undefined]);
    expect(csvHeader({ withErrorBound: true })).toBe(
      'kind,loss,reduction,key,value,errorBound,rows,batches\n',
    );
    expect(csvLine(records[0]!, { withErrorBound: true })).toBe(
      `total,auroc,metric,,0.75,0.002,300,${run.batches}\n`,
    );
    expect(csvLine(records[1]!, { withErrorBound: true })).toBe(
      `total,auroc,metric,,"[0.5,""NaN""]","[0.001,""NaN""]",300,${run.batches}\n`,
    );
    expect(csvLine(records[2]!, { withErrorBound: true })).toBe(
      `total,accuracy,metric,,0.5,,300,${run.batches}\n`,
    );
    // A --by key named errorBound does not clash with the column.
    expect(csvHeader({ keyNames: ['run', 'errorBound'], withErrorBound: true })).toBe(
      'kind,loss,reduction,run,key_errorBound,value,errorBound,rows,batches\n',
    );
  });

  it('writes one JSON object per NDJSON line', () => {
    const [first] = finalRecords(sampleRun());
    const line = ndjsonLine(first!);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trim().includes('\n')).toBe(false);
    expect(JSON.parse(line)).toEqual({
      kind: 'group',
      loss: 'cross-entropy',
      reduction: 'mean',
      batches: 5,
      key: 0,
      value: 1.6910388469696045,
      rows: 100,
    });
  });
});
