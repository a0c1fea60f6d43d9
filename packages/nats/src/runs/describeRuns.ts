import { jetstreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { LIVE_HEADERS } from '../live/liveWire.js';
import { runFailure } from './failRun.js';
import { bucketStream, openBucket } from './openBucket.js';
import { RUN_STREAM_PREFIX, runNames } from './runNames.js';
import { runPlanItems } from './runPlan.js';

/** Prefix of every live run's stream (see `liveStreamName`). */
const LIVE_STREAM_PREFIX = 'LOSSFLOW_LIVE_';

/** A distributed run (`lossflow eval FILES… --nats`) on the server, as {@link describeRuns} finds it. */
export interface DistributedRunInfo {
  readonly kind: 'distributed';
  readonly run: string;
  /** When its work-queue stream was created (ISO 8601). */
  readonly created: string;
  /** Items of its plan; null while no coordinator has recorded a plan. */
  readonly items: number | null;
  /** Items whose partial states are stored. */
  readonly itemsDone: number;
  /** Items that failed on their last delivery. */
  readonly itemsFailed: number;
  /**
   * Ended: every item of its plan is stored (a run kept with `--keep`, or whose coordinator went
   * away at the end), or it failed.
   */
  readonly finished: boolean;
  /**
   * Its coordinator failed (an item, the merge, or its work on the merged states; see `failRun`):
   * no result came of it, even when every item is stored.
   */
  readonly failed: boolean;
}

/** A live run (`publishBatches`, `lossflow publish`) on the server, as {@link describeRuns} finds it. */
export interface LiveRunInfo {
  readonly kind: 'live';
  readonly run: string;
  /** The subject it is published under (its messages are on `SUBJECT.RUN`). */
  readonly subject: string;
  /** When its stream was created (ISO 8601). */
  readonly created: string;
  /** Messages stored (batch messages and, once finished, the end-of-run marker). */
  readonly messages: number;
  readonly bytes: number;
  /** Its end-of-run marker is stored: the publisher closed it (ended, or failed). */
  readonly finished: boolean;
  /** Its publisher closed it with a failure marker (`publishBatches` failed part-way). */
  readonly failed: boolean;
}

/** A run on the server: see {@link DistributedRunInfo} and {@link LiveRunInfo}. */
export type RunInfo = DistributedRunInfo | LiveRunInfo;

/**
 * Every lossflow run the server keeps, distributed and live, oldest first: what `lossflow runs`
 * lists. A run being removed while it is looked at is left out.
 *
 * @example
 * for (const r of await describeRuns(nc)) console.log(r.kind, r.run, r.finished);
 */
export async function describeRuns(nc: NatsConnection): Promise<RunInfo[]> {
  const jsm = await jetstreamManager(nc);
  const streams: StreamInfo[] = [];
  for await (const info of jsm.streams.list()) streams.push(info);
  const runs: RunInfo[] = [];
  for (const info of streams) {
    const name = info.config.name;
    if (name.startsWith(RUN_STREAM_PREFIX)) {
      const run = name.slice(RUN_STREAM_PREFIX.length);
      const { bucket } = runNames(run);
      // Read only a bucket listed with the run and holding something: one made since the listing
      // counts nothing yet, an empty one has nothing to read (and a direct get of a bucket removed
      // since the listing waits for its timeout).
      const listed = streams.find((s) => s.config.name === bucketStream(bucket));
      const kv =
        listed === undefined || listed.state.messages === 0
          ? undefined
          : await openBucket(nc, bucket, listed.config).catch(() => undefined);
      const items = kv === undefined ? null : await runPlanItems(kv).catch(() => null);
      // A bucket being removed (or never made) counts nothing.
      const itemsDone = kv === undefined ? 0 : await countKeys(kv, 'state.>').catch(() => 0);
      const itemsFailed = kv === undefined ? 0 : await countKeys(kv, 'failed.>').catch(() => 0);
      const failed = kv === undefined ? false : (await runFailure(kv).catch(() => undefined)) !== undefined;
      runs.push({
        kind: 'distributed',
        run,
        created: info.created,
        items,
        itemsDone,
        itemsFailed,
        finished: failed || (items !== null && itemsDone >= items),
        failed,
      });
    } else if (name.startsWith(LIVE_STREAM_PREFIX)) {
      // Its one subject is `SUBJECT.RUN` (a run id has no dots).
      const subject = info.config.subjects?.[0];
      const dot = subject?.lastIndexOf('.') ?? -1;
      if (subject === undefined || dot < 0) continue;
      const last =
        info.state.messages === 0
          ? null
          : await jsm.streams.getMessage(name, { seq: info.state.last_seq }).catch(() => null);
      runs.push({
        kind: 'live',
        run: subject.slice(dot + 1),
        subject: subject.slice(0, dot),
        created: info.created,
        messages: info.state.messages,
        bytes: info.state.bytes,
        // Ended, or closed by its publisher's failure marker: nothing more will come.
        finished: ['end', 'failed'].includes(last?.header.get(LIVE_HEADERS.kind) ?? ''),
        failed: last?.header.get(LIVE_HEADERS.kind) === 'failed',
      });
    }
  }
  return runs.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

async function countKeys(kv: KV, filter: string): Promise<number> {
  let n = 0;
  for await (const _ of await kv.keys(filter)) n++;
  return n;
}
