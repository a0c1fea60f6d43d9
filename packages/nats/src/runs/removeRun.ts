import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { holdsLiveRun, liveStreamName } from '../live/liveWire.js';
import { runNames } from './runNames.js';

/**
 * Which run {@link removeRun} removes: a live run (`publishBatches` to `subject`, id `run`), or a
 * distributed run (`lossflow eval … --nats`, id `distributed`).
 */
export type RunToRemove =
  | { readonly subject: string; readonly run: string }
  | { readonly distributed: string };

/**
 * Removes everything a run keeps on the server: a live run's stream (its batches and marker), a
 * distributed run's work-queue stream (with its consumer) and KV bucket of partial states. What is
 * already gone is skipped. `lossflow eval --nats` calls it when a run it read or coordinated is
 * finished, unless `--keep`.
 *
 * @returns whether the run's stream existed
 * @example
 * await removeRun(nc, { subject: 'train.preds', run: 'job-7' }); // a live run
 * await removeRun(nc, { distributed: 'nightly-7' }); // a distributed run
 */
export async function removeRun(nc: NatsConnection, which: RunToRemove): Promise<boolean>;
/**
 * The live run `run` of `subject`.
 *
 * @deprecated Pass `{ subject, run }`.
 */
export async function removeRun(nc: NatsConnection, subject: string, run: string): Promise<boolean>;
export async function removeRun(
  nc: NatsConnection,
  which: RunToRemove | string,
  liveRun?: string,
): Promise<boolean> {
  const run: RunToRemove = typeof which === 'string' ? { subject: which, run: liveRun ?? '' } : which;
  const jsm = await jetstreamManager(nc);
  if ('subject' in run) {
    const stream = liveStreamName(run.subject, run.run);
    // The same name may hold another subject's run (see holdsLiveRun): that one is not removed.
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (info === undefined || !holdsLiveRun(info.config.subjects, run.subject, run.run)) return false;
    return jsm.streams.delete(stream).catch(() => false);
  }
  const names = runNames(run.distributed);
  const existed = await jsm.streams.delete(names.stream).catch(() => false);
  const kv = await new Kvm(nc).open(names.bucket).catch(() => undefined);
  await kv?.destroy().catch(() => undefined);
  return existed;
}

/**
 * Removes distributed run `run` (its stream, consumer and KV bucket).
 *
 * @deprecated Use `removeRun(nc, { distributed: run })`.
 * @example
 * await removeDistributedRun(nc, 'nightly-7');
 */
export async function removeDistributedRun(nc: NatsConnection, run: string): Promise<void> {
  await removeRun(nc, { distributed: run });
}
