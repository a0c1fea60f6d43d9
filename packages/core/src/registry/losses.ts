import type { LossDescriptor } from '../descriptor/LossDescriptor.js';
import { binaryCrossEntropyDescriptor } from '../losses/binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsDescriptor } from '../losses/binaryCrossEntropyWithLogits.js';
import { cosineEmbeddingLossDescriptor } from '../losses/cosineEmbeddingLoss.js';
import { crossEntropyDescriptor } from '../losses/crossEntropy.js';
import { ctcLossDescriptor } from '../losses/ctcLoss.js';
import { gaussianNllLossDescriptor } from '../losses/gaussianNllLoss.js';
import { hingeEmbeddingLossDescriptor } from '../losses/hingeEmbeddingLoss.js';
import { huberLossDescriptor } from '../losses/huberLoss.js';
import { klDivDescriptor } from '../losses/klDiv.js';
import { l1LossDescriptor } from '../losses/l1Loss.js';
import { marginRankingLossDescriptor } from '../losses/marginRankingLoss.js';
import { mseLossDescriptor } from '../losses/mseLoss.js';
import { multilabelMarginLossDescriptor } from '../losses/multilabelMarginLoss.js';
import { multilabelSoftMarginLossDescriptor } from '../losses/multilabelSoftMarginLoss.js';
import { multiMarginLossDescriptor } from '../losses/multiMarginLoss.js';
import { nllLossDescriptor } from '../losses/nllLoss.js';
import { poissonNllLossDescriptor } from '../losses/poissonNllLoss.js';
import { smoothL1LossDescriptor } from '../losses/smoothL1Loss.js';
import { softMarginLossDescriptor } from '../losses/softMarginLoss.js';
import { tripletMarginLossDescriptor } from '../losses/tripletMarginLoss.js';
import { tripletMarginWithDistanceLossDescriptor } from '../losses/tripletMarginWithDistanceLoss.js';

// Each loss's descriptor sits at the end of its own file; this is only the list, in the order
// `lossflow eval --help` shows them (the common ones first).
const DESCRIPTORS = {
  crossEntropy: crossEntropyDescriptor,
  nllLoss: nllLossDescriptor,
  mseLoss: mseLossDescriptor,
  l1Loss: l1LossDescriptor,
  binaryCrossEntropy: binaryCrossEntropyDescriptor,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsDescriptor,
  huberLoss: huberLossDescriptor,
  smoothL1Loss: smoothL1LossDescriptor,
  poissonNllLoss: poissonNllLossDescriptor,
  gaussianNllLoss: gaussianNllLossDescriptor,
  klDiv: klDivDescriptor,
  softMarginLoss: softMarginLossDescriptor,
  multilabelSoftMarginLoss: multilabelSoftMarginLossDescriptor,
  cosineEmbeddingLoss: cosineEmbeddingLossDescriptor,
  marginRankingLoss: marginRankingLossDescriptor,
  hingeEmbeddingLoss: hingeEmbeddingLossDescriptor,
  multilabelMarginLoss: multilabelMarginLossDescriptor,
  multiMarginLoss: multiMarginLossDescriptor,
  tripletMarginLoss: tripletMarginLossDescriptor,
  tripletMarginWithDistanceLoss: tripletMarginWithDistanceLossDescriptor,
  ctcLoss: ctcLossDescriptor,
} as const;

/** The name of a loss of the registry: its core function's name (`crossEntropy`). */
export type LossName = keyof typeof DESCRIPTORS;

/** The descriptor of the loss `N`, with its options type and role names: `LossDescriptorOf<'mseLoss'>`. */
export type LossDescriptorOf<N extends LossName> = (typeof DESCRIPTORS)[N];

/**
 * Every loss of `@lossflow/core`, described (see {@link LossDescriptor}), in the order the
 * `lossflow` command line lists them.
 *
 * @example
 * for (const d of LOSSES) console.log(d.name, d.roles.map((r) => r.name));
 */
export const LOSSES: readonly LossDescriptor[] = Object.freeze(Object.values(DESCRIPTORS));

/**
 * The descriptor of a loss by its core function name; `undefined` for a name that is not one.
 *
 * @example
 * lossDescriptor('gaussianNllLoss').roles.map((r) => r.column ?? r.name); // ['input', 'target', 'var']
 */
export function lossDescriptor<N extends LossName>(name: N): LossDescriptorOf<N>;
export function lossDescriptor(name: string): LossDescriptor | undefined;
export function lossDescriptor(name: string): LossDescriptor | undefined {
  return Object.hasOwn(DESCRIPTORS, name) ? DESCRIPTORS[name as LossName] : undefined;
}
