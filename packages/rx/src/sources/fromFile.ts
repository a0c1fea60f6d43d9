import type { ReadOptions } from '@lossflow/arrow';
import { type FileSource as ByteSource, readFile as readBatches } from '@lossflow/arrow/node';
import { checkOptionKeys, LossError, optionKeys } from '@lossflow/core';
import type { RecordBatch } from 'apache-arrow';
import { defer, type Observable } from 'rxjs';
import { threadsOption } from '../threads/threadsOption.js';
import { threadsUnavailable } from '../threads/threadsUnavailable.js';
import { FileBatches } from './FileBatches.js';
import { fromBatches } from './fromBatches.js';

/** Options of {@link fromFile}: `@lossflow/arrow`'s read options, and the threads. */
export interface FromFileOptions extends ReadOptions {
  /**
   * Threads that read and compute the batches: worker threads, and this one with `inThisThread`
   * (default 0: all in this thread, with apache-arrow's reader). With one or more, the loss
   * operator (or `losses(…)`) piped right after computes in those threads, each reading its Arrow
   * IPC batches straight from the file into WebAssembly memory (Parquet row groups are decoded in
   * workers only): even one thread is several times faster than apache-arrow's reader. The
   * results are the same bits for any count, 0 included. Threads are never dropped quietly: a
   * `THREADS_UNAVAILABLE` `LossError` says when a pipeline cannot run in workers (another
   * operator first, per-row output, a custom spec, an option that cannot be sent to a thread such
   * as a distance function, a source that is not a path, no loss operator at all). Workers read
   * at offsets, so a pipe or a device path is still read, and computed, in this thread.
   */
  threads?: number;
  /**
   * Count this thread as one of the `threads` (default false): it computes batches too while the
   * workers start, and `threads: 1` then starts no worker. Its event loop waits for each batch it
   * computes, so this suits a command line, not a server.
   */
  inThisThread?: boolean;
  /**
   * Only this part of a regular file, with `threads` ≥ 1 (see `fileParts` of `@lossflow/arrow/node`):
   * Arrow IPC batches `first` ≤ i < `end`, Parquet row groups `first` ≤ g < `end`. The chunks keep
   * their batch index in the whole file and are the same bits the whole file gives for those
   * batches, so parts computed anywhere reduce, in order, to the whole file's value.
   */
  part?: { readonly first: number; readonly end: number; readonly seek?: number | undefined };
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
  part: true,
});

/**
 * Record batches of an Arrow IPC stream, Arrow IPC file or Parquet file (detected from its magic
 * bytes), read lazily per subscription and pull-driven (see {@link fromBatches}). Reading errors
 * reach the subscriber's `error`; unsubscribing closes the file. With `threads`, the loss operator
 * piped right after it runs in worker threads (see {@link FromFileOptions.threads} and
 * {@link FileBatches}). Node only (`@lossflow/rx/node`); `fromBytes` reads bytes anywhere.
 *
 * @example
 * import { crossEntropy, reduce } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 *
 * fromFile('train-log.arrow', { columns: ['epoch', 'logits', 'target'] })
 *   .pipe(crossEntropy({ ignoreIndex: -100 }), reduce('mean'))
 *   .subscribe((loss) => console.log(loss));
 * fromFile('train-log.arrow', { threads: 4 }).pipe(crossEntropy(), reduce('mean'));
 */
export function fromFile(source: string, options?: FromFileOptions): FileBatches;
export function fromFile(source: ByteSource, options?: FromFileOptions): Observable<RecordBatch>;
export function fromFile(source: ByteSource, options: FromFileOptions = {}): Observable<RecordBatch> {
  checkOptionKeys('fromFile', options, FROM_FILE_OPTION_KEYS);
  const { threads = 0, inThisThread = false, part, ...read } = options;
  const count = threadsOption(threads);
  if (part !== undefined && (count === 0 || typeof source !== 'string')) {
    throw new LossError('INVALID_OPTION', 'part needs a file path and threads ≥ 1', {
      argument: 'part',
      hint: 'Pass the path of a regular file and threads: 1 or more with part.',
    });
  }
  if (typeof source === 'string') return new FileBatches(source, count, read, inThisThread, part);
  if (count >= 1) {
    throw threadsUnavailable(
      'the source is not a file path (workers open the file themselves)',
      'Pass the path of the file',
      {
        argument: 'threads',
      },
    );
  }
  return defer(() => fromBatches(readBatches(source, read)));
}
