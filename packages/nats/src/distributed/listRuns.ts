import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { RUN_STREAM_PREFIX } from '../runs/runNames.js';

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
