import { describe, expect, it } from 'vitest';
import { ArrowReadError } from './ArrowReadError.js';
import { registerErrorCodec } from './errorCodec.js';
import { reviveError, serializeError } from './workerError.js';

class CodedError extends Error {
  override readonly name = 'CodedError';
  constructor(
    readonly code: string,
    readonly row: number | undefined,
    readonly batch: number | undefined,
  ) {
    super(`${code} at row ${row}, batch ${batch}`);
  }
}

/** What a thread receives: the serialized error after a structured clone, as postMessage does. */
function across(e: unknown): ReturnType<typeof serializeError> {
  return structuredClone(serializeError(e));
}

describe('errors across threads', () => {
  it('an error without a codec keeps its plain fields; its own batch wins over the one merged in', () => {
    const e = Object.assign(new Error('boom'), {
      name: 'LossError',
      code: 'TARGET_OUT_OF_RANGE',
      loss: 'cross_entropy',
      row: 7,
      batch: 4,
      hint: 'Check the targets.',
      retry: false,
      helper: () => 1,
      nested: { a: 1 },
    });
    const revived = reviveError(across(e), { batch: 9 });
    expect(revived).toMatchObject({
      name: 'LossError',
      message: 'boom',
      code: 'TARGET_OUT_OF_RANGE',
      loss: 'cross_entropy',
      row: 7,
      batch: 4,
      hint: 'Check the targets.',
      retry: false,
    });
    expect(revived).not.toHaveProperty('helper');
    expect(revived).not.toHaveProperty('nested');
    expect(reviveError(across(new Error('no context')), { batch: 2 })).toMatchObject({ batch: 2 });
  });

  it('an ArrowReadError keeps its class, code and context, with the batch merged in', () => {
    const e = new ArrowReadError('NULL_VALUE', 'a null', {
      column: 'target',
      row: 4,
      hint: 'Drop the nulls.',
    });
    const revived = reviveError(across(e), { batch: 2 });
    expect(revived).toBeInstanceOf(ArrowReadError);
    expect(revived).toMatchObject({
      code: 'NULL_VALUE',
      column: 'target',
      row: 4,
      batch: 2,
      hint: 'Drop the nulls.',
    });
  });

  it("another package's error keeps its class once its codec is registered, else only name and message", () => {
    const e = new CodedError('BAD', 3, undefined);
    const before = reviveError(across(e), { batch: 1 });
    expect(before).not.toBeInstanceOf(CodedError);
    // Its plain fields cross without a codec, and the batch is merged in.
    expect(before).toMatchObject({ name: 'CodedError', message: e.message, code: 'BAD', row: 3, batch: 1 });

    registerErrorCodec({
      name: 'CodedError',
      is: (x): x is CodedError => x instanceof CodedError,
      encode: (x) => ({ code: x.code, row: x.row }),
      decode: (d: { code: string; row: number | undefined }, more) =>
        new CodedError(d.code, d.row, more.batch),
    });
    const after = reviveError(across(e), { batch: 1 });
    expect(after).toBeInstanceOf(CodedError);
    expect(after).toMatchObject({ code: 'BAD', row: 3, batch: 1 });
    expect(after.stack).toContain('CodedError');
  });

  it('an error encoded by a codec the receiving thread lacks arrives as a plain Error', () => {
    const revived = reviveError({ name: 'Gone', message: 'm', stack: undefined, codec: 'Gone', data: {} });
    expect(revived).toBeInstanceOf(Error);
    expect(revived).toMatchObject({ name: 'Gone', message: 'm' });
  });
});
