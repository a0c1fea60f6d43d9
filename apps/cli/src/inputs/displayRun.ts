import type { GroupKey } from '@lossflow/rx';
import type { EvalRun } from '../eval/evalPipeline.js';
import type { DisplayKey } from './displayKey.js';

/** A run whose group keys are the keys the outputs show (see `GroupKeys.keyOf`). */
export function displayRun(run: EvalRun, keyOf: (key: GroupKey) => DisplayKey): EvalRun {
  return {
    ...run,
    results: run.results.map((r) =>
      r.groups === undefined
        ? r
        : {
            ...r,
            groups: r.groups.map((g) => ({ ...g, key: typeof g.key === 'object' ? g.key : keyOf(g.key) })),
          },
    ),
  };
}
