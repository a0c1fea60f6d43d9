import type { GroupKey } from '@lossflow/rx';
import type { DisplayKey } from '../eval/displayKey.js';
import type { EvalRun } from '../eval/evalPipeline.js';

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
    ...(run.metrics === undefined
      ? {}
      : {
          metrics: run.metrics.map((m) =>
            m.groups === undefined
              ? m
              : {
                  ...m,
                  groups: m.groups.map((g) => ({
                    ...g,
                    key: typeof g.key === 'object' ? g.key : keyOf(g.key),
                  })),
                },
          ),
        }),
  };
}
