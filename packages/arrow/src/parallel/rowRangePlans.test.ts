/**
 * Row ranges of a record batch: the tensors read from each range's bytes alone, put end to end, are
 * the whole batch's (fixed-size lists, nested ones, integer columns, nulls at every level, a row
 * limit), every range's IO region is bounded by the range budget whatever the batch size, and
 * batches that cannot be cut by rows stay one plan.
 */
import { Float32, Float64, Int64, type RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { scanIpcBytes } from '../ipc/scanIpcBlocks.js';
import { type TensorLayout, tensorLayout } from '../schema/tensorLayout.js';
import { batchTensors } from '../tensors/batchTensors.js';
import type { Tensor } from '../tensors/Tensor.js';
import { batchOf, fixedList, list, primitive } from '../testing/batches.js';
import { type BatchReadPlan, rebaseListOffsets } from './BatchReadPlan.js';
import { batchSlots } from './batchSlots.js';
import { IoRegionBatch } from './IoRegionBatch.js';
import { rowRangePlans } from './rowRangePlans.js';

const ROWS = 1000;

/** logits: 4 floats a row (nulls in rows and in values), target: int64 (nulls), pair: 2 × 3 float64. */
function bigBatch(nulls: boolean, ROWS = 1000): RecordBatch {
  const rowNulls = nulls ? [5, 64, 130, 999] : [];
  const valueNulls = nulls ? [4 * 200 + 1, 4 * 700 + 3] : [];
  const logits = fixedList(
    4,
    primitive(
      new Float32(),
      Float32Array.from({ length: ROWS * 4 }, (_, i) => (i % 97) - 40),
      valueNulls,
    ),
    rowNulls,
  );
  const target = primitive(
    new Int64(),
    BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i % 4)),
    nulls ? [77, 500] : [],
  );
  const pair = fixedList(
    2,
    fixedList(
      3,
      primitive(
        new Float64(),
        Float64Array.from({ length: ROWS * 6 }, (_, i) => i / 8),
      ),
      nulls ? [2 * 321] : [],
    ),
  );
  return batchOf({ logits, target, pair });
}

async function planned(
  batch: RecordBatch,
  rows: number,
  rangeBytes: number,
  names = ['logits', 'target', 'pair'],
  unknownNullCounts = false,
) {
  const bytes = tableToIPC(new Table(batch), 'stream');
  const { fields, version, batches } = scanIpcBytes(bytes, 'big.arrows');
  const at = batches[0]!;
  // A writer may say −1 (unknown) for every null count, with or without a bitmap.
  if (unknownNullCounts) for (let n = 1; n < at.header.nodes.length; n += 2) at.header.nodes[n] = -1;
  const slots = batchSlots(fields, version, at.header.variadicCounts, names);
  const layouts = names.map(
    (n) => tensorLayout(batch.schema.fields.find((f) => f.name === n)!) as TensorLayout,
  );
  const readAt = async (into: Uint8Array, position: number) => {
    if (position + into.length > bytes.length) throw new Error('read past the end');
    into.set(bytes.subarray(position, position + into.length));
  };
  const plans = await rowRangePlans(
    at.header,
    at.bodyOffset,
    at.bodyLength,
    slots,
    names,
    layouts,
    7,
    rows,
    'big.arrows',
    rangeBytes,
    readAt,
  );
  /** The tensors of one plan, read from its byte ranges only. */
  const tensorsOf = (plan: BatchReadPlan, columns: Record<string, string>, nulls: 'error' | 'skip') => {
    const io = new Uint8Array(plan.ioBytes).fill(0xee);
    for (let i = 0; i < plan.reads.length; i += 3) {
      const [position, length, into] = [plan.reads[i]!, plan.reads[i + 1]!, plan.reads[i + 2]!];
      io.set(bytes.subarray(position, position + length), into);
    }
    rebaseListOffsets(io, plan);
    return new IoRegionBatch(io, plan, names, layouts).tensors(columns, { nulls });
  };
  return { plans, tensorsOf };
}

function concat(parts: Tensor[]): number[] {
  return parts.flatMap((t) => Array.from(t.data as ArrayLike<number | bigint>, Number));
}

