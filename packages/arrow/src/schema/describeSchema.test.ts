import { Field, FixedSizeList, Float32, Int64, Schema, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { describeSchema } from './describeSchema.js';

const schema = (...fields: [string, Field['type']][]) => new Schema(fields.map(([n, t]) => new Field(n, t)));
const logits = new FixedSizeList(10, new Field('item', new Float32()));

describe('describeSchema', () => {
  it('gives each column its type, per-row shape and dtype', () => {
    const s = schema(
      ['epoch', new Int64()],
      ['logits', logits],
      ['note', new Utf8()],
      [
        'probs',
        new FixedSizeList(2, new Field('item', new FixedSizeList(3, new Field('item', new Float32())))),
      ],
    );
    expect(describeSchema(s)).toEqual([
      { name: 'epoch', type: 'Int64', shape: [], dtype: 'int64', problem: undefined },
      {
        name: 'logits',
        type: 'FixedSizeList[10]<Float32>',
        shape: [10],
        dtype: 'float32',
        problem: undefined,
      },
      {
        name: 'note',
        type: 'Utf8',
        shape: [],
        dtype: undefined,
        problem: 'Utf8 values cannot become a tensor',
      },
      {
        name: 'probs',
        type: 'FixedSizeList[2]<FixedSizeList[3]<Float32>>',
        shape: [2, 3],
        dtype: 'float32',
        problem: undefined,
      },
    ]);
  });
});
