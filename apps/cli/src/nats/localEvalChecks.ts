import { readFile } from '@lossflow/arrow/node';
import { lossesAndMetrics } from '@lossflow/rx';
import { makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { EMPTY, from, lastValueFrom, mergeMap, type Observable, of } from 'rxjs';
import type { EvalPlan } from '../args/evalArgs.js';
import { evalColumns } from '../eval/evalColumns.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { LogFiles, type OpenBatches } from '../eval/LogFiles.js';
import type { GroupKeys } from '../inputs/groupKeys.js';
import { metricOperators } from '../metrics/metricResults.js';
import { isRunError } from './runError.js';

/**
 * Makes, before a distributed run publishes anything, the checks a local eval of the same files and
 * options makes at each file's first batch: the columns (missing, not in every file, `--threshold`
 * against them), then each loss and metric given a batch of **no rows** of the file's schema (its
 * columns' types and shapes, the options the data rules out: `--label-smoothing 2`, a `--weight`
 * of the wrong length). Only the schemas are read. The files are read as the local eval reads them
 * ({@link LogFiles}, threaded or in this thread as keyed batches), so a failure is the local
 * eval's error, with its file and batch; only errors about the run itself ({@link isRunError}) are
 * thrown: what a batch of no rows cannot show is left to the workers.
 *
 * @returns `checked`, which rejects with the local eval's error when one is about the run
 *   itself, and the `source` of the checks, whose `locate` and `progress` then name its file
 */
export function localEvalChecks(
  plan: EvalPlan,
  keys: GroupKeys | undefined,
  step: string | undefined,
): { readonly source: () => LogFiles; readonly checked: Promise<void> } {
  let source = checksOf(plan, keys, step);
  const checked = (async () => {
    await source.checked;
    // A loss or metric by key computes nothing for a batch of no rows (it has no key): its
    // columns' types and its options are checked without the keys, as the first key's group of a
    // local eval checks them.
    if (plan.by !== undefined) {
      source = checksOf({ ...plan, by: undefined }, undefined, step);
      await source.checked;
    }
  })();
  return { source: () => source.files, checked };
}

/** One pass of {@link localEvalChecks}: its files, and the pass's run errors. */
function checksOf(
  plan: EvalPlan,
  keys: GroupKeys | undefined,
  step: string | undefined,
): { readonly files: LogFiles; readonly checked: Promise<void> } {
  const files = new LogFiles(
    plan.files,
    {
      // As executeEval's: keys first (a partition key each file must have), then the eval's columns.
      project: (schema, file) => {
        keys?.checkColumns(schema, file);
        return evalColumns(plan, schema, keys?.dataColumns);
      },
      ...(keys === undefined ? {} : { decorate: (batch, file, i) => keys.decorate(batch, file, i) }),
      threads: 1,
      allowMissingEndOfStream: plan.allowMissingEndOfStream,
    },
    openEmpty(plan.allowMissingEndOfStream),
    (path) => readEmpty(path, plan.allowMissingEndOfStream),
  );
  const keyed = keys === undefined ? plan : { ...plan, by: keys.column };
  const operators = evalOperators(keyed, { perRow: false, step });
  const metrics = metricOperators(plan.metrics ?? [], { by: keyed.by, nulls: plan.nulls });
  // As evalPipeline chooses: keyed batches are read in this thread, others by threads.
  const chunks = files.inThisThreadOnly
    ? files.batches().pipe(lossesAndMetrics(operators, metrics))
    : files.passChunks(operators, metrics);
  const checked = lastValueFrom(chunks, { defaultValue: undefined }).then(
    () => undefined,
    (e: unknown) => {
      if (isRunError(e)) throw e;
    },
  );
  return { files, checked };
}

/** A batch of no rows of `schema`; undefined for a type Arrow cannot make empty (left to the workers). */
function emptyBatch(schema: Schema): RecordBatch | undefined {
  try {
    const children = schema.fields.map((f) => makeData({ type: f.type, nullCount: 0 }));
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children }),
    );
  } catch {
    return undefined;
  }
}

async function schemaOf(path: string, allowMissingEndOfStream: boolean): Promise<Schema> {
  const reader = readFile(path, allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {});
  try {
    return await reader.schema();
  } finally {
    await reader.close();
  }
}

/** Opens a file as its schema and one batch of no rows of the columns asked for. */
function openEmpty(allowMissingEndOfStream: boolean): OpenBatches {
  return (path, options) => {
    const schema = schemaOf(path, allowMissingEndOfStream);
    schema.catch(() => undefined);
    return {
      progress: { bytesRead: 0 },
      schema: () => schema,
      close: async () => undefined,
      async *[Symbol.asyncIterator]() {
        const full = await schema;
        const columns = options.columns;
        const batch = emptyBatch(
          columns === undefined
            ? full
            : full.select(full.fields.map((f) => f.name).filter((n) => columns.includes(n))),
        );
        if (batch !== undefined) yield batch;
      },
    };
  };
}

/** A file's threaded read (every column, as `fromFile` reads them) as one batch of no rows. */
function readEmpty(path: string, allowMissingEndOfStream: boolean): Observable<RecordBatch> {
  return from(schemaOf(path, allowMissingEndOfStream)).pipe(
    mergeMap((schema) => {
      const batch = emptyBatch(schema);
      return batch === undefined ? EMPTY : of(batch);
    }),
  );
}
