import type { RecordBatch } from 'apache-arrow';
import type { ByteSource } from '../io/ByteReader.js';
import { type BatchTensors, batchTensors, rowShapes } from '../tensors/batchTensors.js';
import { resolveColumns } from '../tensors/resolveColumns.js';
import {
  type BatchReader,
  type ProjectingReadOptions,
  type ReadOptions,
  type ReadProgress,
  readBatchesProjected,
} from './readBatches.js';

/** Options of {@link readTensors}. */
export interface ReadTensorsOptions extends Omit<ReadOptions, 'columns'> {
  /** A null in a selected column is an error (default) or drops the row from every tensor (`'skip'`). */
  nulls?: 'error' | 'skip';
}

/** One batch's tensors, by role, with where they came from. */
export interface TensorBatch extends BatchTensors {
  /** Index of the batch in the input (as in error messages). */
  batch: number;
  /** The resolved column of each role. */
  columns: Record<string, string>;
  /** The record batch the tensors view. */
  recordBatch: RecordBatch;
}

/**
 * The whole pipeline from an input (any {@link ByteSource}; a path: `readFileTensors` from
 * `@lossflow/arrow/node`) to tensors: columns resolved by role against the input's schema
 * (with the default names for `input` and `target`), only those columns read (Parquet decodes
 * nothing else), each batch turned into tensors by {@link batchTensors}, and every batch's
 * per-row shapes checked against the first's (`SHAPE_CHANGED` names the batch that differs).
 *
 * @example
 * for await (const { tensors, rows } of readTensors(fileInput.files[0], { target: 'label' })) {
 *   state = crossEntropyPartial(tensors.input, tensors.target, {}, state);
 * }
 */
export function readTensors(
  source: ByteSource,
  wanted: TensorRoles = {},
  options: ReadTensorsOptions = {},
): TensorReader {
  return tensorsOf((o) => readBatchesProjected(source, o), wanted, options);
}

/** The columns {@link readTensors} reads, by role (`input` and `target` have default names). */
export type TensorRoles = { input?: string; target?: string } & Record<string, string | undefined>;

/** The batches' tensors of one input, with the reader's progress, schema, format and `close`. */
export type TensorReader = AsyncIterable<TensorBatch> &
  Pick<BatchReader, 'progress' | 'close' | 'schema' | 'format'>;

/**
 * {@link readTensors} over the reader `open` makes for a projection (so `@lossflow/arrow/node`
 * reads files through the same pipeline).
 *
 * @example
 * tensorsOf((o) => readBatchesProjected(bytes, o), { target: 'label' });
 */
export function tensorsOf(
  open: (options: ProjectingReadOptions) => BatchReader,
  wanted: TensorRoles = {},
  options: ReadTensorsOptions = {},
): TensorReader {
  let columns: Record<string, string> = {};
  const reader = open({
    ...options,
    columns: (schema) => {
      columns = resolveColumns(schema, wanted);
      return [...new Set(Object.values(columns))];
    },
  });
  return {
    get progress(): ReadProgress {
      return reader.progress;
    },
    close: () => reader.close(),
    schema: () => reader.schema(),
    format: () => reader.format(),
    async *[Symbol.asyncIterator](): AsyncGenerator<TensorBatch> {
      let shapes: Record<string, number[]> | undefined;
      let index = 0;
      try {
        for await (const recordBatch of reader) {
          const t = batchTensors(recordBatch, columns, {
            batchIndex: index,
            ...(options.nulls === undefined ? {} : { nulls: options.nulls }),
            ...(shapes === undefined ? {} : { shapes }),
          });
          shapes ??= rowShapes(t);
          yield { ...t, batch: index, columns, recordBatch };
          index++;
        }
      } finally {
        await reader.close();
      }
    },
  };
}
