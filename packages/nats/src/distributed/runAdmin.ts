import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { RUN_STREAM_PREFIX, runNames } from './runNames.js';

/**
 * The ids of the runs whose work-queue stream is on the server: running, interrupted, or finished
 * with `keep`.
 *
 * @example
 * for (const run of await listRuns(nc)) console.log(run);
 */
export async function listRuns(nc: NatsConnection): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const runs: string[] = [];
  for await (const name of jsm.streams.names()) {
    if (name.startsWith(RUN_STREAM_PREFIX)) runs.push(name.slice(RUN_STREAM_PREFIX.length));
  }
  return runs.sort();
}

/**
 * Removes run `run`'s stream (with its consumer) and KV bucket, as a finished run without `keep`
 * does; whatever is already gone is skipped.
 *
 * @example
 * await removeRun(nc, 'nightly-7');
 */
export async function removeRun(nc: NatsConnection, run: string): Promise<void> {
  const names = runNames(run);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(names.stream).catch(() => undefined);
  const kv = await new Kvm(nc).open(names.bucket).catch(() => undefined);
  await kv?.destroy().catch(() => undefined);
}
