import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { liveStreamName } from './liveWire.js';

/**
 * Removes a run's stream (its batches and marker). `lossflow eval --nats` calls it once it has
 * printed the final result of a run it read to its end-of-run marker, unless `--keep`.
 *
 * @returns whether the stream existed
 */
export async function removeRun(nc: NatsConnection, subject: string, run: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  try {
    return await jsm.streams.delete(liveStreamName(subject, run));
  } catch {
    return false;
  }
}
