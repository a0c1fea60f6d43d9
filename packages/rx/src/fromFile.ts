import type { ReadOptions } from '@lossflow/arrow';
import { type FileSource as ByteSource, readFile as readBatches } from '@lossflow/arrow/node';
import { checkOptionKeys, optionKeys } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { defer, type Observable, tap } from 'rxjs';
import { setBatchOrigin } from './batchOrigin.js';
import { fromBatches } from './fromBatches.js';
import { ThreadedBatches } from './threadedLosses.js';
import { threadsOption } from './threadsOption.js';

/** Options of {@link fromFile}: `@lossflow/arrow`'s read options, and the threads. */
export interface FromFileOptions extends ReadOptions {
  /**
   * Threads that read and compute the batches: worker threads, and this one with `inThisThread`
   * (default 0: all in this thread, with apache-arrow's reader). With one or more, the loss
   * operators (or `losses`) piped right after compute in those threads, each reading its Arrow
   * IPC batches straight from the file into WebAssembly memory (Parquet row groups are decoded in
   * workers only): even one thread is several times faster than apache-arrow's reader. The
   * results are the same bits for any count, 0 included. Only for a file path; other sources,
   * per-row output, custom specs and options that cannot be sent to a thread (a distance
   * function) are read and computed in this thread.
   */
  threads?: number;
  /**
   * Count this thread as one of the `threads` (default false): it computes batches too while the
   * workers start, and `threads: 1` then starts no worker. Its event loop waits for each batch it
   * computes, so this suits a command line, not a server.
   */
  inThisThread?: boolean;
}

/** Every option of {@link fromFile} (a typo such as `thread` is an error, not one thread). */
const FROM_FILE_OPTION_KEYS = optionKeys<FromFileOptions>({
  columns: true,
  limit: true,
  signal: true,
  onProgress: true,
  reuseBuffers: true,
  allowMissingEndOfStream: true,
  threads: true,
  inThisThread: true,
});

/**
 * Record batches of an Arrow IPC stream, Arrow IPC file or Parquet file (detected from its magic
 * bytes), read lazily per subscription and pull-driven (see {@link fromBatches}). Reading errors
 * reach the subscriber's `error`; unsubscribing closes the file. With `threads`, loss operators
 * piped right after it run in worker threads (see {@link FromFileOptions.threads}).
 *
 * @example
 * fromFile('train-log.arrow', { columns: ['epoch', 'logits', 'target'] })
 *   .pipe(crossEntropy({ ignoreIndex: -100 }), reduce('mean'))
 *   .subscribe((loss) => console.log(loss));
 */
export function fromFile(source: ByteSource, options: FromFileOptions = {}): Observable<RecordBatch> {
  checkOptionKeys('fromFile', options, FROM_FILE_OPTION_KEYS);
  const { threads = 0, inThisThread = false, ...read } = options;
  const count = threadsOption(threads);
  if (count >= 1 && typeof source === 'string') return new ThreadedBatches(source, count, read, inThisThread);
  const batches = defer(() => fromBatches(readBatches(source, read)));
  return typeof source === 'string' ? batches.pipe(tap((b) => setBatchOrigin(b, source))) : batches;
}
