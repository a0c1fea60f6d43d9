import { readBatches } from '@lossflow/arrow';
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/nats-core';
import type { RecordBatch } from 'apache-arrow';
import { Observable } from 'rxjs';
import { findRun } from './findRun.js';
import { LiveRunError } from './LiveRunError.js';
import { LIVE_HEADERS, LIVE_WIRE_VERSION } from './liveWire.js';

/** Options of {@link fromJetStream} (besides the connection). */
export interface LiveReadOptions {
  /** The subject runs are published under (as given to `publishBatches`). */
  readonly subject: string;
  /** The run to read; default the newest run on the subject. */
  readonly run?: string;
  /**
   * Wait for batches and the end-of-run marker of a run still being published (default true). With
   * `false` a run without its marker among the messages stored so far is an `INCOMPLETE_RUN` error.
   */
  readonly wait?: boolean;
  /**
   * Bytes of messages pulled but not yet read (default 64 MiB): the backpressure bound, counted in
   * messages of the server's `max_payload` (two pulls of half of it each, at least one message).
   */
  readonly maxBytesInFlight?: number;
  /** Read only these columns of each batch. */
  readonly columns?: readonly string[];
  /** Told which run is read, once it is found (before the first batch). */
  readonly onRun?: (run: {
    readonly run: string;
    readonly stream: string;
    readonly messages: number;
  }) => void;
  /** After each batch message: the bytes of its body. */
  readonly onMessage?: (bytes: number) => void;
}

/** Options of the universal {@link fromJetStream}: a connected `NatsConnection` and the run. */
export interface FromJetStreamOptions extends LiveReadOptions {
  readonly nc: NatsConnection;
}

/**
 * The record batches of a live run (published by `publishBatches`, or by any writer of the wire
 * format in `liveWire.ts`) from its start, completing at its end-of-run marker, so
 * `fromJetStream(…).pipe(crossEntropy(), reduce('mean'))` works as `fromFile` does. Reads through an
 * ephemeral pull consumer without acks (one reader of the whole run in order needs none; the
 * server removes the consumer a minute after its reader is gone) of at most `maxBytesInFlight`
 * pulled bytes (the backpressure: a message is pulled only as earlier ones are read). A message
 * lost between server and reader (a reconnect) is a `GAP`, never a short result. Unsubscribing
 * stops and deletes the consumer.
 *
 * Errors are {@link LiveRunError}s: `DAMAGED_MESSAGE` names the subject and stream sequence of a
 * message that is not one Arrow IPC stream; `GAP` when a batch message is missing (never a silently
 * short result); `NO_RUN`, `INCOMPLETE_RUN` (with `wait: false`), `UNSUPPORTED_VERSION`.
 *
 * @example
 * fromJetStream({ nc, subject: 'train.preds' })
 *   .pipe(crossEntropy(), reduceGroups('mean'))
 *   .subscribe((group) => console.log(group));
 */
