import { type LossOperatorFactory, operatorOf } from '@lossflow/rx';
import type { LossEntry } from './lossRegistry.js';

/** The options every `@lossflow/rx` loss operator takes in its object form. */
export type OperatorOptions = Record<string, unknown> & {
  by?: string;
  perRow?: boolean;
  nulls?: 'error' | 'skip';
};

/**
 * The `@lossflow/rx` operator of a loss: the one rx builds from the same registry entry.
 *
 * @example
 * lossOperatorOf(findLoss('mse')!)({ input: 'pred', target: 'y' });
 */
export function lossOperatorOf(entry: LossEntry): LossOperatorFactory<OperatorOptions> {
  return operatorOf(entry.descriptor);
}

/**
 * Core options as the operators take them: the command line keeps an option that takes a function
 * (`distanceFunction`) as the name of one of its registry `named` values, so the JSON output can
 * show it; the core needs the value.
 *
 * @example
 * coreOptionsOf(findLoss('triplet-margin-with-distance')!, { distanceFunction: 'cosine' });
 */
export function coreOptionsOf(
  entry: LossEntry,
  options: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out = { ...options };
  for (const [key, value] of Object.entries(out)) {
    const named = entry.descriptor.options[key]?.named;
    if (named !== undefined && typeof value === 'string' && Object.hasOwn(named, value))
      out[key] = named[value];
  }
  return out;
}
