/**
 * Every golden case of the losses that have WASM kernels, run through each kernel path explicitly:
 * with setKernelBackend('js'), 'wasm' and 'wasm-relaxed' (the relaxed-SIMD module, switched on by
 * flag on Node 20), all at the same float32 tolerance. Under the WASM backends every WASM kernel is
 * spied on, so the float32 goldens provably went through the losses' real dispatch (option and
 * shape handling included) into that module's kernels, and under 'js' none of them ran.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryCrossEntropyWithLogits } from '../losses/binaryCrossEntropyWithLogits.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { huberLoss } from '../losses/huberLoss.js';
import { klDiv } from '../losses/klDiv.js';
import { l1Loss } from '../losses/l1Loss.js';
import { mseLoss } from '../losses/mseLoss.js';
import { nllLoss } from '../losses/nllLoss.js';
import { smoothL1Loss } from '../losses/smoothL1Loss.js';
import type { Tensor } from '../tensor/tensor.js';
import { runGoldens } from '../testing/goldens.js';
import { allowRelaxedSimd } from '../testing/relaxedSimd.js';
import { type KernelBackend, setKernelBackend } from './kernelBackend.js';
import { type WasmKernels, wasmKernels } from './wasmKernels.js';

allowRelaxedSimd();

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

/** Spies on every WASM kernel a loss dispatches to, by loss. */
function spyOnKernels(k: WasmKernels): Map<string, ReturnType<typeof vi.spyOn>[]> {
  return new Map([
    ['mse', [vi.spyOn(k.mse, 'sum'), vi.spyOn(k.mse, 'none')]],
    ['l1', [vi.spyOn(k.l1, 'sum'), vi.spyOn(k.l1, 'none')]],
    ['huber', [vi.spyOn(k.huber, 'sum'), vi.spyOn(k.huber, 'none')]],
    ['smoothL1', [vi.spyOn(k.smoothL1, 'sum'), vi.spyOn(k.smoothL1, 'none')]],
    ['klDiv', [vi.spyOn(k.klDiv, 'sum'), vi.spyOn(k.klDiv, 'none')]],
    [
      'bceWithLogits',
      [vi.spyOn(k.binaryCrossEntropyWithLogits, 'sum'), vi.spyOn(k.binaryCrossEntropyWithLogits, 'none')],
    ],
    ['crossEntropy', [vi.spyOn(k, 'crossEntropyIndex')]],
    ['nll', [vi.spyOn(k, 'nll')]],
  ]);
}

afterAll(() => setKernelBackend('auto'));

describe("kernel backend 'js'", () => {
  let spies = new Map<string, ReturnType<typeof vi.spyOn>[]>();
  beforeAll(() => {
    setKernelBackend('wasm');
    spies = spyOnKernels(wasmKernels()!);
    setKernelBackend('js');
  });
  afterAll(() => {
    for (const list of spies.values()) for (const s of list) s.mockRestore();
  });
  allGoldens();
  it('ran no WASM kernel', () => {
    expect(wasmKernels()).toBeNull();
    for (const [loss, list] of spies) {
      for (const s of list) expect(s, loss).not.toHaveBeenCalled();
    }
  });
});

describe.each<KernelBackend>(['wasm', 'wasm-relaxed'])('kernel backend %s', (backend) => {
  let spies = new Map<string, ReturnType<typeof vi.spyOn>[]>();
  beforeAll(() => {
    setKernelBackend(backend);
    spies = spyOnKernels(wasmKernels()!);
  });
  afterAll(() => {
    for (const list of spies.values()) for (const s of list) s.mockRestore();
  });
  allGoldens();
  it('ran the WASM kernels of every loss, reduced and per element', () => {
    expect([...spies.keys()].sort()).toEqual([
      'bceWithLogits',
      'crossEntropy',
      'huber',
      'klDiv',
      'l1',
      'mse',
      'nll',
      'smoothL1',
    ]);
    for (const [loss, list] of spies) {
      for (const s of list) expect(s, loss).toHaveBeenCalled();
    }
  });
});
