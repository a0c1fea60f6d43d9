import { defineLoss } from '../descriptor/defineLoss.js';
import { describeOptions, reductionOption } from '../descriptor/describeOptions.js';
import { checkOptionKeys, optionKeys } from '../descriptor/optionKeys.js';
import { type CtcTargets, ctcBatch } from '../kernels/ctc.js';
import { LossError } from '../LossError.js';
import { booleanOption, numberOption } from '../options/optionChecks.js';
import { addToState, createState, type FloatDType, finalize, type LossState } from '../state/LossState.js';
import { partialState } from '../state/partialState.js';
import { checkReduction, type Reduction } from '../state/reduction.js';
import {
  allocFloat,
  floatTensor,
  indexView,
  intTensor,
  resultDType,
  showShape,
  toTensor,
} from '../tensor/operands.js';
import { type FloatArray, isFloatData, type Tensor, type TensorInput } from '../tensor/tensor.js';

/** Options of {@link ctcLoss}, as `torch.nn.functional.ctc_loss`. */
export interface CtcLossOptions {
  /** Class index of the blank label, in [0, C) (default 0). */
  blank?: number;
  /**
   * `'mean'` (default: the batch mean of each loss divided by its target length, clamped to ≥ 1),
   * `'sum'` or `'none'` (one loss per sequence).
   */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) by 0 (default false). */
  zeroInfinity?: boolean;
}

/** The options of ctcLoss, described for the loss registry (see `LOSSES`). */
const OPTIONS = describeOptions<CtcLossOptions>({
  blank: { type: 'integer', torch: 'blank', default: 0, describe: 'class index of the blank' },
  reduction: reductionOption(),
  zeroInfinity: { type: 'boolean', torch: 'zero_infinity', default: false, describe: 'zero infinite losses' },
});

/** Every option ctcLoss takes, as data (any other key is an `INVALID_OPTION` error). */
export const ctcLossOptionKeys = optionKeys<CtcLossOptions>(OPTIONS);

/**
 * {@link ctcLoss}'s overloads: `'none'` gives a tensor, `'mean'`/`'sum'` a number, a `Reduction`
 * variable either.
 *
 * @example
 * const perSequence = ctcLoss(logProbs, targets, inputLengths, targetLengths, { reduction: 'none' }); // Tensor
 */
export interface CtcLoss {
  (
    logProbs: TensorInput,
    targets: TensorInput,
    inputLengths: TensorInput,
    targetLengths: TensorInput,
    options: CtcLossOptions & { reduction: 'none' },
  ): Tensor<FloatArray>;
  (
    logProbs: TensorInput,
    targets: TensorInput,
    inputLengths: TensorInput,
    targetLengths: TensorInput,
    options?: CtcLossOptions & { reduction?: 'mean' | 'sum' },
  ): number;
  (
    logProbs: TensorInput,
    targets: TensorInput,
    inputLengths: TensorInput,
    targetLengths: TensorInput,
    options?: CtcLossOptions,
  ): Tensor<FloatArray> | number;
}

const NAME = 'ctcLoss';

interface Prepared {
  readonly dtype: FloatDType;
  readonly lp: FloatArray;
  readonly batch: number;
  readonly batched: boolean;
  readonly classes: number;
  readonly inputLengths: Int32Array;
  readonly targetLengths: Int32Array;
  readonly targets: CtcTargets;
  readonly blank: number;
  readonly zeroInfinity: boolean;
}

/** Lengths as an Int32Array, from any integer array, whole numbers or a single number. */
function lengthsOf(argument: string, x: TensorInput): Int32Array {
  const t = toTensor(x, NAME, argument);
  const plain = typeof x === 'number' || Array.isArray(x);
  if (isFloatData(t.data) && !plain) {
    throw new LossError('INVALID_DTYPE', `${argument} must be integral, got ${t.data.constructor.name}`, {
      loss: NAME,
      argument,
      hint: 'Pass lengths as an Int32Array, a BigInt64Array or whole numbers.',
    });
  }
  const out = new Int32Array(t.data.length);
  const words =
    t.data instanceof BigInt64Array
      ? new Int32Array(t.data.buffer, t.data.byteOffset, t.data.length * 2)
      : null;
  for (let i = 0; i < out.length; i++) {
    const v = words === null ? (t.data[i] as number) : words[2 * i]!;
    const fits =
      words === null ? Number.isInteger(v) && Math.abs(v) <= 0x7fffffff : words[2 * i + 1] === v >> 31;
    if (!fits) {
      throw new LossError('INVALID_VALUE', `${argument} has ${String(t.data[i])}, not a length`, {
        loss: NAME,
        argument,
        row: i,
        hint: 'Lengths are whole numbers between 0 and the number of frames (or labels).',
      });
    }
    out[i] = v;
  }
  return out;
}

