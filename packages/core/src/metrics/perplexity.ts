import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { LossError } from '../LossError.js';
import { crossEntropyPartial } from '../losses/crossEntropy.js';
import { createState } from '../state/LossState.js';
import { ignoreIndexOption } from '../tensor/classOperands.js';
import { toTensor } from '../tensor/operands.js';
import type { TensorInput } from '../tensor/tensor.js';
import { nanScoreError, undefinedSoftmaxError } from './classificationOperands.js';
import { addSum, type MetricState, metricStateFor, sumAt } from './MetricState.js';
import { ignoreParam } from './metricOptions.js';

/** Options of {@link perplexity}: cross-entropy's class weights and ignored index. */
export interface PerplexityOptions {
  /** One weight per class: the mean is then Σ w[y]·loss / Σ w[y], as cross-entropy's. */
  weight?: TensorInput;
  /** Targets equal to this are skipped (default −100). */
  ignoreIndex?: number | bigint;
}

/** Every option perplexity takes. */
export const perplexityOptionKeys = optionKeys<PerplexityOptions>({ weight: true, ignoreIndex: true });

const NAME = 'perplexity';

/**
 * The mergeable state of {@link perplexity}: cross-entropy's compensated Σ loss and Σ weight (4
 * float64), computed by `crossEntropyPartial` (the same kernels, WASM included).
 *
 * @example
 * finalizeMetric(perplexityPartial(logits, tokens, { ignoreIndex: 0 }));
 */
export function perplexityPartial(
  input: TensorInput,
  target: TensorInput,
  options: PerplexityOptions = {},
  into?: MetricState,
): MetricState {
  checkOptionKeys(NAME, options, perplexityOptionKeys);
  const ignoreIndex = ignoreIndexOption(NAME, options.ignoreIndex);
  const weight =
    options.weight === undefined
      ? ''
      : Array.from(toTensor(options.weight, NAME, 'weight').data, Number).join(',');
  const params = { ignoreIndex: ignoreParam(ignoreIndex), weight };
  let ce: ReturnType<typeof createState>;
  try {
    ce = crossEntropyPartial(input, target, options, createState('crossEntropy', 'float32'));
  } catch (e) {
    throw e instanceof LossError ? renamed(e) : e;
  }
  // A NaN logit, a +∞ one or a sample of −∞ ones makes the sum NaN: only then look for its row,
  // so valid batches pay nothing.
  if (Number.isNaN(ce.meanSum)) throw undefinedRow(input);
  const state = metricStateFor(NAME, params, into, 'classes', { sums: 2 });
  if (ce.dtype === 'float64') state.dtype = 'float64';
  state.rows += ce.rows;
  addSum(state.sums, 0, ce.meanSum);
  // An infinite sum (a −∞ target logit: torch's perplexity is inf) has no rounding error to add;
  // its error term is ∞ − ∞.
  if (Number.isFinite(ce.meanSum)) addSum(state.sums, 0, ce.meanSumErr);
  addSum(state.sums, 1, ce.weight);
  addSum(state.sums, 1, ce.weightErr);
  return state;
}

/**
 * The error naming the first row that made the sum NaN: a NaN logit, else a sample whose softmax
 * is undefined (a +∞ logit, or every logit −∞).
 */
function undefinedRow(input: TensorInput): LossError {
  const x = toTensor(input, NAME, 'input');
  const { data, shape } = x;
  const rows = shape.length <= 1 ? 1 : shape[0]!;
  const classes = shape.length <= 1 ? data.length : shape[1]!;
  const inner = rows * classes === 0 ? 1 : data.length / (rows * classes);
  const perRow = classes * inner;
  for (let i = 0; i < data.length; i++)
    if (Number.isNaN(data[i])) return nanScoreError(NAME, Math.floor(i / perRow));
  for (let n = 0; n < rows; n++)
    for (let k = 0; k < inner; k++) {
      let allNegative = true;
      for (let c = 0; c < classes; c++) {
        const v = data[n * perRow + c * inner + k]!;
        if (v === Number.POSITIVE_INFINITY) return undefinedSoftmaxError(NAME, n);
        if (v !== Number.NEGATIVE_INFINITY) allNegative = false;
      }
      if (allNegative) return undefinedSoftmaxError(NAME, n);
    }
  return nanScoreError(NAME, 0);
}

/** A cross-entropy error as perplexity's own (the message names perplexity). */
function renamed(e: LossError): LossError {
  const context = {
    loss: NAME,
    ...(e.argument === undefined ? {} : { argument: e.argument }),
    ...(e.row === undefined ? {} : { row: e.row }),
    ...(e.hint === undefined ? {} : { hint: e.hint }),
  };
  return new LossError(e.code, e.detail, context);
}

/**
 * The perplexity of a state: exp of the mean cross-entropy, rounded to float32 as torch computes
 * `torch.exp(F.cross_entropy(x, y))` for float32 logits. NaN for no counted tokens.
 */
export function perplexityValue(state: MetricState): number {
  if (state.sums.length === 0) return Number.NaN;
  const mean = sumAt(state.sums, 0) / sumAt(state.sums, 1);
  return state.dtype === 'float32' ? Math.fround(Math.exp(Math.fround(mean))) : Math.exp(mean);
}

/**
 * Perplexity: `exp(F.cross_entropy(input, target, weight=, ignore_index=))`, torchmetrics'
 * `Perplexity` on logits. Targets equal to `ignoreIndex` are skipped (padding tokens).
 *
 * @example
 * perplexity(tensor(logits, [tokens, vocab]), nextTokens, { ignoreIndex: 0 });
 */
export function perplexity(input: TensorInput, target: TensorInput, options: PerplexityOptions = {}): number {
  return perplexityValue(perplexityPartial(input, target, options));
}
