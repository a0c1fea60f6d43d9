/**
 * Every golden case of the losses that have WASM kernels, run through each kernel path explicitly:
 * once with setKernelBackend('js') and once with setKernelBackend('wasm'). MSE and L1 reach the
 * WASM kernels through elementwiseLoss's dispatch; the other losses' kernel modules are wrapped here
 * to call the WASM kernels for float32 operands (contiguous rows for cross-entropy / NLL), which is
 * exactly the dispatch README.performance.md describes for them, so their float32 goldens check the
 * WASM kernels through the losses' real option and shape handling.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryCrossEntropyWithLogits } from '../binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../crossEntropy.js';
import { huberLoss } from '../huberLoss.js';
import { klDiv } from '../klDiv.js';
import { l1Loss } from '../l1Loss.js';
import { mseLoss } from '../mseLoss.js';
import { nllLoss } from '../nllLoss.js';
import { smoothL1Loss } from '../smoothL1Loss.js';
import type { Tensor } from '../tensor.js';
import { runGoldens } from '../testing/goldens.js';
import { setKernelBackend } from './kernelBackend.js';
import { wasmKernels } from './wasmKernels.js';

/** WASM kernel calls per loss, counted by the wrappers below. */
const calls = vi.hoisted(() => new Map<string, number>());
const count = vi.hoisted(() => (loss: string) => calls.set(loss, (calls.get(loss) ?? 0) + 1));

vi.mock('../kernels/huber.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/huber.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  return {
    ...js,
    huberSum: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      n: number,
      p: { delta: number },
    ) => {
      const w = x instanceof Float32Array && y instanceof Float32Array ? k() : null;
      if (w === null) return js.huberSum(x, y, n, p);
      count('huber');
      return w.huber.sum(x as Float32Array, y as Float32Array, n, p);
    },
    huberNone: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      out: Float32Array | Float64Array,
      p: { delta: number },
    ) => {
      const w =
        x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array ? k() : null;
      if (w === null) return js.huberNone(x, y, out, p);
      count('huber');
      w.huber.none(x as Float32Array, y as Float32Array, out as Float32Array, p);
    },
  };
});

vi.mock('../kernels/smoothL1.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/smoothL1.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  return {
    ...js,
    smoothL1Sum: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      n: number,
      p: { beta: number },
    ) => {
      const w = x instanceof Float32Array && y instanceof Float32Array ? k() : null;
      if (w === null) return js.smoothL1Sum(x, y, n, p);
      count('smoothL1');
      return w.smoothL1.sum(x as Float32Array, y as Float32Array, n, p);
    },
    smoothL1None: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      out: Float32Array | Float64Array,
      p: { beta: number },
    ) => {
      const w =
        x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array ? k() : null;
      if (w === null) return js.smoothL1None(x, y, out, p);
      count('smoothL1');
      w.smoothL1.none(x as Float32Array, y as Float32Array, out as Float32Array, p);
    },
  };
});

vi.mock('../kernels/klDiv.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/klDiv.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  return {
    ...js,
    klDivSum: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      n: number,
      p: { logTarget: boolean },
    ) => {
      const w = x instanceof Float32Array && y instanceof Float32Array ? k() : null;
      if (w === null) return js.klDivSum(x, y, n, p);
      count('klDiv');
      return w.klDiv.sum(x as Float32Array, y as Float32Array, n, p);
    },
    klDivNone: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      out: Float32Array | Float64Array,
      p: { logTarget: boolean },
    ) => {
      const w =
        x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array ? k() : null;
      if (w === null) return js.klDivNone(x, y, out, p);
      count('klDiv');
      w.klDiv.none(x as Float32Array, y as Float32Array, out as Float32Array, p);
    },
  };
});

vi.mock('../kernels/binaryCrossEntropyWithLogits.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/binaryCrossEntropyWithLogits.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  type P = Parameters<typeof js.binaryCrossEntropyWithLogitsSum>[3];
  return {
    ...js,
    binaryCrossEntropyWithLogitsSum: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      n: number,
      p: P,
    ) => {
      const w = x instanceof Float32Array && y instanceof Float32Array ? k() : null;
      if (w === null) return js.binaryCrossEntropyWithLogitsSum(x, y, n, p);
      count('bceWithLogits');
      return w.binaryCrossEntropyWithLogits.sum(x as Float32Array, y as Float32Array, n, p);
    },
    binaryCrossEntropyWithLogitsNone: (
      x: Float32Array | Float64Array,
      y: Float32Array | Float64Array,
      out: Float32Array | Float64Array,
      p: P,
    ) => {
      const w =
        x instanceof Float32Array && y instanceof Float32Array && out instanceof Float32Array ? k() : null;
      if (w === null) return js.binaryCrossEntropyWithLogitsNone(x, y, out, p);
      count('bceWithLogits');
      w.binaryCrossEntropyWithLogits.none(x as Float32Array, y as Float32Array, out as Float32Array, p);
    },
  };
});

