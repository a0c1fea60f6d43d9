/**
 * How many times a task runs on one batch whose region memory growth keeps detaching, before the
 * error (or the value) of the last run stands.
 */
const ATTEMPTS = 8;

/**
 * Runs a worker task on a batch's IO region (`WorkerTaskModule.memory`), again while the region was
 * detached under it: a WebAssembly memory that grows while the task runs (a kernel's scratch, many
 * groups) detaches every view of its old buffer but keeps their bytes and offsets. The task then
 * either throws on a view it builds (a `TypeError` such as "Cannot perform Construct on a detached
 * ArrayBuffer") or returns having read through one; either way `again` takes the region afresh
 * (the same bytes over the grown memory, no read or fill) and the task runs once more. An error
 * with the region intact is the task's own and is thrown at once.
 *
 * @param io The region, filled with the batch (`bytes` long).
 * @param again The region taken again after growth (`memory(bytes)`), with the same contents.
 * @returns The task's value and the region as it is now: the view to go on with.
 *
 * @example
 * const { value, io: region } = regionRun(io, plan.ioBytes, () => memory(plan.ioBytes)!, (view) =>
 *   run(new IoRegionBatch(view, plan, names, layouts)),
 * );
 */
export function regionRun<T>(
  io: Uint8Array,
  bytes: number,
  again: () => Uint8Array,
  run: (io: Uint8Array) => T,
): { value: T; io: Uint8Array } {
  let region = io;
  for (let attempt = 1; ; attempt++) {
    let value: T;
    try {
      value = run(region);
    } catch (e) {
      if (!detached(region, bytes) || attempt === ATTEMPTS) throw e;
      region = again();
      continue;
    }
    if (!detached(region, bytes) || attempt === ATTEMPTS) return { value, io: region };
    region = again();
  }
}

/** A view of a transferred or outgrown buffer reads as empty. */
function detached(io: Uint8Array, bytes: number): boolean {
  return bytes > 0 && io.byteLength === 0;
}
