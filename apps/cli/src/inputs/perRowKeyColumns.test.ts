import { makeData, RecordBatch, Schema, Struct, tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { PerRowKeyColumns } from './perRowKeyColumns.js';

const batch = (): RecordBatch => tableFromArrays({ epoch: Int32Array.from([0, 0, 1]) }).batches[0]!;

describe('PerRowKeyColumns', () => {
  it('is not needed when every key is a column of the data', () => {
    expect(PerRowKeyColumns.of(['epoch'], new Map([['run', ['a']]]))).toBeUndefined();
  });

  it('adds each partition and file key as a column, typed (Int64, Utf8), named after the key once renamed', () => {
    const keys = PerRowKeyColumns.of(
      ['run', 'epoch', 'seed', 'file'],
      new Map([
        ['run', ['a', 'b']],
        ['seed', [7, 8]],
      ]),
    )!;
    expect(keys.dataKeys).toEqual(['epoch']);
    const decorated = keys.decorate(batch(), 'runs/run=b/log.arrows', 1);
    const fields = keys.keys.map((k) => decorated.schema.fields.find((f) => f.name === k)!);
    const out = keys.rename(
      new RecordBatch(
        new Schema(fields),
        makeData({
          type: new Struct(fields),
          length: 3,
          nullCount: 0,
          children: keys.keys.map((k) => decorated.getChild(k)!.data[0]!),
        }),
      ),
    );
    expect(out.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'run:Utf8',
      'epoch:Int32',
      'seed:Int64',
      'file:Utf8',
    ]);
    expect([...out.getChild('run')!.toArray()]).toEqual(['b', 'b', 'b']);
    expect([...out.getChild('seed')!.toArray()]).toEqual([8n, 8n, 8n]);
    expect([...out.getChild('file')!.toArray()]).toEqual(Array(3).fill('runs/run=b/log.arrows'));
  });

  it('refuses data with a column named as a partition or file key', () => {
    const keys = PerRowKeyColumns.of(['epoch'], new Map([['epoch', [3]]]))!;
    expect(() => keys.checkColumns(batch().schema, 'x/epoch=3/a.arrows')).toThrow(UsageError);
    expect(() => keys.checkColumns(batch().schema, 'x/epoch=3/a.arrows')).toThrow(
      /--keys epoch is ambiguous/,
    );
  });
});
