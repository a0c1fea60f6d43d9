/**
 * `@lossflow/arrow/prestart`: the worker threads of `mapBatchesInWorkers` started ahead of time
 * (`prestartWorkers`), those left waiting ended (`endWaitingWorkers`), the thread limit and the
 * trace marks, without apache-arrow: a command line imports it before anything heavy, so the
 * threads' start-up overlaps its own module loading.
 *
 * @packageDocumentation
 */

export {
  endWaitingWorkers,
  MAX_THREADS,
  prestartWorkers,
  traceMark,
  tracing,
} from './parallel/prestartWorkers.js';
