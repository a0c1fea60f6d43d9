import type { RecordBatch } from 'apache-arrow';
import type { ByteSource } from './ByteReader.js';
import { type BatchTensors, batchTensors, rowShapes } from './batchTensors.js';
import {
  type BatchReader,
  type ReadOptions,
  type ReadProgress,
  readBatchesProjected,
} from './readBatches.js';
import { resolveColumns } from './resolveColumns.js';

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
 * The whole pipeline from a file to tensors: columns resolved by role against the input's schema
 * (with the default names for `input` and `target`), only those columns read (Parquet decodes
 * nothing else), each batch turned into tensors by {@link batchTensors}, and every batch's
 * per-row shapes checked against the first's (`SHAPE_CHANGED` names the batch that differs).
 *
 * @example
 * for await (const { tensors, rows } of readTensors('log.parquet', { target: 'label' })) {
 *   state = crossEntropyPartial(tensors.input, tensors.target, {}, state);
 * }
 */
export function readTensors(
  source: ByteSource,
  wanted: { input?: string; target?: string } & Record<string, string | undefined> = {},
  options: ReadTensorsOptions = {},
): AsyncIterable<TensorBatch> & Pick<BatchReader, 'progress' | 'close' | 'schema' | 'format'> {
  let columns: Record<string, string> = {};
  const reader = readBatchesProjected(source, {
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
