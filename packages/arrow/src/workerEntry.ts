/**
 * The URL of the package's one worker thread entry (`batchWorker.ts`): built JS next to this
 * module, or in `dist/` when this module runs from source. Kept in a module at the package's top
 * level, so a bundle that inlines it next to its copy of `batchWorker.js` still finds it.
 *
 * @example
 * new Worker(workerEntryUrl(), { workerData });
 */
export function workerEntryUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../dist/batchWorker.js', import.meta.url)
    : new URL('./batchWorker.js', import.meta.url);
}
