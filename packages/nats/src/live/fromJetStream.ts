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
import { isStreamNotFound, streamRemoved } from '../connect/isStreamNotFound.js';
import { findRun } from './findRun.js';
import { LiveRunError } from './LiveRunError.js';
import { LIVE_HEADERS, LIVE_WIRE_VERSION } from './liveWire.js';
import { presizeMessageBuffers } from './presizeMessageBuffers.js';
import { RunOrder } from './RunOrder.js';

/** The default of {@link LiveReadOptions.maxBytesInFlight}. */
const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * 1024 * 1024;
/** Pulls in flight when the budget allows: one being read, the rest keep the server sending. */
const PULLS_IN_FLIGHT = 4;
/** Room for a message's subject and reply beside its `max_payload` bytes, in a pull's byte budget. */
const DELIVERY_ROOM = 4096;
/** The default of {@link LiveReadOptions.resumeAttempts}. */
const RESUME_ATTEMPTS = 10;
/** The first wait before making the consumer again (doubling, at most 5 s). */
const RESUME_DELAY_MS = 250;
/** How much longer a read waits for a dropped connection to come back before trying anyway. */
const RECONNECT_WAIT_MS = 5_000;

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
   * Bytes of messages pulled but not yet read (default 64 MiB): the backpressure bound (up to four
   * pulls of a quarter of it each; at least one pull of the server's `max_payload`, so every message
   * fits). Batch messages stored out of order (a publisher's retry) wait for their turn within it.
   */
  readonly maxBytesInFlight?: number;
  /**
   * Times in a row the read makes its consumer again after losing the server (a restart, a dropped
   * connection) before it fails with `INCOMPLETE_RUN` (default 10, waiting 0.25 s doubling to 5 s
   * between them); a message read resets the count.
   */
  readonly resumeAttempts?: number;
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
 * pulled bytes (the backpressure: a message is pulled only as earlier ones are read). Batches come
 * out in the run's order (`Lossflow-Seq`) even when a publisher's retry stored one late. When the
 * server restarts or the connection drops, the read goes on from the message after the last one
 * it took, on a new consumer (`resumeAttempts` in a row, then `INCOMPLETE_RUN`). A message lost
 * for good is a `GAP`, never a short result. Unsubscribing stops and deletes the consumer.
 * Large messages are gathered into buffers of their final size on `nc` (see
 * `presizeMessageBuffers`: the connection keeps that for its other subscriptions too; the bytes
 * they get are unchanged).
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
    // The pulls in flight: the one being read and those queued behind it.
    const inFlight = new Set<ConsumerMessages>();
    // Set when the connection drops: fetch() pauses through a disconnect (its heartbeat check
    // too), so the pulls are stopped and the read makes a new consumer, a bounded number of times.
    let lost = false;
    // Told when the connection is back after a drop: a consumer is made again then, not while
    // its request would only wait out a timeout.
    let reconnected: (() => void) | undefined;
    let disconnected = false;
    const statuses = options.nc.status();
    void (async () => {
      for await (const s of statuses) {
        if (s.type === 'reconnect') {
          disconnected = false;
          reconnected?.();
        }
        if (s.type !== 'disconnect') continue;
        disconnected = true;
        lost = true;
        for (const m of inFlight) m.stop();
      }
    })().catch(() => undefined);
    const dropConsumer = async (): Promise<void> => {
      const c = consumer;
      consumer = undefined;
      // stop(), not close(): close() waits for the iteration to end, and this may run inside it.
      for (const m of inFlight) m.stop();
      inFlight.clear();
      // Not awaited while disconnected (the request would wait out its timeout); the server
      // removes a consumer left behind after a minute without its reader.
      const deleted = c?.delete().catch(() => undefined);
      if (!disconnected) await deleted;
    };
    const cleanUp = async (): Promise<void> => {
      (statuses as { stop?: () => void }).stop?.();
      await dropConsumer();
    };

    const read = async (): Promise<void> => {
      const { nc, subject } = options;
      presizeMessageBuffers(nc);
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
      const maxBytes = options.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT;
      const largest = nc.info?.max_payload ?? 1024 * 1024;
      const pulls = pullPlan(maxBytes, largest);
      const order = new RunOrder<JsMsg>(context, maxBytes);
      // The stream sequence of the last message taken from the server: a consumer made after a
      // server restart starts after it.
      let last = 0;
      let failures = 0;
      const attempts = options.resumeAttempts ?? RESUME_ATTEMPTS;
      for (;;) {
        lost = false;
        try {
          const created = await jsm.consumers.add(found.stream, {
            ack_policy: AckPolicy.None,
            ...(last === 0
              ? { deliver_policy: DeliverPolicy.All }
              : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last + 1 }),
            filter_subject: on,
            mem_storage: true,
            inactive_threshold: nanos(60_000),
          });
          consumer = await jetstream(nc).consumers.get(found.stream, created.name);
          if (stopped) return cleanUp();
          const c = consumer;
          // Pulls of a byte budget each (whole messages: a pull ends with a 409 before the first
          // message that does not fit, which fetch() reports as an error, taken here as its end), a
          // few in flight so the server sends on while one is read. Not consume(): it pulls as
          // messages arrive, not as they are read, so it has no backpressure, and with a byte
          // budget it sat out that 409 until two heartbeats were missed.
          const pull = async (): Promise<ConsumerMessages> => {
            const m = await c.fetch({ max_bytes: pulls.bytes, expires: 5_000 });
            if (consumer === undefined || lost) m.stop();
            else inFlight.add(m);
            return m;
          };
          const queue: Promise<ConsumerMessages>[] = [];
          for (let i = 0; i < pulls.count; i++) queue.push(quiet(pull()));
          while (!stopped) {
            const pulled = await (queue.shift() as Promise<ConsumerMessages>);
            if (stopped) return;
            try {
              for await (const m of pulled) {
                if (stopped) return;
                last = m.info.streamSequence;
                failures = 0;
                const kind = checkedKind(m, context);
                if (kind === 'end') {
                  order.end(headerInteger(m, LIVE_HEADERS.batches, context), m.info.streamSequence);
                  await cleanUp();
                  subscriber.complete();
                  return;
                }
                const seq = headerInteger(m, LIVE_HEADERS.seq, context);
                for (const ready of order.take(m, seq)) {
                  const batches = await decode(ready.message, options.columns, context, ready.seq);
                  options.onMessage?.(ready.message.data.byteLength);
                  for (const batch of batches) {
                    if (stopped) return;
                    subscriber.next(batch);
                  }
                }
                if (!wait && m.info.pending === 0) throw incomplete();
              }
            } catch (e) {
              if (!isPullFull(e)) throw e;
            }
            if (lost) throw new Error('the connection to the server dropped');
            inFlight.delete(pulled);
            queue.push(quiet(pull()));
          }
          return;
        } catch (e) {
          if (stopped || e instanceof LiveRunError) throw e;
          // A removed run never comes back: no retries, and no claim that it is kept.
          if (isStreamNotFound(e) || (!nc.isClosed() && (await streamRemoved(jsm, found.stream)))) {
            throw new LiveRunError(
              'RUN_REMOVED',
              'the run was removed from the server (lossflow runs rm?) before its end-of-run marker was read',
              {
                ...context,
                ...(last === 0 ? {} : { streamSequence: last }),
                cause: e,
                hint: 'Publish the run again to read it; remove a live run only once its readers are done.',
              },
            );
          }
          if (nc.isClosed()) {
            throw new LiveRunError('INCOMPLETE_RUN', 'the connection closed before the end-of-run marker', {
              ...context,
              cause: e,
              hint: 'Check the NATS server and the network, then read the run again.',
            });
          }
          // The server restarted or the connection dropped: its consumer (in memory) is gone or
          // stale. Go on from the message after the last one read, on a new consumer.
          failures += 1;
          if (failures > attempts) {
            throw new LiveRunError(
              'INCOMPLETE_RUN',
              `lost the server ${failures} times in a row before the end-of-run marker (last: ${e instanceof Error ? e.message : String(e)})`,
              {
                ...context,
                ...(last === 0 ? {} : { streamSequence: last }),
                cause: e,
                hint: 'Check that the NATS server is up and reachable, then read the run again (it is kept in the stream).',
              },
            );
          }
          await dropConsumer();
          const delay = Math.min(RESUME_DELAY_MS * 2 ** (failures - 1), 5_000);
          await new Promise<void>((resolve) => {
            // While disconnected, up to the connection's own reconnect wait more.
            const timer = setTimeout(resolve, disconnected ? delay + RECONNECT_WAIT_MS : delay);
            if (disconnected) {
              reconnected = () => {
                clearTimeout(timer);
                resolve();
              };
            }
          });
          reconnected = undefined;
          if (stopped) return;
        }
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

/** How a read pulls: `count` pulls in flight of `bytes` each. */
export function pullPlan(maxBytesInFlight: number, maxPayload: number): { count: number; bytes: number } {
  const smallest = maxPayload + DELIVERY_ROOM;
  const bytes = Math.max(smallest, Math.floor(maxBytesInFlight / PULLS_IN_FLIGHT));
  return { count: Math.max(1, Math.min(PULLS_IN_FLIGHT, Math.floor(maxBytesInFlight / bytes))), bytes };
}

/** A pull that ended because its next message would pass its byte budget: the pull is done, not failed. */
function isPullFull(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e as { code?: unknown }).code === 409 &&
    /message size exceeds max ?bytes/i.test(e.message)
  );
}

/** `p`, with its rejection also handled where it waits (it is awaited later, or never if the read ends first). */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Where a message is, for errors. */
export interface MessageContext {
  readonly subject: string;
  readonly stream: string;
  readonly run: string;
}

function checkedKind(m: JsMsg, context: MessageContext): 'batch' | 'end' {
  const version = m.headers?.get(LIVE_HEADERS.version);
  const kind = m.headers?.get(LIVE_HEADERS.kind);
  if (kind === 'failed') {
    throw new LiveRunError(
      'PUBLISHER_FAILED',
      `the publisher failed before the end of the run: ${new TextDecoder().decode(m.data) || 'no reason given'}`,
      {
        ...context,
        streamSequence: m.info.streamSequence,
        hint: 'Fix what the publisher reported and publish the run again (under a new run id).',
      },
    );
  }
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