export function fromJetStream(options: FromJetStreamOptions): Observable<RecordBatch> {
  return new Observable<RecordBatch>((subscriber) => {
    let stopped = false;
    let consumer: Consumer | undefined;
    // The pulls in flight: the one being read and the next.
    const pulls = new Set<ConsumerMessages>();
    const cleanUp = async (): Promise<void> => {
      const c = consumer;
      consumer = undefined;
      // stop(), not close(): close() waits for the iteration to end, and this may run inside it.
      for (const m of pulls) m.stop();
      pulls.clear();
      if (c !== undefined) await c.delete().catch(() => undefined);
    };

    const read = async (): Promise<void> => {
      const { nc, subject } = options;
      const jsm = await jetstreamManager(nc);
      const found = await findRun(jsm, subject, options.run);
      options.onRun?.(found);
      const on = `${subject}.${found.run}`;
      const context = { subject: on, stream: found.stream, run: found.run };
      const wait = options.wait ?? true;
      const incomplete = (): LiveRunError =>
        new LiveRunError('INCOMPLETE_RUN', `run '${found.run}' has no end-of-run marker yet`, {
          ...context,
          hint: 'The publisher is still running or was stopped before it closed the run: follow it (--follow / wait: true) to wait for the marker.',
        });
      if (!wait && found.messages === 0) throw incomplete();
      if (stopped) return;
      // Neither an ordered consumer nor consume() with a byte budget: both stalled for tens of
      // seconds with MB-sized messages (a pull whose bytes left are fewer than the next message's
      // gets a 409 that consume() sits out until two heartbeats are missed). Pulls of whole
      // messages never get that 409; two in flight keep the server sending while one is read.
      const created = await jsm.consumers.add(found.stream, {
        ack_policy: AckPolicy.None,
        deliver_policy: DeliverPolicy.All,
        filter_subject: on,
        mem_storage: true,
        inactive_threshold: nanos(60_000),
      });
      consumer = await jetstream(nc).consumers.get(found.stream, created.name);
      if (stopped) return cleanUp();
      const maxBytes = options.maxBytesInFlight ?? 64 * 1024 * 1024;
      const largest = nc.info?.max_payload ?? 1024 * 1024;
      const perPull = Math.max(1, Math.floor(maxBytes / 2 / largest));
      const c = consumer;
      const pull = async (): Promise<ConsumerMessages> => {
        const m = await c.fetch({ max_messages: perPull, expires: 5_000 });
        if (consumer === undefined) m.stop();
        else pulls.add(m);
        return m;
      };
      let next = pull();
      let expected = 0;
      while (!stopped) {
        const pulled = await next.catch((e: unknown) => {
          if (nc.isClosed()) return undefined;
          throw e;
        });
        if (stopped) return;
        if (pulled === undefined) break;
        next = pull();
        next.catch(() => undefined);
        for await (const m of pulled) {
          if (stopped) return;
          const kind = checkedKind(m, context);
          if (kind === 'end') {
            const count = headerInteger(m, LIVE_HEADERS.batches, context);
            if (count !== expected) {
              throw new LiveRunError(
                'GAP',
                `the end-of-run marker counts ${count} batch messages but ${expected} were read`,
                {
                  ...context,
                  streamSequence: m.info.streamSequence,
                  hint: 'Messages of the run were lost (removed by a stream limit or by hand): publish the run again under a new run id.',
                },
              );
            }
            await cleanUp();
            subscriber.complete();
            return;
          }
          const seq = headerInteger(m, LIVE_HEADERS.seq, context);
          // A retry published after the duplicate window is stored twice: the same sequence carries
          // the same rows, so the repeat is skipped.
          if (seq < expected) continue;
          if (seq > expected) {
            throw new LiveRunError('GAP', `batch message ${expected} is missing (the next one is ${seq})`, {
              ...context,
              streamSequence: m.info.streamSequence,
              batch: expected,
              hint: 'Messages of the run were lost (removed by a stream limit or by hand): publish the run again under a new run id.',
            });
          }
          const batches = await decode(m, options.columns, context, seq);
          expected += 1;
          options.onMessage?.(m.data.byteLength);
          for (const batch of batches) {
            if (stopped) return;
            subscriber.next(batch);
          }
          if (!wait && m.info.pending === 0) throw incomplete();
        }
        pulls.delete(pulled);
        if (nc.isClosed()) break;
      }
      if (!stopped) {
        throw new LiveRunError('INCOMPLETE_RUN', 'the connection closed before the end-of-run marker', {
          ...context,
          hint: 'Check the NATS server and the network, then read the run again.',
        });
      }
    };

    read().catch(async (e: unknown) => {
      await cleanUp();
      if (!stopped) subscriber.error(e);
    });
    return () => {
      stopped = true;
      void cleanUp();
    };
  });
}

interface MessageContext {
  readonly subject: string;
  readonly stream: string;
  readonly run: string;
}

function checkedKind(m: JsMsg, context: MessageContext): 'batch' | 'end' {
  const version = m.headers?.get(LIVE_HEADERS.version);
  const kind = m.headers?.get(LIVE_HEADERS.kind);
  if (version === undefined || version === '' || (kind !== 'batch' && kind !== 'end')) {
    throw new LiveRunError('DAMAGED_MESSAGE', 'the message lacks the lossflow live headers', {
      ...context,
      streamSequence: m.info.streamSequence,
      hint: `Publish with publishBatches or lossflow publish; other writers set ${LIVE_HEADERS.version}, ${LIVE_HEADERS.kind} and ${LIVE_HEADERS.seq} (see the @lossflow/nats README).`,
    });
  }
  if (Number(version) > LIVE_WIRE_VERSION) {
    throw new LiveRunError('UNSUPPORTED_VERSION', `the run uses live wire format ${version}`, {
      ...context,
      streamSequence: m.info.streamSequence,
      hint: `This reader knows version ${LIVE_WIRE_VERSION}: upgrade @lossflow/nats (or lossflow).`,
    });
  }
  return kind;
}

function headerInteger(m: JsMsg, name: string, context: MessageContext): number {
  const text = m.headers?.get(name) ?? '';
  const n = Number(text);
  if (text === '' || !Number.isSafeInteger(n) || n < 0) {
    throw new LiveRunError('DAMAGED_MESSAGE', `header ${name} is '${text}', not a whole number`, {
      ...context,
      streamSequence: m.info.streamSequence,
    });
  }
  return n;
}

async function decode(
  m: JsMsg,
  columns: readonly string[] | undefined,
  context: MessageContext,
  seq: number,
): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  try {
    for await (const batch of readBatches(m.data, columns === undefined ? {} : { columns })) out.push(batch);
  } catch (e) {
    throw new LiveRunError(
      'DAMAGED_MESSAGE',
      `the message is not a readable Arrow IPC stream: ${e instanceof Error ? e.message : String(e)}`,
      {
        ...context,
        streamSequence: m.info.streamSequence,
        batch: seq,
        cause: e,
        hint: 'The publisher wrote damaged bytes: publish the run again under a new run id.',
      },
    );
  }
  return out;
}
