import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { crossEntropy, reduce } from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { concat, lastValueFrom } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { planWorkItems } from './planWorkItems.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-nats-plan-'));
const a = join(dir, 'a.arrows');
const b = join(dir, 'b.parquet');

beforeAll(async () => {
  const log = { rows: 2_000, classes: 10, epochs: 2, batchRows: 300 };
  await writeTrainingLog(a, 'arrow-stream', log);
  await writeTrainingLog(b, 'parquet', { ...log, seed: 2 });
});

describe('planWorkItems', () => {
  it('leaves out the items past --limit and gives the item it ends in its limit: the local rows, exactly', async () => {
    for (const limit of [1, 300, 1_234, 4_001, 9_999]) {
      const items = await planWorkItems('r', [a, b], null, { itemBytes: 40_000, limit });
      const rows = items.reduce((n, i) => n + i.rows, 0);
      expect(rows).toBe(Math.min(limit, 8_000));
      const limited = items.filter((i) => i.limit !== undefined);
      expect(limited.length).toBeLessThanOrEqual(1);
      if (limited.length === 1) expect(limited[0]).toBe(items.at(-1));
      const local = await lastValueFrom(
        concat(
          fromFile(a, { threads: 1, limit }).pipe(crossEntropy()),
          ...(limit > 4_000 ? [fromFile(b, { threads: 1, limit: limit - 4_000 }).pipe(crossEntropy())] : []),
        ).pipe(reduce('sum')),
      );
      const remote = await lastValueFrom(
        concat(
          ...items.map((i) =>
            fromFile(i.path, {
              threads: 1,
              part: i.part,
              ...(i.limit === undefined ? {} : { limit: i.limit }),
            }).pipe(crossEntropy()),
          ),
        ).pipe(reduce('sum')),
      );
      expect([limit, remote]).toEqual([limit, local]);
    }
  });

  it('plans one item per file with wholeFiles, each with its fileSpec', async () => {
    const cut = await planWorkItems('r', [a, b], null, { itemBytes: 40_000 });
    expect(cut.length).toBeGreaterThan(2);
    const whole = await planWorkItems('r', [a, b], 'spec', {
      itemBytes: 40_000,
      wholeFiles: true,
      fileSpecs: [{ name: 'a' }, { name: 'b' }],
    });
    expect(whole.map((i) => [i.file, i.part.first, i.rows, i.fileSpec, i.spec])).toEqual([
      [0, 0, 4_000, { name: 'a' }, 'spec'],
      [1, 0, 4_000, { name: 'b' }, 'spec'],
    ]);
    expect(whole[0]!.part.end).toBe(Math.max(...cut.filter((i) => i.file === 0).map((i) => i.part.end)));
  });

  it('keeps whole files for the formats wholeFiles names, and with wholeParts every item is one part with its seek', async () => {
    const items = await planWorkItems('r', [a, b], null, {
      itemBytes: 40_000,
      maxUnits: 1,
      wholeParts: true,
      wholeFiles: (format) => format === 'parquet',
    });
    const ofA = items.filter((i) => i.file === 0);
    const ofB = items.filter((i) => i.file === 1);
    expect(ofA.length).toBeGreaterThan(1);
    // Parts of several batches each, never cut into pieces of maxUnits: each starts at its seek.
    expect(ofA.some((i) => i.part.end - i.part.first > 1)).toBe(true);
    for (const i of ofA) expect(i.part.seek).toBeTypeOf('number');
    expect(ofA.map((i) => i.part.first)).toEqual([0, ...ofA.slice(0, -1).map((i) => i.part.end)]);
    expect(ofB.map((i) => [i.part.first, i.rows])).toEqual([[0, 4_000]]);
    expect(items.map((i) => i.index)).toEqual(items.map((_, n) => n));
  });
});