vi.mock('../kernels/crossEntropy.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/crossEntropy.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  return {
    ...js,
    crossEntropyIndexKernel: (...a: Parameters<typeof js.crossEntropyIndexKernel>) => {
      const [x, outer, classes, inner, idx, stride, w, wSum, ignoreIndex, eps, out, acc] = a;
      const fast =
        inner === 1 && x instanceof Float32Array && (out === null || out instanceof Float32Array)
          ? k()
          : null;
      if (fast === null) return js.crossEntropyIndexKernel(...a);
      count('crossEntropy');
      fast.crossEntropyIndex(
        x as Float32Array,
        outer,
        classes,
        1,
        idx,
        stride,
        w,
        wSum,
        ignoreIndex,
        eps,
        out as Float32Array | null,
        acc,
      );
    },
  };
});

vi.mock('../kernels/nll.js', async (importOriginal) => {
  const js = await importOriginal<typeof import('../kernels/nll.js')>();
  const { wasmKernels: k } = await import('./wasmKernels.js');
  return {
    ...js,
    nllKernel: (...a: Parameters<typeof js.nllKernel>) => {
      const [x, outer, classes, inner, idx, stride, w, ignoreIndex, out, acc] = a;
      const fast =
        inner === 1 && x instanceof Float32Array && (out === null || out instanceof Float32Array)
          ? k()
          : null;
      if (fast === null) return js.nllKernel(...a);
      count('nll');
      fast.nll(
        x as Float32Array,
        outer,
        classes,
        1,
        idx,
        stride,
        w,
        ignoreIndex,
        out as Float32Array | null,
        acc,
      );
    },
  };
});

type Call = (args: Tensor[], options: Record<string, unknown>) => Tensor | number;

const losses: readonly [string, Call][] = [
  ['MSELoss', ([i, t], o) => mseLoss(i!, t!, o)],
  ['L1Loss', ([i, t], o) => l1Loss(i!, t!, o)],
  ['HuberLoss', ([i, t], o) => huberLoss(i!, t!, o)],
  ['SmoothL1Loss', ([i, t], o) => smoothL1Loss(i!, t!, o)],
  ['KLDivLoss', ([i, t], o) => klDiv(i!, t!, o)],
  ['BCEWithLogitsLoss', ([i, t], o) => binaryCrossEntropyWithLogits(i!, t!, o)],
  ['CrossEntropyLoss', ([i, t], o) => crossEntropy(i!, t!, o)],
  ['NLLLoss', ([i, t], o) => nllLoss(i!, t!, o)],
];

const EXTRA = new Set([
  'HuberLoss',
  'SmoothL1Loss',
  'KLDivLoss',
  'BCEWithLogitsLoss',
  'CrossEntropyLoss',
  'NLLLoss',
]);

function allGoldens(): void {
  for (const [loss, call] of losses) {
    runGoldens(loss, call);
    if (EXTRA.has(loss)) runGoldens(loss, call, { file: 'torch-goldens-extra.json' });
  }
}

afterAll(() => setKernelBackend('auto'));

describe("kernel backend 'js'", () => {
  beforeAll(() => {
    setKernelBackend('js');
    calls.clear();
  });
  allGoldens();
  it('ran no WASM kernel', () => {
    expect(wasmKernels()).toBeNull();
    expect([...calls.keys()]).toEqual([]);
  });
});

describe("kernel backend 'wasm'", () => {
  const spies: ReturnType<typeof vi.spyOn>[] = [];
  beforeAll(() => {
    setKernelBackend('wasm');
    calls.clear();
    const k = wasmKernels()!;
    spies.push(
      vi.spyOn(k.mse, 'sum'),
      vi.spyOn(k.mse, 'none'),
      vi.spyOn(k.l1, 'sum'),
      vi.spyOn(k.l1, 'none'),
    );
  });
  afterAll(() => {
    for (const s of spies) s.mockRestore();
  });
  allGoldens();
  it('ran the WASM kernels of every loss', () => {
    expect([...calls.keys()].sort()).toEqual([
      'bceWithLogits',
      'crossEntropy',
      'huber',
      'klDiv',
      'nll',
      'smoothL1',
    ]);
    for (const s of spies) expect(s).toHaveBeenCalled();
  });
});
