/**
 * URL of the task module the worker threads of a threaded `fromFile` run (`lossTask.ts`): the
 * built JS next to this module, or in `dist/` when this module runs from source (tests).
 */
export function lossTaskUrl(): string {
  return (
    import.meta.url.endsWith('.ts')
      ? new URL('../../dist/threads/lossTask.js', import.meta.url)
      : new URL('./lossTask.js', import.meta.url)
  ).href;
}
