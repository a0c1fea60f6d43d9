import type { LossDescriptorInit, TypedLossDescriptor } from './LossDescriptor.js';
import { optionKeys } from './optionKeys.js';

const MEAN_SUM = Object.freeze(['mean', 'sum'] as const);

/**
 * A loss's registry entry, written once at the end of its file. Curried so the options type is
 * given and the role names are inferred: `defineLoss<MseLossOptions>()({ … })`. Derives
 * `optionKeys` from `options`, and freezes the result.
 *
 * @example
 * export const mseLossDescriptor = defineLoss<MseLossOptions>()({
 *   name: 'mseLoss',
 *   cliName: 'mse',
 *   torch: { module: 'MSELoss', functional: 'mse_loss' },
 *   summary: 'squared error',
 *   roles: [
 *     { name: 'input', shape: 'any shape', dtype: 'float' },
 *     { name: 'target', shape: 'broadcasts with input', dtype: 'float' },
 *   ],
 *   options: OPTIONS, // describeOptions<MseLossOptions>({ … })
 *   loss: mseLoss,
 *   partial: mseLossPartial,
 * });
 */
export function defineLoss<O>(): <const R extends string>(
  init: LossDescriptorInit<O, R>,
) => TypedLossDescriptor<O, R> {
  return (init) =>
    Object.freeze({
      ...init,
      roles: Object.freeze(init.roles.map((r) => Object.freeze({ ...r }))),
      optionKeys: optionKeys<O>(init.options),
      reductions: init.reductions ?? MEAN_SUM,
    });
}
