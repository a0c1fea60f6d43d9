import { readFile } from '@lossflow/arrow/node';
import {
  fromBatches,
  type GroupState,
  lossesAndMetrics,
  type MetricGroupState,
  type PassChunks,
} from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import type { RecordBatch } from 'apache-arrow';
import { defer, from, map, type Observable, share, switchMap, toArray, zip } from 'rxjs';
import { type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { evalColumns } from '../eval/evalColumns.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { GroupKeys } from '../inputs/groupKeys.js';
import { metricOperators } from '../metrics/metricResults.js';
import type { ItemFile, ItemSpec } from './itemSpec.js';

/** The part of a run's file a worker computes (the fields of `WorkItem` of `@lossflow/nats` it needs). */
export interface ItemToCompute {
  readonly path: string;
  readonly part: { readonly first: number; readonly end: number; readonly seek?: number };
  readonly limit?: number;
  readonly spec: unknown;
  readonly fileSpec?: unknown;
}

/**
 * Computes one item of a CLI run, as `lossflow eval` computes those batches locally (the same loss
 * and metric operators from the same arguments): per batch, one chunk per `--loss` and per
 * `--metric`. Without key columns to add, `fromFile` with threads and this thread computing reads
 * only the item's part, as a local eval's threads do. With `--by file`, Hive partition keys or
 * several keys (a whole file per item), the batches are read and keyed in this thread and each
 * operator computes them, as a local eval does for keyed batches; each group's key is then sent
 * as its values (`GroupKeys.valuesText`), which the coordinator numbers across the run. Aborting
 * unsubscribes, which ends the threads.
 *
 * @example
 * const chunks = await computeItem(item, 2, signal);
 */
export function computeItem(
  item: ItemToCompute,
  threads: number,
  signal: AbortSignal,
): Promise<PassChunks[]> {
  const spec = item.spec as ItemSpec;
  const plan: EvalPlan = parseEvalArgs(spec.args);
  const file = item.fileSpec as ItemFile | undefined;
  const keys =
    file === undefined
      ? undefined
      : GroupKeys.of(plan.by, new Map(Object.entries(file.partitions).map(([k, v]) => [k, [v]])));
  const by = keys === undefined ? plan.by : keys.column;
  const keyed: EvalPlan = by === undefined ? plan : { ...plan, by };
  const operators = evalOperators(keyed, { perRow: false, step: spec.step });
  const metrics = metricOperators(plan.metrics ?? [], { by, nulls: plan.nulls });
  const limit = item.limit === undefined ? {} : { limit: item.limit };
  const missingEnd = plan.allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {};
  const chunks$: Observable<PassChunks[]> =
    keys === undefined || file === undefined
      ? fromFile(item.path, { threads, inThisThread: true, part: item.part, ...limit, ...missingEnd }).pipe(
          lossesAndMetrics(operators, metrics),
          toArray(),
        )
      : defer(() => from(projection(item.path, plan, keys, spec.step, plan.allowMissingEndOfStream))).pipe(
          switchMap((columns) => {
            const batches = fromBatches(readFile(item.path, { columns, ...limit, ...missingEnd })).pipe(
              map((batch: RecordBatch) => keys.decorate(batch, file.name, 0)),
              share(),
            );
            return zip([
              ...operators.map((op) => batches.pipe(op)),
              ...metrics.map((op) => batches.pipe(op)),
            ]);
          }),
          map((all) => sentKeys(keys, all.length - metrics.length, all)),
          toArray(),
        );
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('stopped'));
      return;
    }
    const subscription = chunks$.subscribe({ next: resolve, error: reject });
    signal.addEventListener(
      'abort',
      () => {
        subscription.unsubscribe();
        reject(new Error('stopped'));
      },
      { once: true },
    );
  });
}

/**
 * The columns a local eval reads from this file for keyed batches (`LogFiles`' projection), and
 * the step column the coordinator resolved (the spec carries no `--report`, an output flag).
 */
async function projection(
  path: string,
  plan: EvalPlan,
  keys: GroupKeys,
  step: string | undefined,
  allowMissingEndOfStream: boolean,
): Promise<string[]> {
  const probe = readFile(path, allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {});
  try {
    const schema = await probe.schema();
    const columns = new Set(evalColumns(plan, schema, keys.dataColumns));
    if (step !== undefined) columns.add(step);
    return schema.fields.map((f) => f.name).filter((name) => columns.has(name));
  } finally {
    await probe.close();
  }
}

/** One batch's chunks (losses first) as a {@link PassChunks}, each group keyed by its values text. */
function sentKeys(keys: GroupKeys, losses: number, all: readonly unknown[]): PassChunks {
  const regroup = <G extends GroupState | MetricGroupState>(
    groups: readonly G[] | undefined,
  ): G[] | undefined => groups?.map((g) => ({ ...g, key: keys.valuesText(g.key) }));
  return {
    losses: (all.slice(0, losses) as PassChunks['losses']).map((c) => ({ ...c, groups: regroup(c.groups) })),
    metrics: (all.slice(losses) as PassChunks['metrics']).map((c) => ({ ...c, groups: regroup(c.groups) })),
  };
}
