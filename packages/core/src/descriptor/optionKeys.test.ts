import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as core from '../index.js';
import { LossError } from '../LossError.js';

const x = core.tensor(new Float64Array([0.2, 0.7, 0.1, 0.4, 0.3, 0.3]), [2, 3]);
const probs = core.tensor(new Float64Array([0.2, 0.7, 0.1, 0.4, 0.3, 0.3]), [2, 3]);
const labels = new Int32Array([1, 2]);
const pm = core.tensor(new Float64Array([1, -1]), [2]);
const logProbs = core.tensor(new Float64Array(4 * 2 * 3).fill(Math.log(1 / 3)), [4, 2, 3]);

/** Each loss with arguments it accepts: the one-shot function, its partial form (none for distances), and the options it takes. */
const CASES: readonly { name: string; args: unknown[]; partial: boolean }[] = [
  { name: 'binaryCrossEntropy', args: [probs, probs], partial: true },
  { name: 'binaryCrossEntropyWithLogits', args: [x, probs], partial: true },
  { name: 'cosineEmbeddingLoss', args: [x, probs, pm], partial: true },
  { name: 'crossEntropy', args: [x, labels], partial: true },
  {
    name: 'ctcLoss',
    args: [logProbs, new Int32Array([1, 2, 1, 1]).subarray(0, 4), [4, 4], [2, 2]],
    partial: true,
  },
  { name: 'gaussianNllLoss', args: [x, probs, probs], partial: true },
  {
    name: 'hingeEmbeddingLoss',
    args: [x, core.tensor(new Float64Array([1, -1, 1, 1, -1, 1]), [2, 3])],
    partial: true,
  },
  { name: 'huberLoss', args: [x, probs], partial: true },
  { name: 'klDiv', args: [x, probs], partial: true },
  { name: 'l1Loss', args: [x, probs], partial: true },
  { name: 'marginRankingLoss', args: [pm, pm, pm], partial: true },
  { name: 'mseLoss', args: [x, probs], partial: true },
  { name: 'multiMarginLoss', args: [x, labels], partial: true },
  {
    name: 'multilabelMarginLoss',
    args: [x, core.tensor(new Int32Array([0, -1, 0, 1, 2, -1]), [2, 3])],
    partial: true,
  },
  {
    name: 'multilabelSoftMarginLoss',
    args: [x, core.tensor(new Float64Array([0, 1, 0, 1, 1, 0]), [2, 3])],
    partial: true,
  },
  { name: 'nllLoss', args: [x, labels], partial: true },
  { name: 'poissonNllLoss', args: [x, probs], partial: true },
  { name: 'smoothL1Loss', args: [x, probs], partial: true },
  {
    name: 'softMarginLoss',
    args: [x, core.tensor(new Float64Array([1, -1, 1, 1, -1, 1]), [2, 3])],
    partial: true,
  },
  { name: 'tripletMarginLoss', args: [x, probs, x], partial: true },
  { name: 'tripletMarginWithDistanceLoss', args: [x, probs, x], partial: true },
  { name: 'pairwiseDistance', args: [x, probs], partial: false },
  { name: 'cosineDistance', args: [x, probs], partial: false },
];

const exports = core as unknown as Record<string, unknown>;
const fn = (name: string) => exports[name] as (...a: unknown[]) => unknown;
const keysOf = (name: string) => exports[`${name}OptionKeys`] as readonly string[];

function thrown(f: () => unknown): LossError {
  try {
    f();
  } catch (e) {
    if (e instanceof LossError) return e;
    throw e;
  }
  throw new Error('expected a LossError');
}

