import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { optionKeys } from '../descriptor/optionKeys.js';
import { defineElementwiseLoss } from '../forms/elementwiseLoss.js';
import { hingeEmbeddingNone, hingeEmbeddingSum } from '../kernels/hingeEmbedding.js';
import { numberOption } from '../options/optionChecks.js';
import type { Reduction } from '../state/reduction.js';

/** Options of {@link hingeEmbeddingLoss}, as `torch.nn.functional.hinge_embedding_loss`. */
export interface HingeEmbeddingLossOptions {
  /** Δ in max(0, Δ − x) for dissimilar pairs (default 1). */
  margin?: number;
  /** `'mean'` (default, over all elements), `'sum'` or `'none'`. */
  reduction?: Reduction;
}

/** The options of hingeEmbeddingLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<HingeEmbeddingLossOptions>({
  margin: { type: 'number', torch: 'margin', default: 1.0, describe: 'the margin' },
  reduction: reductionOption(),
});

/** Every option hingeEmbeddingLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const hingeEmbeddingLossOptionKeys = optionKeys<HingeEmbeddingLossOptions>(OPTIONS);

const hinge = defineElementwiseLoss<HingeEmbeddingLossOptions, number>({
  name: 'hingeEmbeddingLoss',
  optionKeys: hingeEmbeddingLossOptionKeys,
  rule: 'broadcast',
  kernels: { sum: hingeEmbeddingSum, none: hingeEmbeddingNone },
  params: (o) => numberOption('hingeEmbeddingLoss', 'margin', o.margin, 1),
});

/**
 * Hinge embedding loss of distances `x` with labels `y`, as `F.hinge_embedding_loss`: `x` for
 * y = 1, `max(0, margin − x)` for y = −1, and (as torch) the sum of both for any other label.
 * Input and target broadcast.
 *
 * @example
 * hingeEmbeddingLoss([0.3, 0.4], [1, -1], { reduction: 'none' }); // [0.3, 0.6]
 */
export const hingeEmbeddingLoss = hinge.loss;

/**
 * The mergeable state of {@link hingeEmbeddingLoss} over these rows, added into `into` when given.
 *
 * @example
 * const s = hingeEmbeddingLossPartial(d1, y1, { margin: 2 });
 * hingeEmbeddingLossPartial(d2, y2, { margin: 2 }, s);
 * finalize(s, 'sum');
 */
export const hingeEmbeddingLossPartial = hinge.partial;

/** hingeEmbeddingLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const hingeEmbeddingLossDescriptor = defineLoss<HingeEmbeddingLossOptions>()({
  name: 'hingeEmbeddingLoss',
  cliName: 'hinge-embedding',
  torch: { module: 'HingeEmbeddingLoss', functional: 'hinge_embedding_loss' },
  summary: 'distances vs ±1 targets',
  roles: [
    { name: 'input', shape: 'any shape, distances', dtype: 'float' },
    { name: 'target', shape: '±1, broadcasts with input', dtype: 'either' },
  ],
  options: OPTIONS,
  loss: hingeEmbeddingLoss,
  partial: hingeEmbeddingLossPartial,
});
