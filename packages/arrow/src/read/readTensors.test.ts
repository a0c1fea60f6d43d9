import { join } from 'node:path';
import { Field, Float32, Int64, List, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/files.js';
import { writeParquet } from '../write/writeParquet.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { readFileTensors } from './readFile.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** A batch of `rows` rows whose `pred` lists all have `width` values. */
function listBatch(rows: number, width: number): RecordBatch {
  const fields = [
    new Field('pred', new List(new Field('item', new Float32(), true)), true),
    new Field('label', new Int64(), true),
  ];
  const values = Float32Array.from({ length: rows * width }, (_, i) => i);
  const offsets = Int32Array.from({ length: rows + 1 }, (_, i) => i * width);
  const pred = makeData({
    type: new List(new Field('item', new Float32(), true)),
    length: rows,
    nullCount: 0,
    valueOffsets: offsets,
    child: makeData({ type: new Float32(), data: values }),
  });
  const label = makeData({ type: new Int64(), data: new BigInt64Array(rows) });
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: rows, nullCount: 0, children: [pred, label] }),
  );
}

describe('readTensors', () => {
  it.each([Number.NaN, 2.5, -1, Number.POSITIVE_INFINITY])(
    'a limit of %s is INVALID_OPTION at once, as with threads',
    (limit) => {
      expect(() => readFileTensors('any.arrows', {}, { limit })).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(/the option 'limit' is/),
        }),
      );
    },
  );

  it('resolves the default columns, reads only those, and yields tensors by role', async () => {
    const path = join(dir, 'log.parquet');
    await writeTrainingLog(path, 'parquet', { rows: 2000, classes: 6, epochs: 2, batchRows: 1000 });
    const reader = readFileTensors(path);
    let rows = 0;
    for await (const t of reader) {
      expect(t.columns).toEqual({ input: 'logits', target: 'target' });
      expect(t.recordBatch.schema.fields.map((f) => f.name)).toEqual(['logits', 'target']);
      expect(t.tensors.input!.shape).toEqual([t.rows, 6]);
      expect(t.tensors.target!.data).toBeInstanceOf(BigInt64Array);
      rows += t.rows;
    }
    expect(rows).toBe(4000);
  });

  it('List columns whose length changes between row groups are SHAPE_CHANGED naming the batch', async () => {
    const path = join(dir, 'lists.parquet');
    await writeParquet(path, [listBatch(100, 3), listBatch(100, 3), listBatch(100, 4)], {
      rowGroupRows: 100,
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const t of readFileTensors(path)) seen.push(t.tensors.input!.shape[1]!);
      })(),
    ).rejects.toMatchObject({ code: 'SHAPE_CHANGED', batch: 2, column: 'pred' });
    expect(seen).toEqual([3, 3]);
  });

  it('a missing default column fails before any batch, listing the columns', async () => {
    const path = join(dir, 'nolabel.parquet');
    await writeParquet(
      path,
      [listBatch(10, 2)].map((b) => b.select(['pred'])),
    );
    await expect(
      (async () => {
        for await (const _ of readFileTensors(path));
      })(),
    ).rejects.toThrow(/MISSING_COLUMN: no target column.*available: pred \(List<Float32>\)/);
  });
});
