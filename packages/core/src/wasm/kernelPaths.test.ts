/**
 * Every loss that dispatches to WASM kernels, called through its public function under the JS
 * backend and each WASM backend ('wasm', and 'wasm-relaxed', switched on by flag on Node 20) on
 * random float32 data: the reduced values and the per-element ('none') values agree
 * within float32 tolerance, for each option the WASM kernels take (weights, ignoreIndex, label
 * smoothing, δ/β, logTarget, posWeight) and for the layouts that stay on JS (K-dim, probabilities).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropyWithLogits } from '../losses/binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { huberLoss } from '../losses/huberLoss.js';
import { klDiv } from '../losses/klDiv.js';
import { l1Loss } from '../losses/l1Loss.js';
import { mseLoss } from '../losses/mseLoss.js';
import { nllLoss } from '../losses/nllLoss.js';
import { smoothL1Loss } from '../losses/smoothL1Loss.js';
import { type FloatArray, type Tensor, tensor } from '../tensor/tensor.js';
import { allowRelaxedSimd } from '../testing/relaxedSimd.js';
import { type KernelBackend, setKernelBackend } from './kernelBackend.js';

allowRelaxedSimd();
afterAll(() => setKernelBackend('auto'));

type Result = number | Tensor<FloatArray>;

/** The loss under the JS backend, then under each WASM backend. */
function bothPaths(call: () => Result): { js: Result; wasm: Result[] } {
  const run = (backend: KernelBackend): Result => {
    setKernelBackend(backend);
    try {
      return call();
    } finally {
      setKernelBackend('auto');
    }
  };
  return { js: run('js'), wasm: [run('wasm'), run('wasm-relaxed')] };
}

/** `|got − exp| ≤ abs + rel·scale`; NaN matches NaN, infinities match exactly. */
function near(got: number, exp: number, scale: number): boolean {
  if (Number.isNaN(exp)) return Number.isNaN(got);
  if (!Number.isFinite(exp)) return got === exp;
  return Math.abs(got - exp) <= 1e-5 + 4e-6 * scale;
}

/** Each WASM result agrees with the JS one. */
function agree({ js, wasm }: { js: Result; wasm: Result[] }, scale = 1): void {
  for (const w of wasm) agreeOne(js, w, scale);
}

/** Both results agree: numbers within tolerance scaled by their size, tensors element by element. */
function agreeOne(js: Result, wasm: Result, scale: number): void {
  if (typeof js === 'number') {
    expect(typeof wasm).toBe('number');
    expect(near(wasm as number, js, Math.max(scale, Math.abs(js))), `got ${wasm}, expected ${js}`).toBe(true);
    return;
  }
  const got = wasm as Tensor<FloatArray>;
  expect(got.shape).toEqual(js.shape);
  expect(got.data.constructor).toBe(js.data.constructor);
  const bad: string[] = [];
  js.data.forEach((e, i) => {
    if (!near(got.data[i]!, e, Math.abs(e))) bad.push(`[${i}] got ${got.data[i]}, expected ${e}`);
  });
  expect(bad, bad.slice(0, 3).join('; ')).toEqual([]);
}

/** Σ|l| of the JS path's per-element losses: the scale of a sum's rounding allowance. */
function magnitude(call: () => Result): number {
  setKernelBackend('js');
  try {
    const t = call() as Tensor<FloatArray>;
    let s = 0;
    for (const v of t.data) s += Math.abs(v);
    return s;
  } finally {
    setKernelBackend('auto');
  }
}

const value = fc.float({ min: -20, max: 20, noNaN: true });
const reductions = fc.constantFrom('mean' as const, 'sum' as const);

/** A float32 `[rows, cols]` pair of input and target from the given value generators. */
function pair(x = value, y = value) {
  return fc
    .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }))
    .chain(([rows, cols]) =>
      fc.tuple(
        fc.array(x, { minLength: rows * cols, maxLength: rows * cols }),
        fc.array(y, { minLength: rows * cols, maxLength: rows * cols }),
        fc.constant([rows, cols]),
      ),
    )
    .map(([a, b, shape]) => ({
      x: tensor(Float32Array.from(a), shape),
      y: tensor(Float32Array.from(b), shape),
    }));
}