describe('rowRangePlans', () => {
  const COLUMNS = { input: 'logits', target: 'target', pair: 'pair' };

  it.each([
    [false, 'error', false],
    [true, 'skip', false],
    [false, 'error', true],
    [true, 'skip', true],
  ] as const)(
    'ranges read alone give the whole batch’s tensors (nulls %s, %s, null counts unknown: %s)',
    async (nulls, mode, unknown) => {
      const batch = bigBatch(nulls);
      // logits 16 + target 8 + pair 48 = 72 bytes a row: 4 KiB is 56 rows, so 64-row ranges.
      const { plans, tensorsOf } = await planned(batch, ROWS, 4096, undefined, unknown);
      expect(plans.map((p) => p.firstRow)).toEqual(Array.from({ length: 16 }, (_, i) => 64 * i));
      expect(plans.map((p) => p.rows)).toEqual([...Array(15).fill(64), ROWS - 15 * 64]);
      expect(plans.every((p) => p.index === 7)).toBe(true);
      const whole = batchTensors(batch, COLUMNS, { nulls: mode });
      const parts = plans.map((p) => tensorsOf(p, COLUMNS, mode));
      expect(parts.reduce((a, p) => a + p.rows, 0)).toBe(whole.rows);
      expect(parts.reduce((a, p) => a + p.skipped, 0)).toBe(whole.skipped);
      // 4 logits rows, 2 logits values, 2 targets, 1 inner list of pair.
      expect(whole.skipped).toBe(nulls ? 9 : 0);
      for (const role of Object.keys(COLUMNS)) {
        expect(
          parts.every(
            (p) => p.tensors[role]!.shape.slice(1).join() === whole.tensors[role]!.shape.slice(1).join(),
          ),
        ).toBe(true);
        expect(concat(parts.map((p) => p.tensors[role]!))).toEqual(concat([whole.tensors[role]!]));
      }
    },
  );

  it('a null in a range is still an error naming the range’s row', async () => {
    const { plans, tensorsOf } = await planned(bigBatch(true), ROWS, 4096);
    // Row 130 of the batch is row 2 of the third range (its own row numbers; the pool shifts them).
    expect(() => tensorsOf(plans[2]!, COLUMNS, 'error')).toThrow(/row 2\b/);
  });

  it('cuts at a row limit', async () => {
    const { plans } = await planned(bigBatch(false), 900, 16 * 1024);
    // 16 KiB / 72 bytes = 227 rows: 192-row ranges.
    expect(plans.map((p) => p.rows)).toEqual([192, 192, 192, 192, 132]);
    expect(plans.map((p) => p.firstRow)).toEqual([0, 192, 384, 576, 768]);
    const whole = (await planned(bigBatch(false), 900, 1 << 30)).plans;
    expect(whole).toHaveLength(1);
    expect(whole[0]!.firstRow).toBeUndefined();
    expect(whole[0]!.ioBytes).toBeGreaterThan(900 * 72);
  });

  it('sizes every IO region by the budget, not the batch', async () => {
    // A 14 MB batch in 256 KiB ranges: each region holds one range's bytes of each buffer.
    const rows = 200_000;
    const { plans } = await planned(bigBatch(false, rows), rows, 256 * 1024);
    expect(plans.length).toBe(Math.ceil(rows / 3584));
    for (const p of plans) expect(p.ioBytes).toBeLessThanOrEqual(256 * 1024 + 3 * 64);
  });

  /** seq: List<FixedSizeList<2, float32>> of 3 elements a row (nulls in rows and values), target: int64. */
  function listBatch(options: { nulls: boolean; large: boolean; lengths?: (row: number) => number }) {
    const lengths = options.lengths ?? (() => 3);
    const offsets = [0];
    for (let r = 0; r < ROWS; r++) offsets.push(offsets[r]! + lengths(r));
    const elements = offsets[ROWS]!;
    const values = primitive(
      new Float32(),
      Float32Array.from({ length: 2 * elements }, (_, i) => (i % 89) - 30),
      // Values of rows 70 and 601 (list elements 3·70 and 3·601 + 2): inside a bitmap byte.
      options.nulls ? [2 * 3 * 70 + 1, 2 * (3 * 601 + 2)] : [],
    );
    const seq = list(offsets, fixedList(2, values, options.nulls ? [3 * 333 + 1] : []), {
      large: options.large,
      nulls: options.nulls ? [9, 500] : [],
    });
    const target = primitive(
      new Int64(),
      BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(i)),
    );
    return batchOf({ seq, target });
  }
  const LIST_COLUMNS = { input: 'seq', target: 'target' };

  it.each([
    [false, false, 'error'],
    [true, false, 'skip'],
    [false, true, 'error'],
    [true, true, 'skip'],
  ] as const)(
    'cuts a variable-length list column too: ranges read alone give the whole batch’s tensors (nulls %s, large offsets %s)',
    async (nulls, large, mode) => {
      const batch = listBatch({ nulls, large });
      // seq 3 × 2 × 4 = 24 bytes a row + target 8 = 32: 4 KiB is 128 rows.
      const { plans, tensorsOf } = await planned(batch, ROWS, 4096, ['seq', 'target']);
      expect(plans.map((p) => p.rows)).toEqual([...Array(7).fill(128), ROWS - 7 * 128]);
      const whole = batchTensors(batch, LIST_COLUMNS, { nulls: mode });
      const parts = plans.map((p) => tensorsOf(p, LIST_COLUMNS, mode));
      expect(parts.reduce((a, p) => a + p.skipped, 0)).toBe(whole.skipped);
      expect(whole.skipped).toBe(nulls ? 5 : 0);
      for (const p of parts) expect(p.tensors.input!.shape.slice(1)).toEqual([3, 2]);
      for (const role of Object.keys(LIST_COLUMNS))
        expect(concat(parts.map((p) => p.tensors[role]!))).toEqual(concat([whole.tensors[role]!]));
    },
  );

  it('a list column cut at a row limit, and rows of other lengths in a range are RAGGED there', async () => {
    // The mean list length counts the batch's stored elements over the rows used (as this thread
    // counts a batch cut at the limit): 3000 / 300 = 10 elements, 88 bytes a row, 64-row ranges.
    const limited = await planned(listBatch({ nulls: false, large: false }), 300, 4096, ['seq', 'target']);
    expect(limited.plans.map((p) => p.rows)).toEqual([64, 64, 64, 64, 44]);
    // Row 200 has 4 elements (and row 201 2): the second range (rows 128–255) is RAGGED at its row 72.
    const ragged = await planned(
      listBatch({ nulls: false, large: false, lengths: (r) => (r === 200 ? 4 : r === 201 ? 2 : 3) }),
      ROWS,
      4096,
      ['seq', 'target'],
    );
    expect(() => ragged.tensorsOf(ragged.plans[0]!, LIST_COLUMNS, 'error')).not.toThrow();
    expect(() => ragged.tensorsOf(ragged.plans[1]!, LIST_COLUMNS, 'error')).toThrow(
      expect.objectContaining({ code: 'RAGGED', row: 72 }),
    );
  });

  it('keeps a list batch whole when its offsets at the range starts fall', async () => {
    const batch = listBatch({ nulls: false, large: false });
    const bytes = tableToIPC(new Table(batch), 'stream');
    const { fields, version, batches } = scanIpcBytes(bytes, 'big.arrows');
    const at = batches[0]!;
    const names = ['seq', 'target'];
    const slots = batchSlots(fields, version, at.header.variadicCounts, names);
    const layouts = names.map(
      (n) => tensorLayout(batch.schema.fields.find((f) => f.name === n)!) as TensorLayout,
    );
    // The offset of row 256 read as 0: below the one of row 128.
    const readAt = async (into: Uint8Array, position: number) => {
      into.set(bytes.subarray(position, position + into.length));
      const offsetsAt = at.bodyOffset + at.header.buffers[2 * slots.columns.get('seq')![0]!.offsets]!;
      if (position === offsetsAt + 256 * 4) into.fill(0);
    };
    const plans = await rowRangePlans(
      at.header,
      at.bodyOffset,
      at.bodyLength,
      slots,
      names,
      layouts,
      0,
      ROWS,
      'big.arrows',
      4096,
      readAt,
    );
    expect(plans).toHaveLength(1);
  });
});
