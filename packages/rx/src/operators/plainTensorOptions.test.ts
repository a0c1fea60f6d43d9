import { describe, expect, it } from 'vitest';
import { plainTensorOptions } from './plainTensorOptions.js';

class Weights {
  readonly #data = new Float32Array([1, 2, 3]);
  get data(): Float32Array {
    return this.#data;
  }
  get shape(): number[] {
    return [3];
  }
}

describe('plainTensorOptions', () => {
  it('copies a tensor-valued option given as a class instance into a plain { data, shape } a clone keeps', () => {
    const w = new Weights();
    const out = plainTensorOptions('crossEntropy', { weight: w, ignoreIndex: 1 });
    expect(Object.getPrototypeOf(out.weight)).toBe(Object.prototype);
    expect(out.weight).toEqual({ data: w.data, shape: [3] });
    expect(structuredClone(out)).toEqual({ weight: { data: w.data, shape: [3] }, ignoreIndex: 1 });
  });

  it('leaves arrays, typed arrays, other options, non-tensors and custom losses as given', () => {
    const typed = new Float64Array([1, 2]);
    const date = new Date(0);
    expect(plainTensorOptions('crossEntropy', { weight: [1, 2] }).weight).toEqual([1, 2]);
    expect(plainTensorOptions('crossEntropy', { weight: typed }).weight).toBe(typed);
    expect(plainTensorOptions('crossEntropy', { weight: date }).weight).toBe(date);
    const w = new Weights();
    expect(plainTensorOptions('myLoss', { weight: w }).weight).toBe(w);
    expect(plainTensorOptions('multiMarginLoss', { margin: 2, weight: w }).margin).toBe(2);
  });
});
