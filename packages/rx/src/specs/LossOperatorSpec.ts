import type { LossState, Tensor } from '@lossflow/core';

/**
 * How one `@lossflow/core` loss reads a record batch: the roles of its tensor arguments in call
 * order (each a column, named by the option of the same name), and its partial and `'none'` forms.
 */
export interface LossOperatorSpec<O> {
  /** The core function name. */
  readonly name: string;
  /** Tensor arguments in the core function's order; `input` and `target` have default column names. */
  readonly roles: readonly string[];
  /** Default column of other roles (else the role's own name): `{ inputLengths: 'input_lengths' }`. */
  readonly columns?: Readonly<Record<string, string>>;
  /**
   * Every option key of the core loss (its `…OptionKeys`): the operator then rejects any other key
   * (besides the roles and the stream options) when it is created. Without it, options are not checked.
   */
  readonly optionKeys?: readonly string[];
  partial(args: Tensor[], options: O, into?: LossState): LossState;
  none(args: Tensor[], options: O): Tensor;
}
