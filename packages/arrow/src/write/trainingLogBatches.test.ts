import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { trainingLogBatches } from './trainingLogBatches.js';

const options = { rows: 1000, classes: 5, epochs: 4, batchRows: 300, ignoreShare: 0.1 };

function column<T>(b: RecordBatch, name: string): T {
  return b.getChild(name)!.data[0]!.values as T;
}

describe('trainingLogBatches', () => {
  it('has the documented columns and types', () => {
    const [first] = trainingLogBatches(options);
    expect(first!.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual([
      'epoch: Int32',
      'step: Int64',
      'logits: FixedSizeList[5]<Float32>',
      'target: Int64',
    ]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const sum = (seed: number) => {
      let s = 0;
      for (const b of trainingLogBatches({ ...options, seed })) {
        const x = b.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
        for (let i = 0; i < x.length; i++) s += x[i]! * ((i % 7) + 1);
      }
      return s;
    };
    expect(sum(3)).toBe(sum(3));
    expect(sum(3)).not.toBe(sum(4));
  });

  it('batches never span epochs; steps are the global row index', () => {
    const sizes: number[] = [];
    let next = 0n;
    for (const b of trainingLogBatches(options)) {
      sizes.push(b.numRows);
      const epochs = new Set(column<Int32Array>(b, 'epoch'));
      expect(epochs.size).toBe(1);
      for (const step of column<BigInt64Array>(b, 'step')) expect(step).toBe(next++);
    }
    expect(sizes).toEqual([300, 300, 300, 100, 300, 300, 300, 100, 300, 300, 300, 100, 300, 300, 300, 100]);
  });

  it('targets are classes or -100 for about ignoreShare of the samples, the same ones each epoch', () => {
    const perEpoch: string[] = [];
    let ignored = 0;
    let all = '';
    for (const b of trainingLogBatches(options)) {
      const t = column<BigInt64Array>(b, 'target');
      for (const y of t) {
        expect(y === -100n || (y >= 0n && y < 5n)).toBe(true);
        if (y === -100n) ignored++;
        all += `${y},`;
      }
      if (column<Int32Array>(b, 'epoch')[0] !== undefined && b.numRows === 100) {
        perEpoch.push(all);
        all = '';
      }
    }
    expect(new Set(perEpoch).size).toBe(1);
    expect(ignored / 4000).toBeGreaterThan(0.07);
    expect(ignored / 4000).toBeLessThan(0.13);
  });

  it('the model improves from epoch to epoch: lower cross-entropy, higher accuracy', () => {
    const ce = new Array<number>(options.epochs).fill(0);
    const correct = new Array<number>(options.epochs).fill(0);
    const counted = new Array<number>(options.epochs).fill(0);
    for (const b of trainingLogBatches({ ...options, ignoreShare: 0 })) {
      const epoch = column<Int32Array>(b, 'epoch')[0]!;
      const x = b.getChild('logits')!.data[0]!.children[0]!.values as Float32Array;
      const t = column<BigInt64Array>(b, 'target');
      for (let r = 0; r < b.numRows; r++) {
        const row = x.subarray(r * 5, r * 5 + 5);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        ce[epoch]! += lse - row[Number(t[r])]!;
        if (row.indexOf(max) === Number(t[r])) correct[epoch]!++;
        counted[epoch]!++;
      }
    }
    const meanCe = ce.map((c, i) => c / counted[i]!);
    const accuracy = correct.map((c, i) => c / counted[i]!);
    for (let e = 1; e < options.epochs; e++) {
      expect(meanCe[e]!).toBeLessThan(meanCe[e - 1]!);
      expect(accuracy[e]!).toBeGreaterThan(accuracy[e - 1]!);
    }
    expect(meanCe[options.epochs - 1]!).toBeLessThan(meanCe[0]! / 3);
    expect(accuracy[0]!).toBeLessThan(0.8);
    expect(accuracy[options.epochs - 1]!).toBeGreaterThan(0.95);
  });

  it('is lazy: the first batch of a huge log comes at once', () => {
    const t0 = performance.now();
    const it = trainingLogBatches({ rows: 1e12, classes: 1000, epochs: 1000, batchRows: 64 });
    expect(it.next().value!.numRows).toBe(64);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('rejects impossible options', () => {
    expect(() => trainingLogBatches({ rows: 10, classes: 0, epochs: 1 }).next()).toThrow(RangeError);
    expect(() => trainingLogBatches({ rows: 1.5, classes: 2, epochs: 1 }).next()).toThrow(
      /rows must be a whole number/,
    );
    expect(() => trainingLogBatches({ rows: 10, classes: 2, epochs: 1, ignoreShare: 2 }).next()).toThrow(
      RangeError,
    );
  });
});
