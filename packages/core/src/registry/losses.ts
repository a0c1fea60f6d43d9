import { binaryCrossEntropyDescriptor } from '../binaryCrossEntropy.js';
import { binaryCrossEntropyWithLogitsDescriptor } from '../binaryCrossEntropyWithLogits.js';
import { cosineEmbeddingLossDescriptor } from '../cosineEmbeddingLoss.js';
import { crossEntropyDescriptor } from '../crossEntropy.js';
import { ctcLossDescriptor } from '../ctcLoss.js';
import { gaussianNllLossDescriptor } from '../gaussianNllLoss.js';
import { hingeEmbeddingLossDescriptor } from '../hingeEmbeddingLoss.js';
import { huberLossDescriptor } from '../huberLoss.js';
import { klDivDescriptor } from '../klDiv.js';
import { l1LossDescriptor } from '../l1Loss.js';
import { marginRankingLossDescriptor } from '../marginRankingLoss.js';
import { mseLossDescriptor } from '../mseLoss.js';
import { multilabelMarginLossDescriptor } from '../multilabelMarginLoss.js';
import { multilabelSoftMarginLossDescriptor } from '../multilabelSoftMarginLoss.js';
import { multiMarginLossDescriptor } from '../multiMarginLoss.js';
import { nllLossDescriptor } from '../nllLoss.js';
import { poissonNllLossDescriptor } from '../poissonNllLoss.js';
import { smoothL1LossDescriptor } from '../smoothL1Loss.js';
import { softMarginLossDescriptor } from '../softMarginLoss.js';
import { tripletMarginLossDescriptor } from '../tripletMarginLoss.js';
import { tripletMarginWithDistanceLossDescriptor } from '../tripletMarginWithDistanceLoss.js';
import type { LossDescriptor } from './LossDescriptor.js';

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
