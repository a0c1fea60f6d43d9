import { closeSync, mkdtempSync, openSync, readFileSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrowReadError, MAX_THREADS } from '@lossflow/arrow';
import { writeIpcStream } from '@lossflow/arrow/node';
import { LossError } from '@lossflow/core';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { lastValueFrom, tap } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { fromFile } from './fromFile.js';

let dir: string;
let path: string;

/** Writes an Arrow IPC stream of 3-class logits (zeros) and these targets, a batch per array. */
async function writeLog(file: string, batches: readonly (readonly number[])[]): Promise<void> {
  const logits = new FixedSizeList(3, new Field('item', new Float32(), false));
  const fields = [new Field('logits', logits, false), new Field('target', new Int32(), false)];
  const schema = new Schema(fields);
  const out = writeIpcStream(file, schema);
  for (const targets of batches) {
    await out.write(
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: 2,
          children: [
            makeData({
              type: logits,
              length: 2,
              child: makeData({ type: new Float32(), length: 6, data: new Float32Array(6) }),
            }),
            makeData({ type: new Int32(), length: 2, data: Int32Array.from(targets) }),
          ],
        }),
      ),
    );
  }
  await out.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-rx-fromfile-'));
  path = join(dir, 'log.arrows');
  await writeLog(path, [
    [0, 1],
    [2, 9], // batch 1, row 1: out of range
  ]);
});

describe('fromFile threads', () => {
  it.each([Number.POSITIVE_INFINITY, Number.NaN, 2.5, -1, MAX_THREADS + 1, '2'])(
    'rejects %s when called, with INVALID_OPTION naming threads',
    (threads) => {
      let e: unknown;
      try {
        fromFile(path, { threads: threads as number });
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(LossError);
      expect(e).toMatchObject({ code: 'INVALID_OPTION', argument: 'threads' });
      expect((e as LossError).hint).toContain(String(MAX_THREADS));
    },
  );

  it('rejects an unknown option such as thread', () => {
    expect(() => fromFile(path, { thread: 2 } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        argument: 'thread',
        message: expect.stringContaining("did you mean 'threads'?"),
      }),
    );
  });

  it('takes 0 to 256 whole threads', () => {
    expect(MAX_THREADS).toBe(256);
    for (const threads of [0, 1, 2, MAX_THREADS]) expect(() => fromFile(path, { threads })).not.toThrow();
  });
});

describe('errors of a file read by fromFile name the file', () => {
  it.each([0, 1])('a missing column (threads %i)', async (threads) => {
    const e = await lastValueFrom(
      fromFile(path, { threads }).pipe(crossEntropy({ input: 'nope' }), reduce('mean')),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArrowReadError);
    expect(e).toMatchObject({ code: 'MISSING_COLUMN', file: path });
    expect((e as Error).message).toContain(`file '${path}'`);
  });

  it.each([0, 1])('a loss error (threads %i)', async (threads) => {
    const e = await lastValueFrom(fromFile(path, { threads }).pipe(crossEntropy(), reduce('mean'))).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LossError);
    expect(e).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', file: path, batch: 1, row: 1, column: 'target' });
    expect((e as Error).message).toContain(`file '${path}'`);
  });
});

describe('a file written to while its losses are computed', () => {
  it.each([
    [0, false],
    [1, false],
    [1, true],
    [2, true],
  ])(
    'fails CHANGED, never a loss error of the bytes written (threads %i, inThisThread %s)',
    async (threads, inThisThread) => {
      // 40 batches: the new bytes give batches 1 on a target out of range, in the same layout.
      const valid = join(dir, `valid-${threads}-${inThisThread}.arrows`);
      const rewritten = join(dir, `rewritten-${threads}-${inThisThread}.arrows`);
      await writeLog(
        valid,
        Array.from({ length: 40 }, () => [0, 1]),
      );
      await writeLog(
        rewritten,
        Array.from({ length: 40 }, (_, i) => (i === 0 ? [0, 1] : [2, 9])),
      );
      const bytes = readFileSync(rewritten);
      // Last written long ago: the rewrite changes the modification time whatever the clock's tick.
      utimesSync(valid, 1_000_000, 1_000_000);
      let first = true;
      const e = await lastValueFrom(
        fromFile(valid, { threads, inThisThread }).pipe(
          crossEntropy(),
          tap(() => {
            // In place, as `dd conv=notrunc` writes, once the first batch's chunk is out.
            if (first) {
              const fd = openSync(valid, 'r+');
              writeSync(fd, bytes, 0, bytes.length, 0);
              closeSync(fd);
            }
            first = false;
          }),
          reduce('mean'),
        ),
      ).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ArrowReadError);
      expect(e).toMatchObject({ code: 'CHANGED', file: valid });
    },
  );
});
