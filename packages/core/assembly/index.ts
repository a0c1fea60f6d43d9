// The kernels' WebAssembly exports. Operands are byte addresses in this module's memory, which the
// JS side (src/wasm/WasmArena.ts) manages from heapBase() on; nothing here allocates.

import { binaryCrossEntropyWithLogits } from './binaryCrossEntropyWithLogits';
import { classRowStats } from './classRowStats';
import { classIndexLoss } from './crossEntropy';
import { crossEntropyClassStats, crossEntropyRowApart } from './crossEntropyClassStats';
import {
  HuberLane,
  KlDivLane,
  KlDivLogTargetLane,
  L1Lane,
  MseLane,
  noneKernel,
  SmoothL1Lane,
  sumKernel,
} from './elementwise';

export { binaryCrossEntropyWithLogits, classIndexLoss, classRowStats, crossEntropyClassStats, crossEntropyRowApart };

/** First byte past the module's static data: where the JS arena may start. */
export function heapBase(): usize {
  return __heap_base;
}

export function mseSum(px: usize, py: usize, n: i32): f64 {
  return sumKernel<MseLane>(px, py, n, 0, 0, true);
}
export function mseNone(px: usize, py: usize, pout: usize, n: i32): void {
  noneKernel<MseLane>(px, py, pout, n, 0, 0);
}
export function l1Sum(px: usize, py: usize, n: i32): f64 {
  return sumKernel<L1Lane>(px, py, n, 0, 0, true);
}
export function l1None(px: usize, py: usize, pout: usize, n: i32): void {
  noneKernel<L1Lane>(px, py, pout, n, 0, 0);
}
export function smoothL1Sum(px: usize, py: usize, n: i32, beta: f64): f64 {
  return sumKernel<SmoothL1Lane>(px, py, n, beta, 0, true);
}
export function smoothL1None(px: usize, py: usize, pout: usize, n: i32, beta: f64): void {
  noneKernel<SmoothL1Lane>(px, py, pout, n, beta, 0);
}
export function huberSum(px: usize, py: usize, n: i32, delta: f64): f64 {
  return sumKernel<HuberLane>(px, py, n, delta, 0, true);
}
export function huberNone(px: usize, py: usize, pout: usize, n: i32, delta: f64): void {
  noneKernel<HuberLane>(px, py, pout, n, delta, 0);
}
export function klDivSum(px: usize, py: usize, n: i32, logTarget: bool): f64 {
  return logTarget ? sumKernel<KlDivLogTargetLane>(px, py, n, 0, 0, false) : sumKernel<KlDivLane>(px, py, n, 0, 0, false);
}
export function klDivNone(px: usize, py: usize, pout: usize, n: i32, logTarget: bool): void {
  if (logTarget) noneKernel<KlDivLogTargetLane>(px, py, pout, n, 0, 0);
  else noneKernel<KlDivLane>(px, py, pout, n, 0, 0);
}
