import { prestartWorkers } from '@lossflow/arrow/prestart';
import { lossTaskUrl } from './lossTaskUrl.js';

/**
 * Starts `count` worker threads for the next threaded `fromFile` now, each already loading the
 * loss code, so their start-up overlaps whatever this thread loads next (a command line that
 * imports RxJS and apache-arrow only after this). Imported from `@lossflow/rx/prestart`, which
 * loads neither.
 *
 * @example
 * import { prestartLossWorkers } from '@lossflow/rx/prestart';
 * prestartLossWorkers(availableParallelism());
 * const { fromFile } = await import('@lossflow/rx/node');
 * const { crossEntropy, reduce } = await import('@lossflow/rx');
 */
export function prestartLossWorkers(count: number): void {
  prestartWorkers(count, [lossTaskUrl()]);
}
