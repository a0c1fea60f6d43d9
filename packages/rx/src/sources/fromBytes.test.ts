import { readFileSync } from 'node:fs';
import { LossError } from '@lossflow/core';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { crossEntropy } from '../operators/lossOperators.js';
import { reduce } from '../reduce/reduce.js';
import { fromBytes } from './fromBytes.js';
import { fromFile } from './fromFile.js';

const path = new URL('../../../../fixtures/epoch-log.arrows', import.meta.url).pathname;
const bytes = new Uint8Array(readFileSync(path));

/** The bytes in chunks of `size`, as an async iterable. */
async function* chunks(size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

describe('fromBytes', () => {
  it.each([
    ['a Uint8Array', () => bytes],
    ['an ArrayBuffer', () => bytes.slice().buffer],
    ['a Blob', () => new Blob([bytes])],
    ['a ReadableStream', () => new Blob([bytes]).stream()],
    ['an async iterable', () => chunks(1000)],
  ])('reads %s to the value fromFile gives', async (_, source) => {
    const expected = await lastValueFrom(fromFile(path).pipe(crossEntropy(), reduce('mean')));
    const got = await lastValueFrom(fromBytes(source()).pipe(crossEntropy(), reduce('mean')));
    expect(Object.is(got, expected)).toBe(true);
  });

  it("names a File in errors by its name, another Blob '<blob>', as arrow's readBatches does", async () => {
    const cut = bytes.slice(0, 300);
    const fail = (source: Blob) =>
      lastValueFrom(fromBytes(source).pipe(crossEntropy(), reduce('mean'))).catch((e: unknown) => e);
    expect(await fail(new File([cut], 'train-log.arrows'))).toMatchObject({
      code: 'TRUNCATED',
      file: 'train-log.arrows',
    });
    expect(await fail(new Blob([cut]))).toMatchObject({ code: 'TRUNCATED', file: '<blob>' });
  });

  it('takes the read options (limit)', async () => {
    const rows = await lastValueFrom(fromBytes(bytes, { limit: 5 }).pipe(crossEntropy(), reduce('sum')));
    const five = await lastValueFrom(fromFile(path, { limit: 5 }).pipe(crossEntropy(), reduce('sum')));
    expect(rows).toBe(five);
  });

  it('rejects a path, pointing at fromFile, and unknown options', () => {
    expect(() => fromBytes('log.arrows' as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        argument: 'source',
        hint: expect.stringContaining('fromFile'),
      }),
    );
    expect(() => fromBytes(bytes, { threads: 2 } as never)).toThrow(LossError);
  });
});
