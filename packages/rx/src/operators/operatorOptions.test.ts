import { LOSSES, LossError } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import * as rx from '../index.js';
import { fromFile } from '../node.js';

// Every loss of the registry has an operator of its name.
const OPERATORS = LOSSES.map((d) => d.name);

const operator = (name: string) => (rx as unknown as Record<string, (o: object) => unknown>)[name]!;

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('loss operators reject unknown option keys when created', () => {
  const WRONG = [
    'ignore_index',
    'label_smoothing',
    'weights',
    'reduce',
    'size_average',
    'reduction',
    'per_row',
    'bye',
  ];

  describe.each(OPERATORS)('%s', (name) => {
    it.each(WRONG)('{ %s }', (key) => {
      const e = thrown(() => operator(name)({ [key]: 1 }));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.loss).toBe(name);
      expect(e.argument).toBe(key);
      expect(e.message).toContain(`'${key}'`);
    });

    it('takes the stream options, its roles (columns) and undefined values', () => {
      expect(() => operator(name)({ by: 'epoch', perRow: false, nulls: 'skip', step: 'step' })).not.toThrow();
      expect(() => operator(name)({ by: undefined, nulls: undefined })).not.toThrow();
    });
  });

  it('names the option a torch spelling meant', () => {
    expect(thrown(() => rx.crossEntropy({ ignore_index: 2 } as never)).message).toContain(
      "did you mean 'ignoreIndex'?",
    );
    expect(thrown(() => rx.crossEntropy({ label_smoothing: 0.5 } as never)).message).toContain(
      "did you mean 'labelSmoothing'?",
    );
    expect(thrown(() => rx.crossEntropy({ weights: [1, 2] } as never)).message).toContain(
      "did you mean 'weight'?",
    );
    expect(thrown(() => rx.mseLoss({ per_row: true } as never)).message).toContain("did you mean 'perRow'?");
    expect(thrown(() => rx.mseLoss({ targt: 'y' } as never)).message).toContain("did you mean 'target'?");
    expect(thrown(() => rx.gaussianNllLoss({ variance: 'v' } as never)).argument).toBe('variance');
  });

  describe.each(OPERATORS)('%s takes plain objects only, every own key checked', (name) => {
    it.each([
      [
        'a class instance with a getter',
        () =>
          new (class {
            get label_smoothing() {
              return 0.5;
            }
          })(),
      ],
      ['inherited keys', () => Object.create({ label_smoothing: 0.5 })],
      ['an inherited valid key', () => Object.create({ by: 'epoch' })],
      ['a number', () => 5],
      ['a Map', () => new Map([['by', 'epoch']])],
      ['a Date', () => new Date()],
    ])('rejects %s', (_, options) => {
      const e = thrown(() => operator(name)(options() as object));
      expect(e.code).toBe('INVALID_OPTION');
      expect(e.message).toContain('options must be a plain object');
    });

    it('rejects symbol and non-enumerable keys', () => {
      expect(thrown(() => operator(name)({ [Symbol('ignore_index')]: 2 })).code).toBe('INVALID_OPTION');
      const hidden = Object.defineProperty({}, 'ignore_index', { value: 2, enumerable: false });
      expect(thrown(() => operator(name)(hidden)).argument).toBe('ignore_index');
    });

    it('takes an object without a prototype', () => {
      expect(() => operator(name)(Object.assign(Object.create(null), { by: 'epoch' }))).not.toThrow();
    });
  });

  it('fromFile takes plain options only', () => {
    expect(thrown(() => fromFile('x.arrows', new Map() as never)).message).toContain(
      'options must be a plain object',
    );
  });

  it('sends the reduction to the reducing operators', () => {
    const e = thrown(() => rx.mseLoss({ reduction: 'sum' } as never));
    expect(e.hint).toContain("reduce('sum')");
  });

  it('keeps every real option: core options, columns, the weight alone', () => {
    expect(() =>
      rx.crossEntropy({
        weight: [1, 2],
        ignoreIndex: -1,
        labelSmoothing: 0.1,
        input: 'logits',
        target: 'label',
      }),
    ).not.toThrow();
    expect(() => rx.crossEntropy([1, 2, 3])).not.toThrow();
    expect(() =>
      rx.ctcLoss({ blank: 0, zeroInfinity: true, inputLengths: 'il', targetLengths: 'tl' }),
    ).not.toThrow();
    expect(() => rx.gaussianNllLoss({ var: 'v', full: true, eps: 1e-6 })).not.toThrow();
    expect(() => rx.klDiv({ logTarget: true })).not.toThrow();
  });
});
