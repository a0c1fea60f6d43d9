import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileFormat } from '@lossflow/arrow';
import { fileParts, writeTrainingLog } from '@lossflow/arrow/node';
import { LossError } from '@lossflow/core';
import { concat, lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LossChunk } from '../chunks/LossChunk.js';
import { crossEntropy } from '../operators/lossOperators.js';
import { fromFile } from './fromFile.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-rx-parts-'));
const paths: Record<string, string> = {};

beforeAll(async () => {
  for (const format of ['arrow-stream', 'arrow-file', 'parquet'] as FileFormat[]) {
    paths[format] = join(dir, `log.${format}`);
    // Batches of 1,000 rows of 10 classes: about 48 kB each, so 100 kB parts hold a few.
    await writeTrainingLog(paths[format]!, format, { rows: 3_000, classes: 10, epochs: 3, batchRows: 1_000 });
  }
});

/** What a chunk adds to a reduction, with its float64 sums as exact bits. */
function essence(c: LossChunk): unknown {
  return {
    batch: c.batch,
    rows: c.rows,
    state: c.state,
    groups: c.groups?.map((g) => ({ key: g.key, state: g.state })),
    steps: c.steps,
  };
}

describe('fromFile with part', () => {
  for (const format of ['arrow-stream', 'arrow-file', 'parquet']) {
    it(`gives, part after part, the chunks of the whole ${format} file`, async () => {
      const path = paths[format]!;
      const op = () => crossEntropy({ by: 'epoch', step: 'step' });
      const whole = await lastValueFrom(fromFile(path, { threads: 2 }).pipe(op(), toArray()));
      const parts = await fileParts(path, { targetBytes: 100_000 });
      expect(parts.length).toBeGreaterThan(2);
      expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(9_000);
      const pieced = await lastValueFrom(
        concat(...parts.map((part) => fromFile(path, { threads: 2, part }).pipe(op()))).pipe(toArray()),
      );
      expect(pieced.map(essence)).toEqual(whole.map(essence));
    });
  }

  it('reads a part without its seek from the start of the file, to the same chunks', async () => {
    const path = paths['arrow-stream']!;
    const parts = await fileParts(path, { targetBytes: 100_000 });
    const withSeek = await lastValueFrom(
      fromFile(path, { threads: 1, inThisThread: true, part: parts[2]! }).pipe(crossEntropy(), toArray()),
    );
    const { seek, ...noSeek } = parts[2]!;
    expect(seek).toBeGreaterThan(0);
    const without = await lastValueFrom(
      fromFile(path, { threads: 1, inThisThread: true, part: noSeek }).pipe(crossEntropy(), toArray()),
    );
    expect(without.map(essence)).toEqual(withSeek.map(essence));
    expect(without[0]!.batch).toBe(parts[2]!.first);
  });

  it('refuses part without threads', () => {
    expect(() => fromFile(paths['arrow-stream']!, { part: { first: 0, end: 1 } })).toThrow(LossError);
  });
});
