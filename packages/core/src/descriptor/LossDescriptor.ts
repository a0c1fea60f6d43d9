import type { LossState } from '../state/LossState.js';
import type { StateReduction } from '../state/reduction.js';

/**
 * What an option's value is: `numbers` is a list (a weight tensor given as numbers), `choice` one of
 * `choices`, `function` a callback (which neither a worker thread nor a command line can receive).
 */
export type OptionType = 'number' | 'integer' | 'numbers' | 'boolean' | 'choice' | 'function';

/** One option of a loss, as torch has it: what tools built on the registry (operators, flags, help) need. */
export interface OptionDescriptor {
  readonly type: OptionType;
  /** torch's spelling of the argument (`ignore_index`). */
  readonly torch: string;
  /** The default as torch has it; absent when torch's default is `None`. */
  readonly default?: unknown;
  /** The values of a `choice`. */
  readonly choices?: readonly string[];
  /** One line for help texts (`lossflow eval --help`). */
  readonly describe: string;
  /** The command-line flag, when not the key in kebab case (`distanceFunction` → `distance`). */
  readonly flag?: string;
  /**
   * Values a command line can name, for an option that takes something it cannot write
   * (`{ pairwise: …, cosine: … }` for a distance function).
   */
  readonly named?: Readonly<Record<string, unknown>>;
  /** `false`: the value cannot be posted to a worker thread (a function). */
  readonly transferable?: false;
  /** `false`: the option cannot be given on a command line (neither written nor `named`). */
  readonly commandLine?: false;
  /** The operator form of the loss also takes this option's value alone: `crossEntropy(weight)`. */
  readonly shorthand?: true;
}

/** The options of a loss, described: exactly the keys of its options type `O`, in a fixed order. */
export type OptionTable<O> = { readonly [K in keyof Required<O>]: OptionDescriptor };

/** The element type a tensor argument takes: floats, integers (class indices, lengths) or either. */
export type RoleDType = 'float' | 'int' | 'either';

/** One tensor argument of a loss. */
export interface RoleDescriptor<R extends string = string> {
  /** The argument's name (`input`, `var`, `inputLengths`); also the operator option naming its column. */
  readonly name: R;
  /**
   * The column it is read from by default. Absent for `input` and `target`, which are
   * auto-detected among common names (`logits`, `pred`, `label`, …).
   */
  readonly column?: string;
  /** The shapes it takes, in torch's notation: `(N, C)` or `(C)`. */
  readonly shape: string;
  readonly dtype: RoleDType;
}

/** torch's names of a loss. */
export interface TorchNames {
  /** The `torch.nn` module class (`CrossEntropyLoss`). */
  readonly module: string;
  /** The `torch.nn.functional` function (`cross_entropy`). */
  readonly functional: string;
}

/**
 * Everything known about one loss, in one place: the single source the `@lossflow/rx` operators,
 * the `lossflow` command line (names, flags, help, option parsing) and worker threads derive
 * theirs from. `R` is the names of its tensor arguments; {@link TypedLossDescriptor} adds its
 * options type.
 */
export interface LossDescriptor<R extends string = string> {
  /** The core function name (`crossEntropy`); also the `@lossflow/rx` operator's name. */
  readonly name: string;
  /** The name a command line uses (`cross-entropy`). */
  readonly cliName: string;
  readonly torch: TorchNames;
  /** One line: what the loss compares. */
  readonly summary: string;
  /** The tensor arguments in call order. */
  readonly roles: readonly RoleDescriptor<R>[];
  /** Every option (`reduction` included), described, in the order of `optionKeys`. */
  readonly options: Readonly<Record<string, OptionDescriptor>>;
  /** Every option key (the core's `…OptionKeys`). */
  readonly optionKeys: readonly string[];
  /** The reductions a stream of this loss can be finalized with. */
  readonly reductions: readonly StateReduction[];
  /** The one-shot function: the tensors in `roles` order, then the options. */
  readonly loss: (...args: never[]) => unknown;
  /** The partial form: the tensors, the options, the state to add into; returns a mergeable state. */
  readonly partial: (...args: never[]) => LossState;
}

/** A loss's descriptor with its options type `O`: what `defineLoss` returns, and what operators' types derive from. */
export interface TypedLossDescriptor<O, R extends string = string> extends LossDescriptor<R> {
  readonly options: OptionTable<O>;
  readonly optionKeys: readonly (keyof O & string)[];
}

/** A descriptor as written in a loss's file (`optionKeys` is derived from `options`). */
export type LossDescriptorInit<O, R extends string> = Omit<
  TypedLossDescriptor<O, R>,
  'optionKeys' | 'reductions'
> & {
  /** Default: `['mean', 'sum']`. */
  readonly reductions?: readonly StateReduction[];
};