describe('element-wise losses, JS vs WASM through the loss functions', () => {
  it('mseLoss and l1Loss, with and without the normalising weight', () => {
    fc.assert(
      fc.property(pair(), reductions, fc.boolean(), ({ x, y }, reduction, weighted) => {
        const weight = weighted
          ? tensor(
              x.data.map((v) => Math.abs(v) + 0.5),
              x.shape,
            )
          : undefined;
        const options = weight === undefined ? {} : { weight };
        for (const loss of [mseLoss, l1Loss]) {
          const scale = magnitude(() => loss(x, y, { reduction: 'none' }));
          agree(
            bothPaths(() => loss(x, y, { ...options, reduction })),
            scale,
          );
          agree(bothPaths(() => loss(x, y, { ...options, reduction: 'none' })));
        }
      }),
    );
  });

  it('huberLoss and smoothL1Loss across δ and β (β = 0 included)', () => {
    const param = fc.oneof(fc.constant(0), fc.float({ min: Math.fround(0.01), max: 10, noNaN: true }));
    fc.assert(
      fc.property(pair(), reductions, param, ({ x, y }, reduction, p) => {
        const delta = p === 0 ? 1 : p;
        const huberScale = magnitude(() => huberLoss(x, y, { delta, reduction: 'none' }));
        agree(
          bothPaths(() => huberLoss(x, y, { delta, reduction })),
          huberScale,
        );
        agree(bothPaths(() => huberLoss(x, y, { delta, reduction: 'none' })));
        const smoothScale = magnitude(() => smoothL1Loss(x, y, { beta: p, reduction: 'none' }));
        agree(
          bothPaths(() => smoothL1Loss(x, y, { beta: p, reduction })),
          smoothScale,
        );
        agree(bothPaths(() => smoothL1Loss(x, y, { beta: p, reduction: 'none' })));
      }),
    );
  });

  it('klDiv with probability and log-probability targets, batchmean included', () => {
    const prob = fc.float({ min: 0, max: 1, noNaN: true });
    const logProb = fc.float({ min: -10, max: 0, noNaN: true });
    const red = fc.constantFrom('mean' as const, 'sum' as const, 'batchmean' as const);
    const draw = fc
      .boolean()
      .chain((logTarget) => pair(logProb, logTarget ? logProb : prob).map((d) => ({ ...d, logTarget })));
    fc.assert(
      fc.property(draw, red, ({ x, y, logTarget }, reduction) => {
        const scale = magnitude(() => klDiv(x, y, { logTarget, reduction: 'none' }));
        agree(
          bothPaths(() => klDiv(x, y, { logTarget, reduction })),
          scale,
        );
        agree(bothPaths(() => klDiv(x, y, { logTarget, reduction: 'none' })));
      }),
    );
  });

  it('binaryCrossEntropyWithLogits with broadcast weight and posWeight', () => {
    const target = fc.float({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        pair(value, target),
        reductions,
        fc.boolean(),
        fc.boolean(),
        ({ x, y }, reduction, weighted, positive) => {
          const cols = x.shape[1]!;
          const perClass = (base: number) =>
            tensor(
              Float32Array.from({ length: cols }, (_, i) => base + 0.25 * i),
              [cols],
            );
          const options = {
            ...(weighted ? { weight: perClass(0.5) } : {}),
            ...(positive ? { posWeight: perClass(1.5) } : {}),
          };
          const scale = magnitude(() =>
            binaryCrossEntropyWithLogits(x, y, { ...options, reduction: 'none' }),
          );
          agree(
            bothPaths(() => binaryCrossEntropyWithLogits(x, y, { ...options, reduction })),
            scale,
          );
          agree(bothPaths(() => binaryCrossEntropyWithLogits(x, y, { ...options, reduction: 'none' })));
        },
      ),
    );
  });
});

/** `[rows, classes]` float32 logits with class indices (some set to ignoreIndex) and options. */
const classDraw = fc
  .tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 40 }))
  .chain(([rows, classes]) =>
    fc.record({
      x: fc.array(value, { minLength: rows * classes, maxLength: rows * classes }),
      target: fc.array(fc.integer({ min: -1, max: classes - 1 }), { minLength: rows, maxLength: rows }),
      weight: fc.option(
        fc.array(fc.float({ min: 0, max: 3, noNaN: true }), { minLength: classes, maxLength: classes }),
        { nil: undefined },
      ),
      labelSmoothing: fc.float({ min: 0, max: 1, noNaN: true }),
      int64: fc.boolean(),
      shape: fc.constant([rows, classes]),
    }),
  )
  .map((d) => ({
    ...d,
    input: tensor(Float32Array.from(d.x), d.shape),
    // −1 stands for an ignored row; the targets come as int32 or int64, as Arrow columns do.
    labels: d.int64 ? BigInt64Array.from(d.target, (t) => BigInt(t)) : Int32Array.from(d.target),
  }));

describe('class-index losses, JS vs WASM through the loss functions', () => {
  it('crossEntropy with weights, ignoreIndex and label smoothing', () => {
    fc.assert(
      fc.property(classDraw, reductions, (d, reduction) => {
        const options = {
          ignoreIndex: -1,
          labelSmoothing: d.labelSmoothing,
          ...(d.weight === undefined ? {} : { weight: d.weight }),
        };
        const scale = magnitude(() => crossEntropy(d.input, d.labels, { ...options, reduction: 'none' }));
        agree(
          bothPaths(() => crossEntropy(d.input, d.labels, { ...options, reduction })),
          scale,
        );
        agree(bothPaths(() => crossEntropy(d.input, d.labels, { ...options, reduction: 'none' })));
      }),
    );
  });

  it('nllLoss with weights and ignoreIndex', () => {
    fc.assert(
      fc.property(classDraw, reductions, (d, reduction) => {
        const options = { ignoreIndex: -1, ...(d.weight === undefined ? {} : { weight: d.weight }) };
        const scale = magnitude(() => nllLoss(d.input, d.labels, { ...options, reduction: 'none' }));
        agree(
          bothPaths(() => nllLoss(d.input, d.labels, { ...options, reduction })),
          scale,
        );
        agree(bothPaths(() => nllLoss(d.input, d.labels, { ...options, reduction: 'none' })));
      }),
    );
  });

  it('K-dim inputs and probability targets stay on the JS kernels, identical under both backends', () => {
    const x = tensor(
      Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)),
      [2, 3, 4],
    );
    const indices = tensor(new Int32Array([0, 1, 2, 0, 2, 1, 1, 0]), [2, 4]);
    const probs = tensor(
      Float32Array.from({ length: 24 }, (_, i) => (i % 3) / 3),
      [2, 3, 4],
    );
    for (const target of [indices, probs]) {
      const { js, wasm } = bothPaths(() => crossEntropy(x, target));
      for (const w of wasm) expect(w).toBe(js);
    }
  });
});
