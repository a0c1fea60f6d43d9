import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { planWorkItems } from '@lossflow/nats/node';
import type { PassChunks } from '@lossflow/rx';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeItem, type ItemToCompute } from './computeItem.js';
import { type ItemSpec, itemFilesOf } from './itemSpec.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-compute-item-'));
const stream = join(dir, 'log.arrows');
const parquet = join(dir, 'log.parquet');

beforeAll(async () => {
  // 7 epochs of 300 rows in batches of 130: an epoch's batches span items.
  await writeTrainingLog(stream, 'arrow-stream', { rows: 300, classes: 10, epochs: 7, batchRows: 130 });
  // Row groups of at most 130 rows: an epoch's row groups span items.
  await writeTrainingLog(parquet, 'parquet', { rows: 300, classes: 10, epochs: 7, batchRows: 130 });
});

async function computeAll(items: readonly ItemToCompute[]): Promise<PassChunks[]> {
  const out: PassChunks[] = [];
  for (const item of items) out.push(...(await computeItem(item, 1, new AbortController().signal)));
  return out;
}

describe('computeItem with keys (--by file, Hive keys, several keys)', () => {
  for (const [path, limit] of [
    [stream, undefined],
    [stream, 1_000],
    [parquet, undefined],
    [parquet, 1_000],
  ] as const) {
    it(`computes ${path === stream ? "an Arrow IPC stream's batch ranges from their seek" : "a Parquet file's row group ranges from their first"} as the whole file gives them${limit === undefined ? '' : ` (--limit ${limit})`}`, async () => {
      const spec: ItemSpec = {
        args: [
          path,
          '--by',
          'file,epoch',
          '--metric',
          'accuracy',
          ...(limit === undefined ? [] : ['--limit', String(limit)]),
        ],
        step: undefined,
      };
      const fileSpecs = itemFilesOf([path], new Map());
      const lim = limit === undefined ? {} : { limit };
      const parts = await planWorkItems('r', [path], spec, {
        itemBytes: path === stream ? 20_000 : 5_000,
        wholeParts: true,
        fileSpecs,
        ...lim,
      });
      const whole = await planWorkItems('r', [path], spec, { wholeFiles: true, fileSpecs, ...lim });
      expect(parts.length).toBeGreaterThan(2);
      expect(parts.some((i) => i.part.first > 0 && (path === parquet || i.part.seek !== undefined))).toBe(
        true,
      );
      expect(whole).toHaveLength(1);
      // Without its format, the item is read from the file's start (a whole file's reading).
      const expected = await computeAll(whole.map(({ format: _, ...item }) => item));
      // 3 batches an epoch; with the limit, 3 epochs and one batch of the fourth.
      if (path === stream) expect(expected.length).toBe(limit === undefined ? 21 : 10);
      // The same chunks, batch for batch: batch indices in the file, groups by their key values.
      expect(await computeAll(parts)).toEqual(expected);
    });
  }
});

describe('computeItem with a group budget', () => {
  it("charges a batch's groups as it builds them, as local eval does: many keys in one batch fail naming the row", async () => {
    // 3,000 rows in one batch, each of its own step: 3,000 confusion matrices of 10 classes.
    const many = join(dir, 'many-keys.arrows');
    await writeTrainingLog(many, 'arrow-stream', { rows: 3_000, classes: 10, epochs: 1, batchRows: 3_000 });
    // One column (worker threads and this thread compute), and keys a worker adds (this thread).
    for (const [by, threads] of [
      ['step', 1],
      ['step', 2],
      ['file,step', 1],
    ] as const) {
      const spec: ItemSpec = {
        args: [many, '--by', by, '--metric', 'confusion-matrix', '--max-groups', '50'],
        step: undefined,
      };
      const fileSpecs = by === 'step' ? {} : { fileSpecs: itemFilesOf([many], new Map()) };
      const items = await planWorkItems('r', [many], spec, fileSpecs);
      expect(items).toHaveLength(1);
      const failure = await computeItem(items[0]!, threads, new AbortController().signal).catch(
        (e: unknown) => e,
      );
      expect([by, threads, failure]).toMatchObject([
        by,
        threads,
        {
          code: 'TOO_MANY_GROUPS',
          row: 50,
          message: expect.stringMatching(new RegExp(`'${by}' has more than 50 distinct values in one batch`)),
        },
      ]);
    }
  });
});