describe('unknown option keys', () => {
  it('covers every loss of the package (21) and the distances', () => {
    // Metrics (METRICS) have partial forms too, but are no losses.
    const losses = Object.keys(exports).filter(
      (k) => typeof exports[`${k}Partial`] === 'function' && !Object.hasOwn(core.METRICS, k),
    );
    expect(losses.sort()).toEqual(
      CASES.filter((c) => c.partial)
        .map((c) => c.name)
        .sort(),
    );
    expect(losses).toHaveLength(21);
  });

  // Wrong keys every loss must reject, with the option each one meant where the loss has it.
  const WRONG: readonly { key: string; meant: string | undefined }[] = [
    { key: 'ignore_index', meant: 'ignoreIndex' },
    { key: 'label_smoothing', meant: 'labelSmoothing' },
    { key: 'weights', meant: 'weight' },
    { key: 'reduce', meant: 'reduction' },
    { key: 'size_average', meant: 'reduction' },
    { key: 'pos_weight', meant: 'posWeight' },
    { key: 'log_target', meant: 'logTarget' },
    { key: 'zero_infinity', meant: 'zeroInfinity' },
    { key: 'marign', meant: 'margin' },
    { key: 'bogus', meant: undefined },
  ];

  for (const c of CASES) {
    const keys = keysOf(c.name);
    const forms: [string, (o: object) => unknown][] = [[c.name, (o) => fn(c.name)(...c.args, o)]];
    if (c.partial) forms.push([`${c.name}Partial`, (o) => fn(`${c.name}Partial`)(...c.args, o)]);
    for (const [form, call] of forms) {
      it.each(WRONG)(`${form} rejects { $key }`, ({ key, meant }) => {
        const e = thrown(() => call({ [key]: 1 }));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.loss).toBe(c.name);
        expect(e.argument).toBe(key);
        expect(e.message).toContain(`'${key}'`);
        if (meant !== undefined && keys.includes(meant))
          expect(e.message).toContain(`did you mean '${meant}'?`);
        else if (meant !== undefined) expect(e.message).not.toContain(`'${meant}'?`);
      });

      it(`${form} takes each of its options, also as undefined`, () => {
        const all = Object.fromEntries(keys.map((k) => [k, undefined]));
        expect(() => call(all)).not.toThrow();
        expect(() => call({})).not.toThrow();
      });
    }
  }

  // Options that are not a plain object, or keys a for…in with hasOwn does not see.
  const NOT_PLAIN: readonly [string, () => unknown][] = [
    [
      'a class instance with a getter',
      () =>
        new (class {
          get label_smoothing() {
            return 0.5;
          }
        })(),
    ],
    ['an object with inherited keys', () => Object.create({ label_smoothing: 0.5 })],
    ['an object inheriting a valid key', () => Object.create({ reduction: 'sum' })],
    ['a number', () => 5],
    ['null', () => null],
    ['a Map', () => new Map([['reduction', 'sum']])],
    ['a Date', () => new Date()],
    ['an array', () => []],
  ];
  const HIDDEN_KEYS: readonly [string, () => object][] = [
    ['a symbol key', () => ({ [Symbol('ignore_index')]: 2 })],
    [
      'a non-enumerable key',
      () => Object.defineProperty({}, 'ignore_index', { value: 2, enumerable: false }),
    ],
  ];

  for (const c of CASES) {
    const forms: [string, (o: unknown) => unknown][] = [[c.name, (o) => fn(c.name)(...c.args, o)]];
    if (c.partial) forms.push([`${c.name}Partial`, (o) => fn(`${c.name}Partial`)(...c.args, o)]);
    for (const [form, call] of forms) {
      it.each(NOT_PLAIN)(`${form} rejects %s as options`, (_, options) => {
        const e = thrown(() => call(options()));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.loss).toBe(c.name);
        expect(e.message).toContain('options must be a plain object');
      });
      it.each(HIDDEN_KEYS)(`${form} rejects %s`, (_, options) => {
        const e = thrown(() => call(options()));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.message).toContain('ignore_index');
      });
      it(`${form} takes an object without a prototype, and a plain object of another realm`, () => {
        expect(() => call(Object.create(null))).not.toThrow();
        expect(() => call(runInNewContext('({})'))).not.toThrow();
      });
    }
    if (c.partial && keysOf(c.name).includes('reduction'))
      it(`${c.name}Partial rejects a reduction, pointing at finalize`, () => {
        const e = thrown(() => fn(`${c.name}Partial`)(...c.args, { reduction: 'sum' }));
        expect(e.code).toBe('INVALID_OPTION');
        expect(e.argument).toBe('reduction');
        expect(e.hint).toContain("finalize(state, 'sum')");
      });
  }

  it('crossEntropyPartial with a reduction no longer finalizes to the mean silently', () => {
    expect(() => core.crossEntropyPartial(x, labels, { reduction: 'sum' } as never)).toThrow(
      /partial form takes no 'reduction'/,
    );
  });

  it('says torch deprecated reduce and size_average', () => {
    const e = thrown(() => core.mseLoss(x, probs, { reduce: 'sum' } as never));
    expect(e.message).toContain("did you mean 'reduction'?");
    expect(e.hint).toContain('deprecated');
  });

  it('lists the options of the loss in the hint', () => {
    const e = thrown(() => core.crossEntropy(x, labels, { ignore_index: 2 } as never));
    expect(e.message).toBe(
      "crossEntropy: unknown option 'ignore_index' (did you mean 'ignoreIndex'?) (argument 'ignore_index'). Use 'ignoreIndex': its options are reduction, weight, ignoreIndex, labelSmoothing.",
    );
  });

  it('keeps computing with the real options', () => {
    const plain = core.crossEntropy(x, labels);
    const smoothed = core.crossEntropy(x, labels, { labelSmoothing: 0.5, ignoreIndex: 2, weight: [1, 2, 3] });
    expect(smoothed).not.toBe(plain);
    expect(core.mseLoss(x, probs, { reduction: 'sum' })).toBeCloseTo(
      6 * (core.mseLoss(x, probs) as number),
      12,
    );
  });
});
