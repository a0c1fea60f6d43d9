import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { type RecordBatch, Table, tableToIPC } from 'apache-arrow';
import { streamRemoved } from '../connect/isStreamNotFound.js';
import { LiveRunError } from './LiveRunError.js';
import { type LiveStreamLimits, liveStreamConfig } from './liveStreamConfig.js';
import {
  holdsLiveRun,
  isLiveSubject,
  isRunId,
  LIVE_HEADERS,
  LIVE_WIRE_VERSION,
  liveStreamName,
  newRunId,
  runSubject,
} from './liveWire.js';

/** Options of {@link publishBatches}. */
export interface PublishBatchesOptions {
  /** The subject runs are published under (dot-separated tokens; each run on `SUBJECT.RUN`). */
  readonly subject: string;
  /** The run id (letters, digits, `_`, `-`); default a new one from the time (see `newRunId`). */
  readonly run?: string;
  /**
   * Largest message to send, in bytes (default: the server's `max_payload`). A batch whose message
   * would be larger is split by rows into several messages.
   */
  readonly maxMessageBytes?: number;
  /** Times a publish that got no acknowledgement is retried (same message id, so stored once); default 3. */
  readonly retries?: number;
  /**
   * Batch messages sent ahead without their acknowledgement (default 8): the pipeline that keeps a
   * publish from waiting one round trip per message.
   */
  readonly window?: number;
  /** Bytes of message bodies sent ahead without their acknowledgement (default 64 MiB). */
  readonly windowBytes?: number;
  /** Called after each stored message (acknowledged by the server), in the run's order. */
  readonly onProgress?: (progress: PublishProgress) => void;
  /** Stops publishing (the run is left without its end-of-run marker). */
  readonly signal?: AbortSignal;
  /** Limits of the run's stream when this call creates it (see `liveStreamConfig`); default none. */
  readonly limits?: LiveStreamLimits;
}

/** How far a publish has got. */
export interface PublishProgress {
  /** Record batches read from the source. */
  readonly batches: number;
  /** Batch messages stored (more than `batches` when batches were split). */
  readonly messages: number;
  readonly rows: number;
  /** Bytes of message bodies stored. */
  readonly bytes: number;
}

/** A published run. */
export interface PublishedRun extends PublishProgress {
  readonly run: string;
  /** The stream that holds the run. */
  readonly stream: string;
  /** The subject its messages are on (`SUBJECT.RUN`). */
  readonly subject: string;
}

/** The default of {@link PublishBatchesOptions.window}. */
const DEFAULT_WINDOW = 8;
/** The default of {@link PublishBatchesOptions.windowBytes}. */
const DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;

/** Room left in a message for its headers and subject. */
const HEADER_ROOM = 4096;

/**
 * Publishes record batches as a live run on NATS JetStream (the wire format is in `liveWire.ts`):
 * each batch becomes one Arrow IPC stream message (split by rows when larger than the server takes),
 * with `Nats-Msg-Id` = `RUN/SEQ` so a retried publish is stored once, then an end-of-run marker that
 * counts the batch messages. Creates the run's stream when it does not exist, with the explicit
 * configuration of `liveStreamConfig` (file storage, messages up to the server's `max_payload`, a
 * one-hour duplicate window, discard new: a full stream refuses a publish rather than dropping a
 * run's messages), so publishing a run again with the same id within the hour stores no
 * duplicate. Works in any runtime: it takes a connected `NatsConnection`.
 *
 * Publishes are pipelined: up to `window` messages (8) and `windowBytes` (64 MiB) are sent ahead of
 * their acknowledgements, a publish that gets no acknowledgement is retried with its message id
 * (so the stream may store it after later ones; readers restore the order), and the end-of-run
 * marker is sent only once every batch message is stored. `onProgress` follows the
 * acknowledgements, in order.
 *
 * A run id is published once: the first message is stored only into an empty stream, and a
 * message the server reports as a duplicate of one this call did not send fails the call, so a
 * second publisher of a run (concurrent, or after the first) fails with `RUN_EXISTS` and stores
 * nothing, and the readers get one source's batches.
 *
 * @throws {LiveRunError} `RUN_EXISTS` when the run id was published before (or is being published),
 *   `INVALID_OPTION` for a subject or run id that cannot name a run,
 *   `ROW_TOO_LARGE` when one row does not fit in a message; NATS errors as nats.js throws them.
 * @example
 * const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
 * const { run } = await publishBatches(nc, batches, { subject: 'train.preds' });
 */
