import type { PassChunks } from '@lossflow/rx';
import {
  type Consumer,
  type ConsumerInfo,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { millis, type NatsConnection, TimeoutError } from '@nats-io/nats-core';
import { isStreamNotFound, streamRemoved } from '../connect/isStreamNotFound.js';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import { bucketStream, openBucket } from '../runs/openBucket.js';
import {
  RUN_ITEMS_WILDCARD,
  type RunNames,
  runNames,
  WORKERS_PING_SUBJECT,
  WORKERS_WAKE_SUBJECT,
} from '../runs/runNames.js';
import { encodeChunks } from './chunkCodec.js';
import { failedDeliveries, recordDelivery } from './deliveryRecords.js';
import { storeItemState } from './itemState.js';
import { encodeRunError, type RunErrorReport } from './runErrorReport.js';
import { readRunNonce } from './runNonce.js';
import { sleep } from './sleep.js';
import { failureKey, stateKey, type WorkItem } from './WorkItem.js';

/** What a worker does, told to its caller (for its log). */
export type WorkerEvent =
  | { readonly type: 'item'; readonly item: WorkItem; readonly delivery: number }
  | { readonly type: 'stored'; readonly item: WorkItem; readonly duplicate: boolean }
  | { readonly type: 'failed'; readonly item: WorkItem; readonly error: unknown; readonly final: boolean }
  | { readonly type: 'released'; readonly item: WorkItem }
  /**
   * The server went away or timed out while the item was stored, acknowledged or failed: given
   * back (redelivered).
   */
  | { readonly type: 'lost'; readonly item: WorkItem; readonly error: unknown }
  /** The item's run ended (removed, or replaced by a new run of the same id): dropped. */
  | { readonly type: 'dropped'; readonly item: WorkItem; readonly reason: string };

/** Options of {@link serveWorkItems}. */
export interface ServeOptions {
  /**
   * Computes an item's chunks: per batch, one per loss and one per metric (`lossesAndMetrics` of
   * `@lossflow/rx`), in batch order. Aborted when the worker stops.
   */
  readonly compute: (item: WorkItem, signal: AbortSignal) => Promise<PassChunks[]>;
  /** Stops the worker: the item in hand is released (nak) for another worker, then it returns. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: WorkerEvent) => void;
  /**
   * Tells an error about the run itself (its options against its files' columns: a column a file
   * lacks, an option its data rules out), which every delivery of every item meets alike, from an
   * error of the item (its bytes, its values): for the former, what the coordinator is to say. The
   * item then fails for good on this delivery and the coordinator fails the run at once with that
   * report (a {@link DistributedRunError} `RUN_ERROR`), instead of redelivering the item to its
   * delivery limit and naming it as if it were damaged. Undefined (the default): every error is
   * the item's.
   */
  readonly runError?: (error: unknown, item: WorkItem) => RunErrorReport | undefined;
  /**
   * Testing only: called after an item's states are stored and before it is acknowledged (the
   * fault tests stall a worker there and kill it, or stop it); `signal` aborts when the worker stops.
   */
  readonly beforeAck?: (item: WorkItem, signal: AbortSignal) => Promise<void>;
  /**
   * Testing only: called before each pull from a run's work-queue stream (`stream`), so a test
   * can count them (runs with nothing to hand out must cost none).
   */
  readonly onPull?: (stream: string) => void;
  /**
   * How long a worker with nothing to pull waits before it looks for runs again (default 500 ms
   * when no run exists, 250 ms when every run's items are out). A coordinator that queues items
   * ends the wait at once (`WORKERS_WAKE_SUBJECT`), so this bounds only what a missed word costs.
   */
  readonly idleMs?: number;
}

/**
 * Serves distributed runs as a worker, until `signal` aborts: finds every run's work-queue stream,
 * pulls items one at a time from the durable consumer of each run that has items waiting or out
 * (a kept or abandoned run with neither costs one info request per round, no pull) (explicit ack; the consumer's ack wait and
 * delivery limit, set by the coordinator), computes its chunks with `compute` while telling the
 * server it is still working, writes them to the run's KV bucket with `create` (the first writer
 * wins: a redelivered item's second write is ignored; states larger than the server's
 * `max_payload` go in several pieces, see `storeItemState`), then acknowledges it. While an item is
 * computed the next one is pulled and held (told as in progress), so no round trip to the server
 * comes between two items; at most one item waits so, and it is released (nak) when the worker
 * stops. A failing item is released for another try; on its last delivery its error is written for
 * the coordinator, which fails the run naming it. Answers coordinators that ask whether any worker
 * is connected, and looks for runs at once when a coordinator says it queued items.
 *
 * @example
 * await serveWorkItems(nc, { compute: (item) => computeItem(item), signal: stop.signal });
 */
export async function serveWorkItems(nc: NatsConnection, options: ServeOptions): Promise<void> {
  const { signal } = options;
  const ping = nc.subscribe(WORKERS_PING_SUBJECT, {
    callback: (_err, msg) => {
      msg.respond('worker');
    },
  });
  const stopping = (): boolean => signal?.aborted === true;
  // Ends the idle wait in progress when a coordinator has queued items; a word that comes while
  // the worker looks (before it waits) ends the next wait before it starts.
  let wakeUp: (() => void) | undefined;
  let wakes = 0;
  const wake = nc.subscribe(WORKERS_WAKE_SUBJECT, {
    callback: () => {
      wakes++;
      wakeUp?.();
    },
  });
  const idle = (ms: number, wakesBefore: number): Promise<void> =>
    wakes !== wakesBefore
      ? Promise.resolve()
      : sleep(options.idleMs ?? ms, signal, (done) => {
          wakeUp = done;
        });
  const js = jetstream(nc);
  let jsm: JetStreamManager | undefined;
  try {
    jsm = await jetStreamOf(nc, signal);
  } finally {
    // Stopped, or failed, before serving: nothing more to answer.
    if (jsm === undefined) {
      wake.unsubscribe();
      ping.unsubscribe();
    }
  }
  if (jsm === undefined) return;
  const buckets = new Map<string, KV>();
  const consumers = new Map<string, Consumer>();
  // The runs to pull from, in this round's order: one pull each, then they are looked at again.
  let round: [string, Consumer][] = [];

  /** One item, or null after a round without one (having waited when no run had any). */
  const pullOne = async (): Promise<Pulled | null> => {
    if (round.length === 0) {
      const wakesBefore = wakes;
      let streams: string[];
      try {
        streams = await jsm.streams.names(RUN_ITEMS_WILDCARD).next();
      } catch {
        // The server is restarting.
        await sleep(250, signal);
        return null;
      }
      if (streams.length === 0) {
        await idle(500, wakesBefore);
        return null;
      }
      // Pulls only where an item may come: a run whose items all went (kept, abandoned after its
      // items were computed) is asked one cheap question instead of holding a pull open for a
      // second on every round. An item still out with a worker counts: the server tells a
      // coordinator that its deliveries ran out (the max-deliveries advisory) only when a worker
      // pulls, so such a run keeps being pulled until it is acknowledged or given up on.
      const waiting: [string, Consumer][] = [];
      const outstanding: [string, Consumer][] = [];
      for (const stream of streams) {
        if (stopping()) break;
        try {
          let consumer = consumers.get(stream);
          if (consumer === undefined) {
            consumer = await js.consumers.get(stream, 'workers');
            consumers.set(stream, consumer);
          }
          // Fresh, never the info cached when the consumer was looked up.
          const info = await consumer.info(false);
          if (info.num_pending > 0) waiting.push([stream, consumer]);
          else if (info.num_ack_pending > 0) outstanding.push([stream, consumer]);
        } catch {
          // A run that ended (its stream removed), or the server restarting.
          consumers.delete(stream);
        }
      }
      round = [...waiting, ...outstanding];
      // Every run was idle: look again soon, without holding a pull open on any of them.
      if (round.length === 0) {
        await idle(250, wakesBefore);
        return null;
      }
    }
    const [stream, consumer] = round.shift()!;
    if (stopping()) return null;
    options.onPull?.(stream);
    try {
      const msg = await consumer.next({ expires: 1_000 });
      return msg === null ? null : { msg, consumer };
    } catch {
      consumers.delete(stream);
      await sleep(100, signal);
      return null;
    }
  };

  let ahead: Promise<Held | null> | undefined;
  try {
    while (!stopping()) {
      const next = await (ahead ?? pullOne().then(hold));
      ahead = undefined;
      if (next === null) continue;
      next.release();
      // The next item is pulled while this one is computed.
      if (!stopping()) ahead = pullOne().then(hold);
      await handle(nc, next.msg, next.consumer, buckets, options);
    }
  } finally {
    // An item pulled ahead that this worker will not compute goes back to the queue at once.
    const left = await ahead?.catch(() => null);
    if (left !== null && left !== undefined) {
      left.release();
      left.msg.nak();
    }
    wake.unsubscribe();
    ping.unsubscribe();
  }
}

/**
 * The server's JetStream manager, asked again while the server does not answer (a worker started
 * as its server restarts waits for it, as its connection does); undefined once `signal` aborts.
 *
 * @throws what waiting cannot mend: JetStream not enabled, a closed connection
 */
async function jetStreamOf(
  nc: NatsConnection,
  signal: AbortSignal | undefined,
): Promise<JetStreamManager | undefined> {
  for (;;) {
    try {
      return await jetstreamManager(nc);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      if (signal?.aborted === true) return undefined;
      await sleep(250, signal);
    }
  }
}

/** An item pulled from a run's consumer. */
interface Pulled {
  readonly msg: JsMsg;
  readonly consumer: Consumer;
}

/** An item pulled ahead, told to the server as in progress until `release`. */
interface Held extends Pulled {
  readonly release: () => void;
}

/**
 * Holds an item pulled ahead: the server is told it is in progress (as `handle` does for the item
 * it computes), so waiting for its turn never lets its ack wait run out.
 */
async function hold(pulled: Pulled | null): Promise<Held | null> {
  if (pulled === null) return null;
  const info = await pulled.consumer.info(true).catch(() => null);
  const ackWait = millis(info?.config.ack_wait ?? 30_000_000_000);
  const alive = setInterval(() => pulled.msg.working(), Math.max(100, ackWait / 3));
  return { ...pulled, release: () => clearInterval(alive) };
}

async function handle(
  nc: NatsConnection,
  msg: JsMsg,
  consumer: Consumer,
  buckets: Map<string, KV>,
  options: ServeOptions,
): Promise<void> {
  let item: WorkItem;
  try {
    item = msg.json<WorkItem>();
  } catch {
    msg.term('not a lossflow work item');
    return;
  }
  let names: RunNames;
  try {
    names = runNames(item.run);
  } catch {
    // JSON, but no item of a valid run (another program's message on the subject).
    msg.term('not a lossflow work item');
    return;
  }
  const delivery = msg.info.deliveryCount;
  options.onEvent?.({ type: 'item', item, delivery });
  let kv = buckets.get(names.bucket);
  let info: ConsumerInfo;
  let runNonce: string | null;
  // Whether a worker that died before acknowledging the item stored its states already: asked
  // beside the run's nonce (one round trip for both), used once the item is known to be the run's.
  let storedBefore: Promise<Uint8Array | null>;
  try {
    if (kv === undefined) {
      // Throws stream-not-found when the bucket is gone with a removed run.
      kv = await openBucket(nc, names.bucket);
      buckets.set(names.bucket, kv);
    }
    const opened = kv;
    storedBefore = opened
      .get(stateKey(item.index, item.nonce ?? ''))
      .then((e) => (e === null || e.value.length === 0 ? null : e.value))
      .catch(() => null);
    [info, runNonce] = await Promise.all([consumer.info(true), readRunNonce(opened)]);
  } catch (e) {
    // The run was removed between the pull and here (nothing to store its state in: drop the
    // item), or the server went away (it comes back: leave the item to be delivered again).
    buckets.delete(names.bucket);
    if (await bucketRemoved(nc, names, e)) drop(item, options, `run ${item.run} ended`);
    else msg.nak(1_000);
    return;
  }
  if (item.v === NATS_PROTOCOL_VERSION && (item.nonce === undefined || item.nonce !== runNonce)) {
    // A stalled worker's item of a removed run whose id a new run uses now: not this run's.
    drop(item, options, `run ${item.run} ended (a new run of that id started)`);
    return;
  }
  const nonce = item.nonce ?? '';
  if (item.v !== NATS_PROTOCOL_VERSION) {
    // Another lossflow version planned it: its states would not merge right here.
    const text = `the item is of protocol ${item.v} and this worker speaks ${NATS_PROTOCOL_VERSION}; run workers of the coordinator's lossflow version`;
    options.onEvent?.({ type: 'failed', item, error: new Error(text), final: true });
    if (await writeFailure(kv, item, nonce, text, options.signal)) {
      nc.publish(names.written, failureKey(item.index, nonce));
      msg.term(text);
    }
    return;
  }
  const ackWait = millis(info.config.ack_wait ?? 30_000_000_000);
  // Failed deliveries that make the item poison (releases do not count); the consumer's delivery
  // limit is only a larger cap, for an item whose records were lost.
  const maxFailures = item.maxFailures ?? info.config.max_deliver ?? -1;
  // Tells the server the item is in hand, so a long item is not redelivered while it is computed.
  const alive = setInterval(() => msg.working(), Math.max(100, ackWait / 3));
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  // The worker may have been told to stop while it opened the item: an abort event never comes again.
  if (options.signal?.aborted === true) stop.abort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const bucket = kv;
  // Acks, naks and terms go to a reply subject named after the run's stream, which a new run of
  // the same id reuses: sent only while the run is still the one that published the item.
  // Whether the run is still the item's, or the error that kept the server from saying.
  const ours = (): Promise<boolean | Error> =>
    readRunNonce(bucket).then(
      (current) => current === nonce,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
  // Not the run's any more: dropped; the server away: left for redelivery, said as such (a read of
  // a removed bucket times out too, so the server is asked which). A stopped worker does not ask:
  // the answer only picks the word, and another request timeout would hold its exit 5 s more; it
  // says it released the item, as it does when the server goes away while it stops (below).
  const dropOrLose = async (owner: false | Error): Promise<void> => {
    const ended =
      owner === false ||
      (stop.signal.aborted ? isStreamNotFound(owner) : await bucketRemoved(nc, names, owner));
    if (ended) drop(item, options, `run ${item.run} ended`);
    else givenBack(owner);
  };
  // Left unharmed for another delivery: released by a stopping worker, else lost with its server.
  const givenBack = (error: unknown): void =>
    options.onEvent?.(stop.signal.aborted ? { type: 'released', item } : { type: 'lost', item, error });
  const failForGood = async (text: string): Promise<void> => {
    const owner = await ours();
    if (owner !== true) {
      await dropOrLose(owner);
      return;
    }
    // Terminated only once the coordinator can learn why; else left to the server, whose
    // max-deliveries advisory tells the coordinator when the delivery cap is reached.
    if (await writeFailure(bucket, item, nonce, text, stop.signal)) {
      nc.publish(names.written, failureKey(item.index, nonce));
      msg.term(text);
    }
  };
  let before: string[] = [];
  let owned: Promise<boolean | Error> | undefined;
  try {
    // Already computed by a worker that died before acknowledging it: nothing to do.
    if ((await storedBefore) === null) {
      before = delivery > 1 ? await failedDeliveries(kv, nonce, item.index, delivery) : [];
      if (maxFailures > 0 && before.length >= maxFailures) {
        // Its workers died on it (or their failures were recorded and the item came back anyway).
        const text = `no worker completed it: ${before.join('; ')}`;
        options.onEvent?.({ type: 'failed', item, error: new Error(text), final: true });
        await failForGood(text);
        return;
      }
      // Written before the item is computed: a worker that dies computing it must leave the
      // record that counts the delivery as a failure.
      await recordDelivery(kv, nonce, item.index, delivery, 'computing');
      // Stopped before computing: handed back (below) rather than computed.
      stop.signal.throwIfAborted();
      const chunks = await options.compute(item, stop.signal).catch((e: unknown) => {
        throw stop.signal.aborted ? e : new ItemFailure(e);
      });
      // States above the server's largest message go in pieces (an item of thousands of batches).
      const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
      // Whether the run is still the item's, asked while the states are stored (one round trip).
      owned = ours();
      const duplicate = await storeItemState(kv, nonce, item.index, encodeChunks(chunks), maxPayload);
      nc.publish(names.written, stateKey(item.index, nonce));
      options.onEvent?.({ type: 'stored', item, duplicate });
      if (options.beforeAck !== undefined) {
        await options.beforeAck(item, stop.signal);
        // The pause may have outlived the run: ask again.
        owned = ours();
      }
    } else {
      nc.publish(names.written, stateKey(item.index, nonce));
      options.onEvent?.({ type: 'stored', item, duplicate: true });
    }
    // Not waited for (no round trip before the next item): the states are stored, so an ack the
    // server never got only means a redelivery, which finds them stored and acknowledges it.
    const owner = await (owned ?? ours());
    if (owner === true) msg.ack();
    else await dropOrLose(owner);
  } catch (error) {
    if (!(error instanceof ItemFailure) && (await bucketRemoved(nc, names, error))) {
      // The run was removed while the item was computed or stored: nothing can use it now.
      buckets.delete(names.bucket);
      drop(item, options, `run ${item.run} ended`);
      return;
    }
    if (stop.signal.aborted || !(error instanceof ItemFailure)) {
      // Given back unharmed: the worker is stopping, or the server went away (or timed out)
      // while the item was stored or acknowledged. Not a failure of the item.
      givenBack(error);
      await recordReleased(kv, nonce, item.index, delivery, stop.signal);
      if ((await ours()) === true) {
        if (stop.signal.aborted) msg.nak();
        else msg.nak(Math.min(1_000, ackWait));
      }
      return;
    }
    const report = options.runError?.(error.cause, item);
    const text = report === undefined ? failureText(error.cause) : encodeRunError(report);
    // An error of the run itself is met on every delivery: the first is the last.
    const final = report !== undefined || (maxFailures > 0 && before.length + 1 >= maxFailures);
    options.onEvent?.({ type: 'failed', item, error: error.cause, final });
    await recordDelivery(kv, nonce, item.index, delivery, { failed: text }).catch(() => undefined);
    if (final) await failForGood(text);
    else if ((await ours()) === true) msg.nak(Math.min(1_000, ackWait));
  } finally {
    clearInterval(alive);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Whether `error` came of the run's bucket being removed (a removed run), not of a server gone
 * away: a direct get of, or a write to, a removed bucket times out instead of saying so, so the
 * server is asked.
 */
async function bucketRemoved(nc: NatsConnection, names: RunNames, error: unknown): Promise<boolean> {
  if (isStreamNotFound(error)) return true;
  return streamRemoved(await jetstreamManager(nc, { checkAPI: false }), bucketStream(names.bucket));
}

/** An error of computing an item (its bytes, its file): counts toward its failures. */
class ItemFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Records a delivery given back unharmed, retried while the server is away (see
 * {@link whileServerAway}). Left `computing` if it cannot be written.
 */
async function recordReleased(
  kv: KV,
  nonce: string,
  index: number,
  delivery: number,
  stop: AbortSignal,
): Promise<void> {
  await whileServerAway(stop, () =>
    recordDelivery(kv, nonce, index, delivery, 'released').then(
      () => true,
      () => false,
    ),
  );
}

/**
 * Tries `write` until it succeeds, 40 times at most, 250 ms apart (the server may be restarting);
 * once `stop` aborts, no try is made after the one in progress: a stopping worker must exit soon.
 *
 * @returns whether a try succeeded
 */
async function whileServerAway(
  stop: AbortSignal | undefined,
  write: () => Promise<boolean>,
): Promise<boolean> {
  for (let attempt = 0; attempt < 40 && (attempt === 0 || stop?.aborted !== true); attempt++) {
    if (await write()) return true;
    await sleep(250, stop);
  }
  return false;
}

/**
 * Drops an item whose run ended: nothing can use its states any more. It is neither acknowledged
 * nor terminated: its stream is gone, and a new run of the same id answers on its reply subject.
 */
function drop(item: WorkItem, options: ServeOptions, reason: string): void {
  options.onEvent?.({ type: 'dropped', item, reason });
}

/**
 * Why an item failed, for the coordinator to say: the error's message (a lossflow error's names
 * its row, batch or column and says how to fix it) and its code when it has one
 * (`TOO_MANY_GROUPS`), so the coordinator's failure says what kind of failure it was.
 */
function failureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z_]+$/.test(code) && !message.includes(code)
    ? `${message} [${code}]`
    : message;
}

/**
 * Writes why `item` failed for good: the coordinator must learn it before the item is dropped
 * (retried while the server is busy, see {@link whileServerAway}).
 *
 * @returns whether it is written (by this worker or another)
 */
async function writeFailure(
  kv: KV,
  item: WorkItem,
  nonce: string,
  text: string,
  stop: AbortSignal | undefined,
): Promise<boolean> {
  const key = failureKey(item.index, nonce);
  return whileServerAway(stop, () =>
    kv
      .create(key, new TextEncoder().encode(text))
      .then(() => true)
      .catch(async () => (await kv.get(key).catch(() => null)) !== null),
  );
}
