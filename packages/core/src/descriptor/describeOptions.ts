import type { OptionDescriptor, OptionTable } from './LossDescriptor.js';

/**
 * The options of a loss, described, as a frozen table. The compiler checks the keys are exactly
 * those of `O`: adding an option to a loss's options type without describing it fails to build.
 *
 * @example
 * const OPTIONS = describeOptions<MseLossOptions>({
 *   reduction: reductionOption(),
 *   weight: { type: 'numbers', torch: 'weight', describe: 'element weights, e.g. 0.5,1,2' },
 * });
 */
export function describeOptions<O>(table: OptionTable<O>): OptionTable<O> {
  return Object.freeze(table) as OptionTable<O>;
}

/**
 * The description of torch's `reduction` argument: `'mean'` (default), `'sum'` or `'none'`, and
 * the loss's own extra values (`'batchmean'`). Streams choose the reduction downstream, so it has
 * no flag of its own (the command line's `--reduction` is the stream's).
 *
 * @example
 * describeOptions<KlDivOptions>({ reduction: reductionOption(['batchmean']), logTarget: { … } });
 */
export function reductionOption(extra: readonly string[] = []): OptionDescriptor {
  return {
    type: 'choice',
    torch: 'reduction',
    default: 'mean',
    choices: ['none', 'mean', 'sum', ...extra],
    describe: 'how elements reduce',
    commandLine: false,
  };
}

/**
 * The class-index losses' (cross-entropy, NLL) `weight` and `ignore_index`, described once: a
 * per-class weight (also accepted alone as the options) and the target value to ignore.
 *
 * @example
 * describeOptions<NllLossOptions>({ reduction: reductionOption(), ...classOptions() });
 */
export function classOptions(): { weight: OptionDescriptor; ignoreIndex: OptionDescriptor } {
  return {
    weight: {
      type: 'numbers',
      torch: 'weight',
      describe: 'class (or element) weights, e.g. 0.5,1,2',
      shorthand: true,
    },
    ignoreIndex: {
      type: 'integer',
      torch: 'ignore_index',
      default: -100,
      describe: 'target value to ignore (torch: -100)',
    },
  };
}
