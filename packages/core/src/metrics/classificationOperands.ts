import { LossError } from '../LossError.js';
import { classLayout, classTargets } from '../tensor/classOperands.js';
import { floatTensor, indexView, showShape, toTensor } from '../tensor/operands.js';
import { type FloatArray, isFloatData, type TensorInput } from '../tensor/tensor.js';

/**
 * Scores of `(N, C)` (or `(C)`, `(N, C, d1, …)`) against class indices of `(N)` (`(N, d1, …)`):
 * sample `(n, k)`'s score of class `c` sits at `(n·classes + c)·inner + k`, its target at
 * `idx[(n·inner + k)·stride]`; targets equal to `ignore` are skipped.
 */
export interface MulticlassOperands {
  readonly task: 'multiclass';
  readonly x: FloatArray;
  readonly outer: number;
  readonly classes: number;
  readonly inner: number;
  readonly idx: Int32Array;
  readonly stride: 1 | 2;
  readonly ignore: number;
  /** Size of dimension 0 (1 for an unbatched input). */
  readonly rows: number;
}

/**
 * Binary / multi-label scores of `(N)` or `(N, L, …)` against 0/1 targets of the same shape: `labels`
 * scores per row, `y[i]` 0, 1, or {@link IGNORED}.
 */
export interface BinaryOperands {
  readonly task: 'binary';
  readonly x: FloatArray;
  readonly y: Uint8Array;
  readonly labels: number;
  readonly rows: number;
}

/** A binary target equal to `ignoreIndex`, skipped like an ignored class index. */
export const IGNORED = 255;

/**
 * Reads `input` and `target` as torch's cross-entropy does: a target of input's exact shape holds
 * 0/1 labels (binary or multi-label), any other shape class indices (multiclass, with
 * `ignoreIndex`); but input of `(N, 1)` against a target of `(N)` is a binary head, read as `(N)`. Targets out of range are `TARGET_OUT_OF_RANGE` naming the row.
 *
 * @example
 * classificationOperands('accuracy', logits, labels, -100).task; // 'multiclass'
 */
export function classificationOperands(
  metric: string,
  input: TensorInput,
  target: TensorInput,
  ignoreIndex: number | bigint,
): MulticlassOperands | BinaryOperands {
  const scores = floatTensor(metric, 'input', input);
  const t = toTensor(target, metric, 'target');
  // A binary head written as (N, 1) against (N) targets is one score per row, as scikit-learn reads
  // it (its column_or_1d): read as (N), not as one class (whose class indices could only be 0).
  const x =
    scores.shape.length === 2 &&
    scores.shape[1] === 1 &&
    t.shape.length === 1 &&
    t.shape[0] === scores.shape[0]
      ? { ...scores, shape: [scores.shape[0]!] }
      : scores;
  if (t.shape.length === x.shape.length && t.shape.every((d, i) => d === x.shape[i])) {
    const n = t.data.length;
    const rows = x.shape.length === 0 ? 1 : x.shape[0]!;
    // From the shape, not n / rows: an empty batch of (0, L) keeps its L labels, so its state has
    // the layout of the stream's other batches and merges with them.
    const labels = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const y = new Uint8Array(n);
    const ignore = typeof ignoreIndex === 'bigint' ? Number.NaN : ignoreIndex;
    const bad = (i: number, v: unknown): LossError =>
      new LossError('TARGET_OUT_OF_RANGE', `target ${String(v)} is not 0 or 1`, {
        loss: metric,
        argument: 'target',
        row: labels === 0 ? 0 : Math.floor(i / labels),
        // Scores without a class dimension have no other target shape: class indices need (N, C) scores.
        hint:
          x.shape.length < 2
            ? `Scores of shape ${showShape(x.shape)} are one binary score per row, so targets are 0/1 labels; for class indices pass scores of shape [N, C] with C classes.`
            : `A target of input's shape ${showShape(x.shape)} holds 0/1 labels; for class indices give it the shape ${showShape(x.shape.slice(0, 1).concat(x.shape.slice(2)))}.`,
      });
    if (isFloatData(t.data) || !(t.data instanceof BigInt64Array)) {
      const d = t.data as ArrayLike<number>;
      for (let i = 0; i < n; i++) {
        const v = d[i]!;
        if (v === 0 || v === 1) y[i] = v;
        else if (v === ignore) y[i] = IGNORED;
        else throw bad(i, v);
      }
    } else {
      const { idx } = indexView(metric, 'target', t.data, labels || 1);
      for (let i = 0; i < n; i++) {
        const v = idx[2 * i]!;
        if (v === 0 || v === 1) y[i] = v;
        else if (v === ignore) y[i] = IGNORED;
        else throw bad(i, t.data[i]);
      }
    }
    return { task: 'binary', x: x.data, y, labels, rows };
  }
  const layout = classLayout(metric, x);
  const { idx, stride, ignore } = classTargets(metric, target, layout, x.shape, ignoreIndex);
  return {
    task: 'multiclass',
    x: x.data,
    outer: layout.outer,
    classes: layout.classes,
    inner: layout.inner,
    idx,
    stride,
    ignore,
    rows: layout.rows,
  };
}

/** The layout string a state records for these operands (`multiclass:10`, `binary:3`). */
export function layoutOf(op: MulticlassOperands | BinaryOperands): string {
  return op.task === 'multiclass' ? `multiclass:${op.classes}` : `binary:${op.labels}`;
}

/** Rejects a task the metric does not define (e.g. top-k of 0/1 targets). */
export function requireMulticlass(
  metric: string,
  op: MulticlassOperands | BinaryOperands,
): asserts op is MulticlassOperands {
  if (op.task !== 'multiclass') {
    throw new LossError(
      'SHAPE_MISMATCH',
      `${metric} needs class-index targets, got 0/1 targets of input's shape`,
      {
        loss: metric,
        argument: 'target',
        hint: 'Pass scores (N, C) and class indices (N).',
      },
    );
  }
}

/** `INVALID_VALUE` for a NaN score, naming the row (the streaming layers add the batch). */
export function nanScoreError(metric: string, row: number): LossError {
  return new LossError('INVALID_VALUE', 'score is NaN', {
    loss: metric,
    argument: 'input',
    row,
    hint: 'Scores must be numbers: drop or fix the rows whose model output is NaN.',
  });
}

/**
 * `INVALID_VALUE` for a sample whose softmax is undefined: a logit of +∞, or every logit −∞ (torch's
 * softmax gives NaN there). A confidence-based metric cannot bin it, and leaving it out would give a
 * number over fewer samples than the run has.
 */
export function undefinedSoftmaxError(metric: string, row: number): LossError {
  return new LossError(
    'INVALID_VALUE',
    'softmax is undefined (a logit is +Infinity, or every logit is -Infinity)',
    {
      loss: metric,
      argument: 'input',
      row,
      hint: 'This metric needs a defined softmax: drop or fix the rows whose model output is infinite.',
    },
  );
}

/** `INPUT_OUT_OF_RANGE` for a probability outside [0, 1] (with `scores: 'probabilities'`). */
export function probabilityError(metric: string, row: number, value: number): LossError {
  return new LossError('INPUT_OUT_OF_RANGE', `probability ${value} is outside [0, 1]`, {
    loss: metric,
    argument: 'input',
    row,
    hint: "Pass probabilities in [0, 1], or logits with scores: 'logits' (the default).",
  });
}
