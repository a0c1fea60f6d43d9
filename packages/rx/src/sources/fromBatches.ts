import type { RecordBatch } from 'apache-arrow';
import { Observable } from 'rxjs';

/** An async source of batches that can be closed early (as `@lossflow/arrow`'s `BatchReader` can). */
type Closable = { close?: () => Promise<void> | void };

/**
 * Turns an async iterable of record batches into a pull-driven Observable: the next batch is
 * requested only after the previous one has passed through the synchronous operators downstream,
 * so memory holds one batch. Unsubscribing (or `take`) stops the iteration and closes the source.
 *
 * @example
 * fromBatches(readBatches('preds.parquet')).pipe(mseLoss(), reduce('mean'));
 */
export function fromBatches(source: AsyncIterable<RecordBatch> & Closable): Observable<RecordBatch> {
  return new Observable<RecordBatch>((subscriber) => {
    const iterator = source[Symbol.asyncIterator]();
    let closed = false;
    const finish = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await iterator.return?.();
      await source.close?.();
    };
    (async () => {
      try {
        while (!subscriber.closed) {
          const next = await iterator.next();
          if (next.done) break;
          if (subscriber.closed) break;
          subscriber.next(next.value);
        }
        await finish();
        subscriber.complete();
      } catch (e) {
        await finish().catch(() => undefined);
        subscriber.error(e);
      }
    })();
    return () => {
      finish().catch(() => undefined);
    };
  });
}
