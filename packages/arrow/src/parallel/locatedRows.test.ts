/**
 * Row ranges of rows located by the Parquet fast path: each range is a plan of its own (its list
 * offsets counted from its first value, only its values), so a thread fills and runs one range at a
 * time in a region of about a range's size, with the rows `rangeRows` gives a decoded batch.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TensorLayout, tensorLayout } from '../schema/tensorLayout.js';
import { tempDir } from '../testing/files.js';
import { withBothPaths } from '../testing/parquetPaths.js';
import { locatedRanges } from './locatedRows.js';
import { rangeRows } from './rangeRows.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('locatedRanges', () => {
  it('cuts located list rows into self-contained ranges whose values are the rows’ own', async () => {
    const path = join(dir, 'lists.parquet');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await duck.run(`COPY (SELECT list_transform(range(1 + i % 13), k -> (i * 100 + k)::FLOAT) AS logits,
          (i % 5)::BIGINT AS target FROM range(20000) t(i)) TO '${path}' (FORMAT parquet)`);
    } finally {
      duck.closeSync();
    }
    await withBothPaths(path, async (fast, general) => {
      const names = ['logits', 'target'];
      const rows = fast.meta.rowGroups[0]!;
      const table = tableFromIPC(await general.read(0, names, rows, undefined));
      const layouts = table.schema.fields.map((f) => {
        const l = tensorLayout(f);
        if (!l.usable) throw new Error(l.reason);
        return l as TensorLayout;
      });
      const logits = table.getChild('logits')!;
      const target = table.getChild('target')!;
      const first = 1234;
      const count = rows - 2 * first;
      const located = fast.locateRows(0, names, first, first + count)!;
      expect(located).toBeDefined();
      const elements = located.map((r) => (r.column.layout === 'list' ? r.hi - r.lo : undefined));
      const rangeBytes = 16 * 1024;
      const step = rangeRows(layouts, rangeBytes, { rows: count, elements })!;
      const ranges = locatedRanges(located, count, layouts, rangeBytes);
      expect(ranges.length).toBe(Math.ceil(count / step));
      const whole = located.reduce((n, r) => n + r.valueBytes, 0);
      let seen = 0;
      for (const { plan, fill } of ranges) {
        expect(plan.firstRow).toBe(seen);
        // A range's region holds its own values only, not the job's.
        expect(plan.ioBytes).toBeLessThan(whole / 4);
        const io = new Uint8Array(plan.ioBytes);
        fill(io);
        const [top, leaf] = plan.columns[0]!;
        const offsets = new Int32Array(io.buffer, top!.offsets!.at, plan.rows + 1);
        const values = new Float32Array(io.buffer, leaf!.values!.at, leaf!.length);
        const targets = new BigInt64Array(io.buffer, plan.columns[1]![0]!.values!.at, plan.rows);
        expect(offsets[0]).toBe(0);
        expect(offsets[plan.rows]).toBe(values.length);
        for (let r = 0; r < plan.rows; r++) {
          const row = first + seen + r;
          const want = logits.get(row)!.toArray() as Float32Array;
          expect(Array.from(values.subarray(offsets[r]!, offsets[r + 1]!)), `row ${row}`).toEqual(
            Array.from(want),
          );
          expect(targets[r]).toBe(target.get(row));
        }
        seen += plan.rows;
      }
      expect(seen).toBe(count);
      // Given no range size, the rows are one range: all of them, no first row.
      const [one, ...none] = locatedRanges(located, count, layouts, undefined);
      expect(none).toEqual([]);
      expect(one!.plan.rows).toBe(count);
      expect(one!.plan.firstRow).toBeUndefined();
    });
  });
});
