import type { RecordBatch } from 'apache-arrow';

/** The file each record batch `fromFile` read in this thread came from (batches are not copied, so the entry lives as long as the batch). */
const origins = new WeakMap<RecordBatch, string>();

/**
 * Records that `fromFile` read `batch` from the file `path`, so a loss operator can name the file
 * in its errors (a batch index alone does not say which file of several).
 */
export function setBatchOrigin(batch: RecordBatch, path: string): void {
  origins.set(batch, path);
}

/** The file `batch` was read from by `fromFile`, or `undefined` for batches from elsewhere. */
export function batchOrigin(batch: RecordBatch): string | undefined {
  return origins.get(batch);
}
