import { LossError } from '@lossflow/core';
import { map, share } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { losses } from './losses.js';
import { crossEntropy, mseLoss } from './lossOperators.js';

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('losses(…)', () => {
  it('with no operator is INVALID_OPTION when created, not a TypeError per batch', () => {
    const e = thrown(() => losses());
    expect(e).toMatchObject({ code: 'INVALID_OPTION', loss: 'losses' });
    expect(e.hint).toContain('losses(crossEntropy(), mseLoss())');
  });

  it.each([
    ['share()', () => share(), 'not a loss operator'],
    ['map(…)', () => map((b: unknown) => b), 'not a loss operator'],
    ['losses(…)', () => losses(crossEntropy()), 'losses(…) itself'],
  ])('with %s as an argument is INVALID_OPTION naming the argument', (_, op, what) => {
    const e = thrown(() => losses(crossEntropy(), op() as never, mseLoss()));
    expect(e).toMatchObject({ code: 'INVALID_OPTION', loss: 'losses', argument: '1' });
    expect(e.message).toContain(`argument 1 is ${what}`);
    expect(e.hint).toContain('pipe share()');
  });
});
