import { join } from 'node:path';
import { ArrowReadError } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import { mseLoss } from '@lossflow/rx';
import type { RecordBatch } from 'apache-arrow';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { countingOpen } from '../testing/countingOpen.js';
import { FIXTURES } from '../testing/runCli.js';
import { LogFiles, type OpenBatches } from './LogFiles.js';

const A = join(FIXTURES, 'epoch-log.arrows');
const B = join(FIXTURES, 'epoch-log.parquet');

describe('LogFiles', () => {
  it('streams several files one after the other and knows the file of every batch', async () => {
    const counting = countingOpen();
    const source = new LogFiles([A, B], {}, counting.open);
    expect(source.totalBytes).toBe(source.sizes[0]! + source.sizes[1]!);
    const batches = await lastValueFrom(source.batches().pipe(toArray()));
    expect(batches).toHaveLength(20);
    expect(counting.opens).toEqual([A, B]);
    expect(source.progress()).toMatchObject({
      rows: 296,
      batches: 20,
      file: B,
      totalBytes: source.totalBytes,
    });
    expect(source.progress().bytesRead).toBeGreaterThan(source.sizes[0]!);
    expect(source.locate(3)).toEqual({ file: A, batch: 3 });
    expect(source.locate(12)).toEqual({ file: B, batch: 2 });
  });

  it('stops at --limit rows, across files, without opening the files after it', async () => {
    const counting = countingOpen();
    const source = new LogFiles([A, B, A], { limit: 150 }, counting.open);
    const batches: RecordBatch[] = await lastValueFrom(source.batches().pipe(toArray()));
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(150);
    expect(counting.opens).toEqual([A, B]);
  });

  it('fails before reading anything when a file is missing', () => {
    expect(() => new LogFiles([A, join(FIXTURES, 'missing.arrow')])).toThrow(/ENOENT/);
  });

  it('passes a reading error on', async () => {
    const source = new LogFiles([join(FIXTURES, 'epoch-log.json')]);
    await expect(firstValueFrom(source.batches())).rejects.toBeInstanceOf(ArrowReadError);
  });
});

describe('LogFiles.passChunks', () => {
  it('fails when the schema probe fails, rather than reporting the run without its columns', async () => {
    const failing = new ArrowReadError('CORRUPT', 'footer unreadable (test double)', { file: B });
    const probe: OpenBatches = (file, options) => {
      const reader = readBatches(file, options);
      return {
        get progress() {
          return reader.progress;
        },
        schema: async () => {
          await reader.close();
          throw failing;
        },
        close: () => reader.close(),
        [Symbol.asyncIterator]: () => reader[Symbol.asyncIterator](),
      };
    };
    const source = new LogFiles([B], { project: () => ['pred', 'y'], threads: 1 }, probe);
    const run = lastValueFrom(source.passChunks([mseLoss({ input: 'pred', target: 'y' })]).pipe(toArray()));
    await expect(run).rejects.toBe(failing);
    expect(source.firstSchema).toBeUndefined();
  });

  it('knows the first schema from the probe when the workers read', async () => {
    const source = new LogFiles([B], { project: () => ['pred', 'y'], threads: 1 });
    const chunks = await lastValueFrom(
      source.passChunks([mseLoss({ input: 'pred', target: 'y' })]).pipe(toArray()),
    );
    expect(chunks.length).toBeGreaterThan(0);
    expect(source.firstSchema?.fields.map((f) => f.name)).toContain('logits');
  });
});