function prepare(
  logProbs: TensorInput,
  targets: TensorInput,
  inputLengths: TensorInput,
  targetLengths: TensorInput,
  options: Omit<CtcLossOptions, 'reduction'>,
): Prepared {
  const zeroInfinity = booleanOption(NAME, 'zeroInfinity', options.zeroInfinity, false);
  const x = floatTensor(NAME, 'logProbs', logProbs);
  const rank = x.shape.length;
  if (rank !== 2 && rank !== 3) {
    throw new LossError('INVALID_SHAPE', `expected logProbs [T, N, C] or [T, C], got ${showShape(x.shape)}`, {
      loss: NAME,
      argument: 'logProbs',
      hint: 'Pass log-probabilities frames-first: [T, N, C] (batched) or [T, C].',
    });
  }
  const batched = rank === 3;
  const frames = x.shape[0]!;
  const batch = batched ? x.shape[1]! : 1;
  const classes = x.shape[rank - 1]!;
  if (x.data.length === 0) {
    throw new LossError('INVALID_SHAPE', `logProbs ${showShape(x.shape)} is empty`, {
      loss: NAME,
      argument: 'logProbs',
      hint: 'Skip empty batches (torch 2.x refuses them too).',
    });
  }
  const blank = numberOption(
    NAME,
    'blank',
    options.blank,
    0,
    (b) => Number.isInteger(b) && b >= 0 && b < classes,
    `a class index in [0, ${classes - 1}]`,
  );
  const il = lengthsOf('inputLengths', inputLengths);
  const tl = lengthsOf('targetLengths', targetLengths);
  for (const [argument, lengths] of [
    ['inputLengths', il],
    ['targetLengths', tl],
  ] as const) {
    if (lengths.length !== batch) {
      throw new LossError(
        'SHAPE_MISMATCH',
        `${argument} has ${lengths.length} values for a batch of ${batch}`,
        {
          loss: NAME,
          argument,
          hint: 'Pass one length per sequence of the batch.',
        },
      );
    }
  }
  for (let b = 0; b < batch; b++) {
    if (tl[b]! < 0) {
      throw new LossError('INVALID_VALUE', `target length ${tl[b]} is negative`, {
        loss: NAME,
        argument: 'targetLengths',
        row: b,
        hint: 'Target lengths must be ≥ 0.',
      });
    }
    if (il[b]! < 0 || il[b]! > frames) {
      throw new LossError('INVALID_VALUE', `input length ${il[b]} is outside [0, ${frames}]`, {
        loss: NAME,
        argument: 'inputLengths',
        row: b,
        hint: `Input lengths must lie between 0 and the number of frames (${frames}).`,
      });
    }
  }
  const t = intTensor(NAME, 'targets', targets);
  const offsets = new Int32Array(batch);
  let step: number;
  if (t.shape.length === 1) {
    // Concatenated targets: sample b's labels follow those of samples 0…b−1.
    let pos = 0;
    for (let b = 0; b < batch; b++) {
      offsets[b] = pos;
      pos += tl[b]!;
    }
    if (t.data.length !== pos) {
      throw new LossError(
        'SHAPE_MISMATCH',
        `concatenated targets have ${t.data.length} labels but the target lengths add up to ${pos}`,
        {
          loss: NAME,
          argument: 'targets',
          hint: 'Pass exactly the Σ targetLengths labels, or padded targets [N, S].',
        },
      );
    }
    step = 1;
  } else if (t.shape.length === 2) {
    const width = t.shape[1]!;
    let longest = 0;
    for (let b = 0; b < batch; b++) longest = Math.max(longest, tl[b]!);
    if (t.shape[0] !== batch || width < longest) {
      throw new LossError(
        'SHAPE_MISMATCH',
        `padded targets ${showShape(t.shape)} do not fit a batch of ${batch} with target lengths up to ${longest}`,
        { loss: NAME, argument: 'targets', hint: `Pass targets [${batch}, S] with S ≥ ${longest}.` },
      );
    }
    for (let b = 0; b < batch; b++) offsets[b] = b * width;
    step = 1;
  } else {
    throw new LossError(
      'INVALID_SHAPE',
      `expected targets [N, S] or concatenated [ΣL], got ${showShape(t.shape)}`,
      {
        loss: NAME,
        argument: 'targets',
        hint: 'Pass padded targets [N, S] or all labels concatenated in one 1-d array.',
      },
    );
  }
  const { idx, stride } = indexView(NAME, 'targets', t.data);
  // torch reads out of bounds for such labels; we refuse them (entries past a length are ignored).
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < tl[b]!; k++) {
      const label = idx[(offsets[b]! + k * step) * stride]!;
      if (label < 0 || label >= classes) {
        throw new LossError('TARGET_OUT_OF_RANGE', `label ${label} is out of range for ${classes} classes`, {
          loss: NAME,
          argument: 'targets',
          row: b,
          hint: `Labels must lie in [0, ${classes - 1}].`,
        });
      }
    }
  }
  return {
    dtype: resultDType(x.data),
    lp: x.data,
    batch,
    batched,
    classes,
    inputLengths: il,
    targetLengths: tl,
    targets: { idx, stride, offsets, step },
    blank,
    zeroInfinity,
  };
}

