import type { StateReduction } from '@lossflow/core';

/** One `@lossflow/core` loss as the CLI offers it. */
export interface LossEntry {
  /** The kebab-case name users type (`cross-entropy`); also the name in every output. */
  readonly name: string;
  /** The `@lossflow/core` function, which is also the `@lossflow/rx` operator's name. */
  readonly core: string;
  /** Tensor arguments in call order; each is read from a column (`--input`, `--var`, …). */
  readonly roles: readonly string[];
  /** Core option keys this loss takes besides `reduction`. */
  readonly options: readonly string[];
  /** Reductions a stream of this loss can be finalized with. */
  readonly reductions: readonly StateReduction[];
  /** One line for `--help`. */
  readonly summary: string;
}

const PAIR = ['input', 'target'] as const;
const MEAN_SUM: readonly StateReduction[] = ['mean', 'sum'];

/** Every loss of `@lossflow/core`, in the order `--help` lists them. */
export const LOSSES: readonly LossEntry[] = [
  entry(
    'cross-entropy',
    'crossEntropy',
    PAIR,
    ['weight', 'ignoreIndex', 'labelSmoothing'],
    'logits vs class indices',
  ),
  entry('nll', 'nllLoss', PAIR, ['weight', 'ignoreIndex'], 'log-probabilities vs class indices'),
  entry('mse', 'mseLoss', PAIR, ['weight'], 'squared error'),
  entry('l1', 'l1Loss', PAIR, ['weight'], 'absolute error'),
  entry('bce', 'binaryCrossEntropy', PAIR, ['weight'], 'probabilities vs 0/1 targets'),
  entry(
    'bce-with-logits',
    'binaryCrossEntropyWithLogits',
    PAIR,
    ['weight', 'posWeight'],
    'logits vs 0/1 targets',
  ),
  entry('huber', 'huberLoss', PAIR, ['delta', 'weight'], 'Huber loss (delta)'),
  entry('smooth-l1', 'smoothL1Loss', PAIR, ['beta'], 'smooth L1 (beta)'),
  entry(
    'poisson-nll',
    'poissonNllLoss',
    PAIR,
    ['logInput', 'full', 'eps'],
    'Poisson negative log-likelihood',
  ),
  entry(
    'gaussian-nll',
    'gaussianNllLoss',
    ['input', 'target', 'var'],
    ['full', 'eps'],
    'Gaussian NLL with a variance column',
  ),
  {
    ...entry('kl-div', 'klDiv', PAIR, ['logTarget'], 'KL divergence of log-probabilities'),
    reductions: ['mean', 'sum', 'batchmean'],
  },
  entry('soft-margin', 'softMarginLoss', PAIR, [], 'logistic loss for ±1 targets'),
  entry('multilabel-soft-margin', 'multilabelSoftMarginLoss', PAIR, ['weight'], 'multi-label one-vs-all'),
  entry(
    'cosine-embedding',
    'cosineEmbeddingLoss',
    ['input1', 'input2', 'target'],
    ['margin'],
    'cosine similarity, ±1 targets',
  ),
  entry(
    'margin-ranking',
    'marginRankingLoss',
    ['input1', 'input2', 'target'],
    ['margin'],
    'pairwise ranking, ±1 targets',
  ),
  entry('hinge-embedding', 'hingeEmbeddingLoss', PAIR, ['margin'], 'distances vs ±1 targets'),
  entry('multilabel-margin', 'multilabelMarginLoss', PAIR, [], 'multi-label hinge, -1-terminated targets'),
  entry('multi-margin', 'multiMarginLoss', PAIR, ['p', 'margin', 'weight'], 'multi-class hinge'),
  entry(
    'triplet-margin',
    'tripletMarginLoss',
    ['anchor', 'positive', 'negative'],
    ['margin', 'p', 'eps', 'swap'],
    'triplets, p-norm distance',
  ),
  entry(
    'triplet-margin-with-distance',
    'tripletMarginWithDistanceLoss',
    ['anchor', 'positive', 'negative'],
    ['margin', 'swap', 'distanceFunction'],
    'triplets, pairwise distance',
  ),
  entry(
    'ctc',
    'ctcLoss',
    ['input', 'target', 'inputLengths', 'targetLengths'],
    ['blank', 'zeroInfinity'],
    'connectionist temporal classification',
  ),
];

function entry(
  name: string,
  core: string,
  roles: readonly string[],
  options: readonly string[],
  summary: string,
): LossEntry {
  return { name, core, roles, options, reductions: MEAN_SUM, summary };
}

/** `crossEntropy` → `cross-entropy`; `nll_loss` → `nll-loss`; `MSELoss` → `mse-loss`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

const byName = new Map<string, LossEntry>();
for (const e of LOSSES) {
  // The kebab core name (`mse-loss`, `binary-cross-entropy`) and torch.nn's class name
  // (`MSELoss` → `mse-loss`, `BCELoss` → `bce-loss`) are accepted too, so people can type what they know.
  for (const alias of [e.name, kebabCase(e.core), `${e.name}-loss`]) byName.set(alias, e);
}
// torch spells these two `MultiLabel…` in its class names but `multilabel_…` in its functions.
for (const name of ['multilabel-soft-margin', 'multilabel-margin']) {
  const e = byName.get(name)!;
  const spaced = name.replace('multilabel', 'multi-label');
  byName.set(spaced, e);
  byName.set(`${spaced}-loss`, e);
}

/** Every name `--loss` accepts: the kebab names and their aliases. */
export function lossNames(): string[] {
  return [...byName.keys()];
}

/**
 * The loss a user named: its kebab name, the kebab form of its core function (`mse-loss`), or
 * torch's spelling (`MSELoss`, `cross_entropy`, `crossEntropy`). Undefined when unknown.
 */
export function findLoss(name: string): LossEntry | undefined {
  return byName.get(kebabCase(name.trim()));
}
