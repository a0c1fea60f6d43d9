import type { Tensor } from '@lossflow/core';

/** Rows `[start, end)` of a row-major tensor as a zero-copy view. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const rows = t.shape[0] ?? 1;
  const inner = rows === 0 ? 0 : t.data.length / rows;
  return { data: t.data.subarray(start * inner, end * inner), shape: [end - start, ...t.shape.slice(1)] };
}
