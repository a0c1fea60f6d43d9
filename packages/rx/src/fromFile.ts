import { type ByteSource, type ReadOptions, readBatches } from '@lossflow/arrow';
import type { RecordBatch } from 'apache-arrow';
import { defer, type Observable } from 'rxjs';
import { fromBatches } from './fromBatches.js';

/**
 * Record batches of an Arrow IPC stream, Arrow IPC file or Parquet file (detected from its magic
 * bytes), read lazily per subscription and pull-driven (see {@link fromBatches}). Reading errors
 * reach the subscriber's `error`; unsubscribing closes the file.
 *
 * @example
 * fromFile('train-log.arrow', { columns: ['epoch', 'logits', 'target'] })
 *   .pipe(crossEntropy({ ignoreIndex: -100 }), reduce('mean'))
 *   .subscribe((loss) => console.log(loss));
 */
export function fromFile(source: ByteSource, options: ReadOptions = {}): Observable<RecordBatch> {
  return defer(() => fromBatches(readBatches(source, options)));
}
