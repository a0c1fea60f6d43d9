import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { scanIpcFile } from '@lossflow/arrow';
import { type FileReadOptions, fileParts, readFile } from '@lossflow/arrow/node';
import {
  fromBatches,
  type GroupState,
  lossesAndMetrics,
  type MetricGroupState,
  type PassChunks,
} from '@lossflow/rx';
import { fromFile } from '@lossflow/rx/node';
import { DataType, type RecordBatch, type Schema, Table, tableToIPC } from 'apache-arrow';
import {
  defer,
  filter,
  from,
  type MonoTypeOperatorFunction,
  map,
  type Observable,
  share,
  skip,
  switchMap,
  take,
  takeWhile,
  toArray,
  zip,
} from 'rxjs';
import { type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { evalColumns } from '../eval/evalColumns.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { groupBudget } from '../eval/groupBudget.js';
import { GroupKeys } from '../inputs/groupKeys.js';
import { metricOperators } from '../metrics/metricResults.js';
import type { ItemFile, ItemSpec } from './itemSpec.js';

/** The part of a run's file a worker computes (the fields of `WorkItem` of `@lossflow/nats` it needs). */
export interface ItemToCompute {
  readonly path: string;
  /** The file's format (a keyed item of an Arrow IPC stream or file is read from its part's `seek`). */
  readonly format?: string;
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
 * several keys, the item's batches are read and keyed in this thread and each operator computes
 * them, as a local eval does for keyed batches (see {@link keyedBatches}); each group's key is then
 * sent as its values (`GroupKeys.valuesText`), which the coordinator numbers across the run in
 * item order, so groups are numbered by first appearance as a local eval numbers them. Aborting
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
  // Each batch's group states are charged to the run's budget as they are built, as a local eval
  // charges them: a batch of many distinct keys fails here (TOO_MANY_GROUPS naming its row)
  // before it builds them all. Its keys across items are counted by the coordinator.
  const budget = plan.by === undefined ? undefined : groupBudget(plan, undefined);
  const operators = evalOperators(keyed, { perRow: false, step: spec.step, groupBudget: budget });
  const metrics = metricOperators(plan.metrics ?? [], { by, nulls: plan.nulls, groupBudget: budget });
  const limit = item.limit === undefined ? {} : { limit: item.limit };
  const missingEnd = plan.allowMissingEndOfStream ? { allowMissingEndOfStream: true } : {};
  const chunks$: Observable<PassChunks[]> =
    keys === undefined || file === undefined
      ? fromFile(item.path, { threads, inThisThread: true, part: item.part, ...limit, ...missingEnd }).pipe(
          lossesAndMetrics(operators, metrics),
          toArray(),
        )
      : defer(() =>
          from(
            Promise.all([
              projection(item.path, plan, keys, spec.step, plan.allowMissingEndOfStream),
              keyedFirstBatch(item),
            ]),
          ),
        ).pipe(
          switchMap(([columns, first]) => {
            const batches = keyedBatches(item, { columns, ...limit, ...missingEnd }).pipe(
              map((batch: RecordBatch) => keys.decorate(batch, file.name, 0)),
              share(),
            );
            return zip([
              ...operators.map((op) => batches.pipe(op)),
              ...metrics.map((op) => batches.pipe(op)),
            ]).pipe(map((all) => sentKeys(keys, all.length - metrics.length, all, first)));
          }),
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

/**
 * The batches of a keyed item, as the in-thread reader of a local eval gives them. An item that is a
 * part of an Arrow IPC stream or file (the coordinator cuts keyed runs of those into parts, see
 * `DistributedSource`) is read from its `seek` as a stream: the file's schema message, then the
 * part's messages (a stream's bytes from the part's first batch on, of which only the part's
 * `end - first` non-empty batches are taken, as a part counts non-empty batches only; an IPC
 * file's record batch blocks from the part's first, found through the footer, then an
 * end-of-stream marker). Dictionary batches would be lost between the schema and the seek: a file
 * with a dictionary-encoded column is read from its start, its batches before the part passed
 * over. A Parquet item is read from its part's first row group to its end (`parquetRowGroups`);
 * an item without a format (an older coordinator's) from the file's start.
 */
function keyedBatches(item: ItemToCompute, read: FileReadOptions): Observable<RecordBatch> {
  if (item.format === 'parquet') {
    // The part's row groups only, in the batches a whole read gives for them.
    return fromBatches(
      readFile(item.path, { ...read, parquetRowGroups: { first: item.part.first, end: item.part.end } }),
    );
  }
  if (item.format !== 'arrow-stream' && item.format !== 'arrow-file') {
    return fromBatches(readFile(item.path, read));
  }
  const { first, end, seek } = item.part;
  const ipcFile = item.format === 'arrow-file';
  return defer(() => from(ipcFile ? fileSchemaMessage(item.path) : streamHead(item.path))).pipe(
    switchMap(({ head, dictionaries }) => {
      const fromSeek = seek !== undefined && !dictionaries;
      const source = !fromSeek
        ? item.path
        : ipcFile
          ? blockBytes(item.path, head, seek, end - first)
          : partBytes(item.path, head, seek);
      // A limit counts the part's rows: from the start, the rows of the batches passed over first.
      return fromBatches(readFile(source, fromSeek ? read : withoutLimit(read))).pipe(
        filter((batch) => batch.numRows > 0),
        skip(fromSeek ? 0 : first),
        take(end - first),
        limitRows(fromSeek ? undefined : item.limit),
      );
    }),
  );
}

/**
 * The index in its file of a keyed item's first batch: its part's first for a part of an Arrow IPC
 * stream or file; for Parquet, the batches of the row groups before it, as a whole read decodes
 * them (row groups in batches of at most {@link PARQUET_BATCH_ROWS} rows, as `mapBatchesInWorkers`
 * counts them for a part).
 */
async function keyedFirstBatch(item: ItemToCompute): Promise<number> {
  if (item.format === 'arrow-stream' || item.format === 'arrow-file') return item.part.first;
  if (item.format !== 'parquet' || item.part.first === 0) return 0;
  // Parts of one row group with rows each (a byte target of 1; an empty row group, of no bytes,
  // joins the next part and decodes to no batch): the row groups' rows, from the footer.
  let batches = 0;
  for (const group of await fileParts(item.path, { targetBytes: 1 })) {
    if (group.first >= item.part.first) break;
    batches += Math.ceil(group.rows / Math.max(1, Math.min(PARQUET_BATCH_ROWS, group.rows)));
  }
  return batches;
}

/** Rows per batch of a Parquet row group as the in-thread reader decodes it (its default). */
const PARQUET_BATCH_ROWS = 65_536;

function withoutLimit(read: FileReadOptions): FileReadOptions {
  const { limit: _, ...rest } = read;
  return rest;
}

/** The first `limit` rows (the last batch sliced, as a reader's `limit` slices it); all without one. */
function limitRows(limit: number | undefined): MonoTypeOperatorFunction<RecordBatch> {
  if (limit === undefined) return (batches) => batches;
  return (batches) =>
    defer(() => {
      let left = limit;
      return batches.pipe(
        takeWhile(() => left > 0),
        map((batch) => {
          const rows = Math.min(left, batch.numRows);
          left -= rows;
          return rows === batch.numRows ? batch : batch.slice(0, rows);
        }),
      );
    });
}

/** The end-of-stream marker: a continuation marker and a zero metadata length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * An Arrow IPC stream's schema message (its bytes, the first message of the file) and whether the
 * schema has a dictionary-encoded field (whose dictionaries follow it).
 */
async function streamHead(path: string): Promise<{ head: Uint8Array; dictionaries: boolean }> {
  const handle = await open(path, 'r');
  try {
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, 8, 0);
    const view = new DataView(prefix.buffer);
    // A continuation marker then the metadata length; before Arrow 0.15, the length alone.
    const marked = view.getInt32(0, true) === -1;
    const length = marked ? 8 + view.getInt32(4, true) : 4 + view.getInt32(0, true);
    const head = new Uint8Array(length);
    await handle.read(head, 0, length, 0);
    const reader = readFile(head, { allowMissingEndOfStream: true });
    try {
      return { head, dictionaries: hasDictionaries(await reader.schema()) };
    } finally {
      await reader.close();
    }
  } finally {
    await handle.close();
  }
}

/**
 * An Arrow IPC file's schema (from its footer: writers need not put a schema message after the
 * magic, and apache-arrow's does not) as a stream's schema message, and whether it has a
 * dictionary-encoded field.
 */
async function fileSchemaMessage(path: string): Promise<{ head: Uint8Array; dictionaries: boolean }> {
  // Every column: the messages that follow hold them all (the reader of the stream projects).
  const reader = readFile(path);
  try {
    const schema = await reader.schema();
    // The schema message, then the end-of-stream marker, which is left off.
    const stream = tableToIPC(new Table(schema), 'stream');
    return {
      head: stream.subarray(0, stream.length - END_OF_STREAM.length),
      dictionaries: hasDictionaries(schema),
    };
  } finally {
    await reader.close();
  }
}

function hasDictionaries(schema: Schema): boolean {
  return schema.fields.some((f) => DataType.isDictionary(f.type));
}

/** The schema message, then the file from `seek` on. */
async function* partBytes(path: string, head: Uint8Array, seek: number): AsyncGenerator<Uint8Array> {
  yield head;
  yield* createReadStream(path, { start: seek, highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
}

/**
 * An Arrow IPC file's part as a stream: the schema message, the messages of the record batch
 * blocks from block `seek` on until `batches` non-empty ones (found through the footer, checked as
 * a local read checks them), then the end-of-stream marker.
 */
async function* blockBytes(
  path: string,
  head: Uint8Array,
  seek: number,
  batches: number,
): AsyncGenerator<Uint8Array> {
  yield head;
  const handle = await open(path, 'r');
  try {
    const scan = await scanIpcFile(handle, (await handle.stat()).size, path, seek);
    let left = batches;
    for await (const at of scan.batches()) {
      if (left === 0) break;
      const start = at.messageOffset ?? at.bodyOffset;
      const message = new Uint8Array(at.bodyOffset + at.bodyLength - start);
      for (let done = 0; done < message.length; ) {
        const { bytesRead } = await handle.read(message, done, message.length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      yield message;
      if (at.header.rows > 0) left--;
    }
  } finally {
    await handle.close();
  }
  yield END_OF_STREAM;
}

/**
 * One batch's chunks (losses first) as a {@link PassChunks}, each group keyed by its values text and
 * each batch numbered in its file (`first` is the index of the item's first batch).
 */
function sentKeys(keys: GroupKeys, losses: number, all: readonly unknown[], first: number): PassChunks {
  const regroup = <G extends GroupState | MetricGroupState>(
    groups: readonly G[] | undefined,
  ): G[] | undefined => groups?.map((g) => ({ ...g, key: keys.valuesText(g.key) }));
  return {
    losses: (all.slice(0, losses) as PassChunks['losses']).map((c) => ({
      ...c,
      batch: first + c.batch,
      groups: regroup(c.groups),
    })),
    metrics: (all.slice(losses) as PassChunks['metrics']).map((c) => ({
      ...c,
      batch: first + c.batch,
      groups: regroup(c.groups),
    })),
  };
}
