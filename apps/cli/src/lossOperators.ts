import { cosineDistance, type DistanceFunction, pairwiseDistance } from '@lossflow/core';
import * as rx from '@lossflow/rx';
import type { RecordBatch } from 'apache-arrow';
import type { OperatorFunction } from 'rxjs';
import type { LossEntry } from './lossRegistry.js';

/** The options every `@lossflow/rx` loss operator takes in its object form. */
export type OperatorOptions = Record<string, unknown> & {
  by?: string;
  perRow?: boolean;
  nulls?: 'error' | 'skip';
};

type LossOperatorFactory = (options: OperatorOptions) => OperatorFunction<RecordBatch, rx.LossChunk>;

/**
 * The `@lossflow/rx` operator of a loss, found by its core function name (rx names each operator
 * like the core function), so the registry stays one table instead of twenty-one imports.
 *
 * @throws {Error} when this build of `@lossflow/rx` has no such operator.
 */
export function lossOperatorOf(entry: LossEntry): LossOperatorFactory {
  const factory = (rx as unknown as Record<string, unknown>)[entry.core];
  if (typeof factory !== 'function') {
    throw new Error(`the ${entry.name} loss is not available: @lossflow/rx has no '${entry.core}' operator`);
  }
  return factory as LossOperatorFactory;
}

/** The distance functions `--distance` names, as torch users pass them to `TripletMarginWithDistanceLoss`. */
const DISTANCES: Readonly<Record<string, DistanceFunction>> = {
  pairwise: (x, y) => pairwiseDistance(x, y),
  cosine: (x, y) => cosineDistance(x, y),
};

/**
 * Core options as the operators take them: the command line keeps `distanceFunction` as a name
 * (so the JSON output can show it), the core needs the function.
 */
export function coreOptionsOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...options };
  if (typeof out.distanceFunction === 'string') out.distanceFunction = DISTANCES[out.distanceFunction];
  return out;
}
