import { jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { openBucket } from './openBucket.js';
import { removeRun } from './removeRun.js';
import { runNames } from './runNames.js';

/**
 * The key of a distributed run's KV bucket that says the run failed (and why): a kept run whose
 * items were all computed but whose merge failed is not finished, and `lossflow runs` must not say
 * it is. Not of the form of an item's keys (`state.…`, `failed.…`), so a merge never reads it.
 */
export const RUN_FAILED_KEY = 'run.failed';

/**
 * Ends distributed run `run` after it failed (in its items, in the merge or after it, in its
 * coordinator's own work on the merged states): removed unless `keep`, as a finished run is; kept,
 * it is marked failed with `reason` (see {@link runFailure}), which `describeRuns` reports. What is
 * already gone is skipped.
 *
 * @example
 * await failRun(nc, 'nightly-7', { keep: false, reason: 'its coordinator failed' });
 */
export async function failRun(
  nc: NatsConnection,
  run: string,
  options: { readonly keep: boolean; readonly reason: string },
): Promise<void> {
  if (!options.keep) {
    await removeRun(nc, { distributed: run });
    return;
  }
  const names = runNames(run);
  // A removed run has no bucket to mark: this throws.
  const kv = await openBucket(nc, names.bucket);
  await kv.put(RUN_FAILED_KEY, new TextEncoder().encode(options.reason));
  // Its items left are of no use now: workers stop being handed them, up to their delivery limit
  // each. The stream keeps them: a resumed run (`--run`) adds the consumer again.
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(names.stream, names.consumer).catch(() => undefined);
}

/** Why a kept run failed, as {@link failRun} marked it; undefined for a run not marked failed. */
export async function runFailure(kv: KV): Promise<string | undefined> {
  const entry = await kv.get(RUN_FAILED_KEY);
  // A resumed run deletes the mark (see `clearRunFailure`): a delete marker is no failure.
  return entry === null || entry.operation !== 'PUT' ? undefined : new TextDecoder().decode(entry.value);
}

/** Removes the failure mark of a run started again (`--run` of a kept failed run): it may finish now. */
export async function clearRunFailure(kv: KV): Promise<void> {
  if ((await runFailure(kv)) !== undefined) await kv.delete(RUN_FAILED_KEY);
}
