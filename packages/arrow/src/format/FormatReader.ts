import type { RecordBatch, Schema } from 'apache-arrow';

/**
 * One opened input of a known format, as `readBatches` drives it: the schema up front, then record
 * batches on demand. Every failure is an `ArrowReadError` that names the file (and the row group
 * where there is one); `readBatches` adds the batch index.
 */
export interface FormatReader {
  /** The schema of the batches `next` returns (after Parquet's column projection; Arrow's is done later). */
  readonly schema: Schema;
  /** The next batch, or `undefined` after the last. */
  next(): Promise<RecordBatch | undefined>;
  /** Bytes pulled from the input so far. */
  bytesRead(): number;
  close(): Promise<void>;
}