const acc = new Float64Array(2);

function run(p: Prepared, out: FloatArray | null): void {
  ctcBatch(
    p.lp,
    p.batch,
    p.classes,
    p.inputLengths,
    p.targetLengths,
    p.targets,
    p.blank,
    p.zeroInfinity,
    out,
    acc,
  );
}

/**
 * The mergeable state of {@link ctcLoss} over these sequences, added into `into` when given: Σ loss
 * for `'sum'`, and Σ loss / max(L, 1) over the sequence count for `'mean'`.
 *
 * @example
 * const s = ctcLossPartial(logProbs1, targets1, inputLengths1, targetLengths1);
 * ctcLossPartial(logProbs2, targets2, inputLengths2, targetLengths2, {}, s);
 * finalize(s, 'mean'); // as ctcLoss over both batches
 */
export function ctcLossPartial(
  logProbs: TensorInput,
  targets: TensorInput,
  inputLengths: TensorInput,
  targetLengths: TensorInput,
  options: Omit<CtcLossOptions, 'reduction'> = {},
  into?: LossState,
): LossState {
  checkOptionKeys(NAME, options, ctcLossOptionKeys, 'partial');
  const p = prepare(logProbs, targets, inputLengths, targetLengths, options);
  run(p, null);
  return addToState(partialState(NAME, p.dtype, into), acc[0]!, p.batch, p.batch, acc[1]!);
}

function ctc(
  logProbs: TensorInput,
  targets: TensorInput,
  inputLengths: TensorInput,
  targetLengths: TensorInput,
  options: CtcLossOptions = {},
): Tensor<FloatArray> | number {
  checkOptionKeys(NAME, options, ctcLossOptionKeys);
  const reduction = checkReduction(NAME, options.reduction);
  const p = prepare(logProbs, targets, inputLengths, targetLengths, options);
  if (reduction === 'none') {
    const out = allocFloat(p.dtype, p.batch);
    run(p, out);
    return { data: out, shape: p.batched ? [p.batch] : [] };
  }
  run(p, null);
  return finalize(addToState(createState(NAME, p.dtype), acc[0]!, p.batch, p.batch, acc[1]!), reduction);
}

/**
 * Connectionist Temporal Classification loss, as `F.ctc_loss`: −log of the total probability of
 * all alignments of each target to its frames, by the alpha recursion in log space (long sequences
 * do not underflow). `logProbs` is `[T, N, C]` (or `[T, C]` unbatched) log-softmax output; targets
 * are padded `[N, S]` or concatenated `[ΣL]` integer labels; lengths are integer arrays (Int32Array,
 * BigInt64Array, whole numbers). An impossible alignment gives +Infinity (0 with `zeroInfinity`).
 * Refused (torch 1.13 reads garbage): labels outside [0, C), negative lengths. A sequence of 0
 * frames has loss 0 for an empty target and +Infinity otherwise, as torch 2.x.
 *
 * @example
 * const logProbs = tensor(new Float32Array(50 * 2 * 20).fill(Math.log(1 / 20)), [50, 2, 20]);
 * ctcLoss(logProbs, [[1, 2, 3], [4, 4, 0]], [50, 40], [3, 2]); // mean of loss_b / L_b
 */
export const ctcLoss = ctc as CtcLoss;

/** ctcLoss in the loss registry (`LOSSES`): its names, tensor arguments, options and forms. */
export const ctcLossDescriptor = defineLoss<CtcLossOptions>()({
  name: 'ctcLoss',
  cliName: 'ctc',
  torch: { module: 'CTCLoss', functional: 'ctc_loss' },
  summary: 'connectionist temporal classification',
  roles: [
    {
      name: 'input',
      shape:
        'time first, (T, N, C) or (T, C) log-probabilities (a record batch holds one (T, C) sequence per row)',
      dtype: 'float',
    },
    { name: 'target', shape: 'padded class indices (N, S), or all targets concatenated', dtype: 'int' },
    { name: 'inputLengths', column: 'input_lengths', shape: '(N) or ()', dtype: 'int' },
    { name: 'targetLengths', column: 'target_lengths', shape: '(N) or ()', dtype: 'int' },
  ],
  options: OPTIONS,
  loss: ctcLoss,
  partial: ctcLossPartial,
});
