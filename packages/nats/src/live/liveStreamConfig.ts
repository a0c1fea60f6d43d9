import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { liveStreamName, runSubject } from './liveWire.js';

/** How long a live run's stream remembers message ids: a publish retried, or a job restarted, within it stores nothing twice. */
export const LIVE_DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

/** Limits of a live run's stream (see {@link liveStreamConfig}); absent ones are unlimited. */
export interface LiveStreamLimits {
  /**
   * Remove the run's messages this long after they were stored (a whole run older than this is
   * gone). Default: kept until the run is read to its end (`lossflow eval` removes it) or removed.
   */
  readonly maxAgeMs?: number;
  /** Bytes the run's stream may hold: past it, publishing fails (`maximum bytes exceeded`); nothing stored is dropped. */
  readonly maxBytes?: number;
}

/**
 * The stream a live run is published to, configured explicitly rather than by the server's
 * defaults: file storage (a run survives a server restart); one stream per run (its subject
 * `SUBJECT.RUN` only); a duplicate window of {@link LIVE_DUPLICATE_WINDOW_MS} (an hour of publish
 * retries and job restarts with the same run id and `Nats-Msg-Id`s); messages up to the server's
 * `max_payload` (what `publishBatches` cuts batches to); limits-based retention with discard
 * **new**, so a full stream (`maxBytes`) refuses the next publish, with an error the publisher
 * sees, instead of dropping the oldest messages of a run being read; no message-count limit. With
 * `maxAgeMs` the oldest messages do expire: a reader then finds the run's first sequences missing
 * and fails with `GAP`, never a value over part of the run.
 *
 * @example
 * await jsm.streams.add(liveStreamConfig('train.preds', 'job-7', nc.info!.max_payload));
 */
export function liveStreamConfig(
  subject: string,
  run: string,
  maxPayload: number,
  limits: LiveStreamLimits = {},
): Partial<StreamConfig> & { name: string } {
  return {
    name: liveStreamName(subject, run),
    subjects: [runSubject(subject, run)],
    description: `lossflow live run ${run} on ${subject}`,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(LIVE_DUPLICATE_WINDOW_MS),
    max_msg_size: maxPayload,
    max_msgs: -1,
    max_bytes: limits.maxBytes ?? -1,
    max_age: limits.maxAgeMs === undefined ? 0 : nanos(limits.maxAgeMs),
    num_replicas: 1,
  };
}