export async function publishBatches(
  nc: NatsConnection,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  options: PublishBatchesOptions,
): Promise<PublishedRun> {
  const { subject } = options;
  if (!isLiveSubject(subject)) {
    throw new LiveRunError('INVALID_OPTION', `'${subject}' cannot carry live runs`, {
      hint: 'A subject is dot-separated tokens of letters, digits, _ and - (no wildcards), e.g. train.preds.',
    });
  }
  const run = options.run ?? newRunId();
  if (!isRunId(run)) {
    throw new LiveRunError('INVALID_OPTION', `'${run}' cannot name a run`, {
      hint: 'A run id is 1 to 64 letters, digits, _ and -.',
    });
  }
  const stream = liveStreamName(subject, run);
  const on = runSubject(subject, run);
  const sharedStream = (subjects: readonly string[] | undefined): LiveRunError =>
    new LiveRunError(
      'INVALID_OPTION',
      `run '${run}' on '${subject}' would share the stream ${stream} with the run on ${subjects?.join(', ')}`,
      { subject, run, stream, hint: 'Give this run another id (or let the publisher choose one).' },
    );
  const jsm = await jetstreamManager(nc);
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  try {
    const info = await jsm.streams.info(stream);
    if (!holdsLiveRun(info.config.subjects, subject, run)) throw sharedStream(info.config.subjects);
  } catch (e) {
    if (e instanceof LiveRunError) throw e;
    // Another publisher of the same run id may add it at the same time: its stream is as good.
    await jsm.streams
      .add(liveStreamConfig(subject, run, maxPayload, options.limits))
      .catch(async (e: unknown) => {
        const raced = await jsm.streams.info(stream).catch(() => {
          throw e;
        });
        if (!holdsLiveRun(raced.config.subjects, subject, run)) throw sharedStream(raced.config.subjects);
      });
  }
  const js = jetstream(nc);
  const limit = Math.min(options.maxMessageBytes ?? maxPayload, maxPayload) - HEADER_ROOM;
  const retries = options.retries ?? 3;
  const maxPending = Math.max(1, options.window ?? DEFAULT_WINDOW);
  const windowBytes = Math.max(1, options.windowBytes ?? DEFAULT_WINDOW_BYTES);
  const progress = { batches: 0, messages: 0, rows: 0, bytes: 0 };
  /** Messages sent whose acknowledgement is awaited, in the order they were sent. */
  const pending: { acked: Promise<void>; rows: number; bytes: number; kind: 'batch' | 'end' }[] = [];
  let pendingBytes = 0;
  /** Messages sent: the next batch message's `Lossflow-Seq`. */
  let sent = 0;
  /** The first failure of a message in the window: it fails the run (later ones are its echoes). */
  let failed: { error: unknown } | undefined;
  /** Whether this call's first message was stored: the run is this call's to close. */
  let claimed = false;

  const send = async (
    body: Uint8Array,
    kind: 'batch' | 'end',
    seq: number,
    claim: boolean,
  ): Promise<void> => {
    const h = headers();
    h.set(LIVE_HEADERS.version, String(LIVE_WIRE_VERSION));
    h.set(LIVE_HEADERS.kind, kind);
    if (kind === 'batch') h.set(LIVE_HEADERS.seq, String(seq));
    else h.set(LIVE_HEADERS.batches, String(seq));
    const msgID = `${run}/${kind === 'batch' ? seq : 'end'}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await js.publish(on, body, {
          msgID,
          headers: h,
          // The first message claims the run: the stream takes it only while empty, so of two
          // publishers of one run id exactly one gets on; the other stores nothing.
          ...(claim ? { expect: { lastSequence: 0 } } : {}),
        });
        // A duplicate on a first attempt is a message this publisher never sent: another publisher
        // (or an earlier publish) of this run id stored it. On a retry it is our own lost ack.
        if (ack.duplicate && attempt === 0) throw runExists(subject, run);
        return;
      } catch (e) {
        if (e instanceof LiveRunError) throw e;
        if (claim && isWrongLastSequence(e)) throw runExists(subject, run, e);
        // Without its stream the subject has no listener, which nats.js reports as JetStream
        // not enabled: say what happened instead (asked only once a publish failed).
        if (await streamRemoved(jsm, stream)) {
          throw new LiveRunError(
            'RUN_REMOVED',
            `run ${run} was removed from the server (lossflow runs rm?) while it was published`,
            {
              subject,
              stream,
              run,
              cause: e,
              hint: 'Publish the run again (under a new run id); remove a live run only once its publisher has ended.',
            },
          );
        }
        if (attempt >= retries || options.signal?.aborted === true || failed !== undefined) throw e;
      }
    }
  };

  /** Waits for the oldest message in the window: stored, it counts in the progress; failed, it fails the run. */
  const settleOldest = async (): Promise<void> => {
    const oldest = pending.shift();
    if (oldest === undefined) return;
    await oldest.acked;
    if (failed !== undefined) throw failed.error;
    if (oldest.kind === 'end') return;
    progress.messages += 1;
    progress.rows += oldest.rows;
    progress.bytes += oldest.bytes;
    options.onProgress?.({ ...progress });
  };

  /**
   * Sends a message and keeps at most `window` messages (and `windowBytes` of them) unacknowledged:
   * a publish does not wait for the ones before it, so the run streams at the server's pace rather
   * than one round trip per message. A retried message may land after later ones; readers put
   * the run back in order by `Lossflow-Seq`. The first message is sent alone (it claims the run).
   */
  const enqueue = async (body: Uint8Array, kind: 'batch' | 'end', rows: number): Promise<void> => {
    while (
      pending.length > 0 &&
      (pending.length >= maxPending || pendingBytes + body.byteLength > windowBytes)
    ) {
      await settleOldest();
    }
    if (failed !== undefined) throw failed.error;
    const claim = sent === 0;
    const bytes = body.byteLength;
    const acked = send(body, kind, sent, claim).then(
      () => {
        pendingBytes -= bytes;
      },
      (e: unknown) => {
        pendingBytes -= bytes;
        failed ??= { error: e };
      },
    );
    if (kind === 'batch') sent += 1;
    pendingBytes += bytes;
    pending.push({ acked, rows, bytes, kind });
    if (claim) {
      await settleOldest();
      claimed = true;
    }
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) await settleOldest();
  };

  const publishOne = async (batch: RecordBatch): Promise<void> => {
    const body = tableToIPC(new Table([batch]), 'stream');
    if (body.byteLength > limit && batch.numRows > 1) {
      // Halving keeps parts near the limit without knowing the bytes per row of every column.
      const half = Math.ceil(batch.numRows / 2);
      await publishOne(batch.slice(0, half));
      await publishOne(batch.slice(half));
      return;
    }
    if (body.byteLength > limit) {
      throw new LiveRunError(
        'ROW_TOO_LARGE',
        `one row takes ${body.byteLength} bytes as a message, more than the ${limit + HEADER_ROOM} bytes the server takes`,
        {
          subject: on,
          run,
          batch: sent,
          hint: 'Raise max_payload in the server configuration.',
        },
      );
    }
    await enqueue(body, 'batch', batch.numRows);
  };

  try {
    for await (const batch of batches) {
      options.signal?.throwIfAborted();
      progress.batches += 1;
      await publishOne(batch);
    }
    options.signal?.throwIfAborted();
    // Every batch message is stored before the marker is sent: a reader that sees the marker has
    // the whole run behind it.
    await drain();
    options.signal?.throwIfAborted();
    await enqueue(new Uint8Array(0), 'end', 0);
    await drain();
  } catch (e) {
    await Promise.allSettled(pending.map((p) => p.acked));
    // A run this call claimed is closed with a failure marker, so its readers fail with the
    // reason instead of waiting for an end that never comes (best effort: the server may be gone).
    if (claimed && !(e instanceof LiveRunError && (e.code === 'RUN_REMOVED' || e.code === 'RUN_EXISTS'))) {
      const h = headers();
      h.set(LIVE_HEADERS.version, String(LIVE_WIRE_VERSION));
      h.set(LIVE_HEADERS.kind, 'failed');
      const reason = new TextEncoder().encode(failureReason(e));
      await js.publish(on, reason, { msgID: `${run}/end`, headers: h }).catch(() => undefined);
    }
    throw e;
  } finally {
    // On a failure, the messages still in flight settle before the call returns: nothing of this
    // call is sent after it.
    await Promise.allSettled(pending.map((p) => p.acked));
  }
  return { run, stream, subject: on, ...progress };
}

function runExists(subject: string, run: string, cause?: unknown): LiveRunError {
  return new LiveRunError('RUN_EXISTS', `run '${run}' of '${subject}' was already published`, {
    subject: runSubject(subject, run),
    run,
    hint: 'Publish under a new run id (--run); a run is removed once read by `lossflow eval --subject` without --keep.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The server refused the claiming publish because the run's stream already holds messages. */
function isWrongLastSequence(e: unknown): boolean {
  return (
    e instanceof Error && ((e as { code?: unknown }).code === 10071 || /wrong last sequence/i.test(e.message))
  );
}

/** A failure's reason as the failure marker carries it: at most 2,000 characters. */
function failureReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 2_000);
}
