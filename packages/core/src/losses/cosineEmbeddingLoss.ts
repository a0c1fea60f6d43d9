import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import type { TernaryLoss, TernaryLossPartial } from '../forms/ternaryLoss.js';
import { defineUnreducedLoss } from '../forms/unreducedLoss.js';
import { cosineEmbedding } from '../kernels/cosineEmbedding.js';
import { LossError } from '../LossError.js';
import { numberOption } from '../options/optionChecks.js';
import type { FloatDType } from '../state/LossState.js';
import type { Reduction } from '../state/reduction.js';
import { broadcastShapes, expandTo, floatTensor, resultDType, showShape } from '../tensor/operands.js';
import type { FloatArray, Tensor, TensorInput } from '../tensor/tensor.js';

/** Options of {@link cosineEmbeddingLoss}, as `torch.nn.functional.cosine_embedding_loss`. */
export interface CosineEmbeddingLossOptions {
  /** Dissimilar pairs (y = −1) are penalised when their cosine exceeds this (default 0). */
  margin?: number;
  /** `'mean'` (default, over pairs), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of cosineEmbeddingLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<CosineEmbeddingLossOptions>({
  margin: { type: 'number', torch: 'margin', default: 0.0, describe: 'the margin' },
  reduction: reductionOption(),
});

/** Every option cosineEmbeddingLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const cosineEmbeddingLossOptionKeys = optionKeys<CosineEmbeddingLossOptions>(OPTIONS);

const NAME = 'cosineEmbeddingLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly shape: readonly number[];
  readonly rows: number;
  readonly x1: FloatArray;
  readonly x2: FloatArray;
  readonly y: FloatArray;
  readonly dim: number;
  readonly margin: number;
}

function prepare(
  [input1, input2, target]: readonly [TensorInput, TensorInput, TensorInput],
  options: Omit<CosineEmbeddingLossOptions, 'reduction'>,
): Prepared {
  const margin = numberOption(NAME, 'margin', options.margin, 0);
  const x1 = floatTensor(NAME, 'input1', input1);
  const x2 = floatTensor(NAME, 'input2', input2);
  const y = floatTensor(NAME, 'target', target);
  const batched = y.shape.length === 1;
  if (y.shape.length > 1) {
    throw new LossError(
      'INVALID_SHAPE',
      `0-d or 1-d target expected, got target ${showShape(y.shape)} (multi-target not supported)`,
      {
        loss: NAME,
        argument: 'target',
        hint: 'Pass one label (1 or −1) per pair: target [N] for inputs [N, D].',
      },
    );
  }
  const want = batched ? 2 : 1;
  if (x1.shape.length !== want || x2.shape.length !== want) {
    throw new LossError(
      'INVALID_SHAPE',
      `a ${batched ? '1-d' : '0-d'} target expects ${want}-d inputs, got inputs ${showShape(x1.shape)} and ${showShape(x2.shape)}`,
      {
        loss: NAME,
        argument: 'input1',
        hint: 'Pass inputs [N, D] with target [N], or inputs [D] with a 0-d target.',
      },
    );
  }
  // Pairs broadcast like torch's elementwise products: [1, D] against [N, D], target [1] against N pairs.
  const xs = broadcastShapes(NAME, x1.shape, x2.shape, ['input1', 'input2']);
  const dim = xs[xs.length - 1]!;
  const shape = batched ? broadcastShapes(NAME, xs.slice(0, 1), y.shape, ['input1', 'target']) : [];
  const full = batched ? [shape[0]!, dim] : [dim];
  return {
    dtype: resultDType(x1.data, x2.data),
    shape,
    rows: batched ? shape[0]! : 1,
    x1: expandTo(x1, full),
    x2: expandTo(x2, full),
    y: expandTo(y, shape),
    dim,
    margin,
  };
}

const impl = defineUnreducedLoss<
  readonly [TensorInput, TensorInput, TensorInput],
  CosineEmbeddingLossOptions,
  Prepared
>({
  name: NAME,
  optionKeys: cosineEmbeddingLossOptionKeys,
  prepare,
  kernel: (p, out) =>
    cosineEmbedding(p.x1, p.x2, p.y, p.shape.length === 0 ? 1 : p.shape[0]!, p.dim, p.margin, out),
});

/**
 * Cosine embedding loss of pairs (rows of `input1`, `input2`) with labels ±1, as
 * `F.cosine_embedding_loss`: `1 − cos` for y = 1, `max(0, cos − margin)` for y = −1, 0 for any other
 * label; cos uses torch's ε = 1e-12 on the squared norms. Inputs `[N, D]` with target `[N]`, or
 * `[D]` with a 0-d target.
 *
 * @example
 * cosineEmbeddingLoss([[1, 0], [1, 1]], [[1, 0], [-1, 1]], [1, -1]); // (0 + 0) / 2 = 0
 */
export const cosineEmbeddingLoss = ((
  input1: TensorInput,
  input2: TensorInput,
  target: TensorInput,
  options: CosineEmbeddingLossOptions = {},
): Tensor<FloatArray> | number =>
  impl.loss([input1, input2, target], options)) as TernaryLoss<CosineEmbeddingLossOptions>;

/**
 * The mergeable state of {@link cosineEmbeddingLoss} over these pairs, added into `into` when given.
 *
 * @example
 * const s = cosineEmbeddingLossPartial(a1, b1, y1, { margin: 0.2 });
 * cosineEmbeddingLossPartial(a2, b2, y2, { margin: 0.2 }, s);
 * finalize(s, 'mean');
 */
export const cosineEmbeddingLossPartial: TernaryLossPartial<CosineEmbeddingLossOptions> = (
  input1,
  input2,
  target,
  options = {},
  into,
) => impl.partial([input1, input2, target], options, into);

/** cosineEmbeddingLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const cosineEmbeddingLossDescriptor = defineLoss<CosineEmbeddingLossOptions>()({
  name: 'cosineEmbeddingLoss',
  cliName: 'cosine-embedding',
  torch: { module: 'CosineEmbeddingLoss', functional: 'cosine_embedding_loss' },
  summary: 'cosine similarity, ±1 targets',
  roles: [
    { name: 'input1', column: 'input1', shape: '(N, D) or (D)', dtype: 'float' },
    { name: 'input2', column: 'input2', shape: '(N, D) or (D)', dtype: 'float' },
    { name: 'target', shape: '±1, (N) or ()', dtype: 'either' },
  ],
  options: OPTIONS,
  loss: cosineEmbeddingLoss,
  partial: cosineEmbeddingLossPartial,
});
