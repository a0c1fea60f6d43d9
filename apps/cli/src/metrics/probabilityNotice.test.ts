import { METRICS } from '@lossflow/core';
import {
  Field,
  FixedSizeList,
  Float32,
  makeVector,
  type RecordBatch,
  Table,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { MetricSelection } from './MetricSelection.js';
import { mayNeedProbabilityNotice, probabilityNotice } from './probabilityNotice.js';

const select = (name: keyof typeof METRICS, options: Record<string, unknown> = {}): MetricSelection => ({
  entry: METRICS[name],
  options,
  columns: { input: 'p', target: 'target' },
});

function batchOf(p: Vector, target: bigint[]): RecordBatch {
  return new Table({ p, target: makeVector(BigInt64Array.from(target)) }).batches[0]!;
}

const rows3 = (rows: (number | null)[][] | (number[] | null)[]) =>
  vectorFromArray(rows, new FixedSizeList(3, new Field('item', new Float32(), false)));

describe('probabilityNotice', () => {
  it('binary: every score in [0, 1] is noted; one outside, or NaN, is not', () => {
    const brier = [select('brierScore')];
    expect(probabilityNotice(brier, batchOf(vectorFromArray([0, 0.5, 1]), [0n, 1n, 1n]))).toMatch(
      /column 'p' looks like probabilities/,
    );
    expect(probabilityNotice(brier, batchOf(vectorFromArray([0, 0.5, 1.2]), [0n, 1n, 1n]))).toBeUndefined();
    expect(probabilityNotice(brier, batchOf(vectorFromArray([0, Number.NaN]), [0n, 1n]))).toBeUndefined();
  });

  it('class scores: rows in [0, 1] summing to 1 within 1e-3; a softmax metric only', () => {
    const ece = [select('calibrationError')];
    const probs = batchOf(
      rows3([
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1004],
      ]),
      [0n, 1n],
    );
    expect(probabilityNotice(ece, probs)).toMatch(/--metric calibration-error reads it as logits/);
    const off = batchOf(
      rows3([
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.102],
      ]),
      [0n, 1n],
    );
    expect(probabilityNotice(ece, off)).toBeUndefined();
    // Argmax metrics give the same for logits and probabilities.
    expect(probabilityNotice([select('accuracy'), select('f1')], probs)).toBeUndefined();
  });

  it('null rows are skipped; a batch of only nulls is not noted', () => {
    const ece = [select('calibrationError')];
    expect(probabilityNotice(ece, batchOf(rows3([[0.5, 0.5, 0], null]), [0n, 1n]))).toMatch(/looks like/);
    expect(probabilityNotice(ece, batchOf(rows3([null]), [0n]))).toBeUndefined();
  });

  it('never with --scores given', () => {
    const batch = batchOf(vectorFromArray([0.2, 0.9]), [0n, 1n]);
    for (const scores of ['logits', 'probabilities']) {
      const given = [select('brierScore', { scores }), select('accuracy', { scores })];
      expect(mayNeedProbabilityNotice(given)).toBe(false);
      expect(probabilityNotice(given, batch)).toBeUndefined();
    }
    expect(mayNeedProbabilityNotice([select('brierScore')])).toBe(true);
    expect(mayNeedProbabilityNotice([select('mae'), select('confusionMatrix')])).toBe(false);
  });
});
