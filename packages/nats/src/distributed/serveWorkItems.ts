import type { PassChunks } from '@lossflow/rx';
import {
  type Consumer,
  type ConsumerInfo,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { millis, type NatsConnection } from '@nats-io/nats-core';
import { isStreamNotFound } from '../connect/isStreamNotFound.js';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import { RUN_ITEMS_WILDCARD, type RunNames, runNames, WORKERS_PING_SUBJECT } from '../runs/runNames.js';
import { encodeChunks } from './chunkCodec.js';
import { storeItemState } from './itemState.js';
import { failureKey, stateKey, type WorkItem } from './WorkItem.js';

/** What a worker does, told to its caller (for its log). */
export type WorkerEvent =
  | { readonly type: 'item'; readonly item: WorkItem; readonly delivery: number }
  | { readonly type: 'stored'; readonly item: WorkItem; readonly duplicate: boolean }
  | { readonly type: 'failed'; readonly item: WorkItem; readonly error: unknown; readonly final: boolean }
  | { readonly type: 'released'; readonly item: WorkItem };

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
   * Testing only: called after an item's states are stored and before it is acknowledged (the
   * fault tests stall a worker there and kill it, or stop it); `signal` aborts when the worker stops.
   */
  readonly beforeAck?: (item: WorkItem, signal: AbortSignal) => Promise<void>;
  /**
   * Testing only: called before each pull from a run's work-queue stream (`stream`), so a test
   * can count them (runs with nothing to hand out must cost none).
   */
  readonly onPull?: (stream: string) => void;
}

/**
 * Serves distributed runs as a worker, until `signal` aborts: finds every run's work-queue stream,
 * pulls one item at a time from the durable consumer of each run that has items waiting or out
 * (a kept or abandoned run with neither costs one info request per round, no pull) (explicit ack; the consumer's ack wait and
 * delivery limit, set by the coordinator), computes its chunks with `compute` while telling the
 * server it is still working, writes them to the run's KV bucket with `create` (the first writer
 * wins: a redelivered item's second write is ignored; states larger than the server's
 * `max_payload` go in several pieces, see `storeItemState`), then acknowledges it. A failing item is
 * released for another try; on its last delivery its error is written for the coordinator, which
 * fails the run naming it. Answers coordinators that ask whether any worker is connected.
 *
 * @example
 * await serveWorkItems(nc, { compute: (item) => computeItem(item), signal: stop.signal });
 */
export async function serveWorkItems(nc: NatsConnection, options: ServeOptions): Promise<void> {
  const { signal } = options;
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const kvm = new Kvm(nc);
  const ping = nc.subscribe(WORKERS_PING_SUBJECT, {
    callback: (_err, msg) => {
      msg.respond('worker');
    },
  });
  const stopping = (): boolean => signal?.aborted === true;
  const buckets = new Map<string, KV>();
  const consumers = new Map<string, Consumer>();
  try {
    while (!stopping()) {
      let streams: string[];
      try {
        streams = await jsm.streams.names(RUN_ITEMS_WILDCARD).next();
      } catch {
        // The server is restarting.
        await sleep(250, signal);
        continue;
      }
      if (streams.length === 0) {
        await sleep(500, signal);
        continue;
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
      let pulled = false;
      for (const [stream, consumer] of [...waiting, ...outstanding]) {
        if (stopping()) break;
        let msg: JsMsg | null = null;
        pulled = true;
        try {
          options.onPull?.(stream);
          msg = await consumer.next({ expires: 1_000 });
        } catch {
          consumers.delete(stream);
          await sleep(100, signal);
          continue;
        }
        if (msg === null) continue;
        await handle(nc, msg, consumer, kvm, buckets, options);
      }
      // Every run was idle: look again soon, without holding a pull open on any of them.
      if (!pulled) await sleep(250, signal);
    }
  } finally {
    ping.unsubscribe();
  }
}

async function handle(
  nc: NatsConnection,
  msg: JsMsg,
  consumer: Consumer,
  kvm: Kvm,
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
  try {
    if (kv === undefined) {
      kv = await kvm.open(names.bucket);
      // open() only binds: ask once whether the bucket is there (gone with a removed run).
      await kv.status();
      buckets.set(names.bucket, kv);
    }
    info = await consumer.info(true);
  } catch (e) {
    // The run was removed between the pull and here (nothing to store its state in: drop the
    // item), or the server went away (it comes back: leave the item to be delivered again).
    buckets.delete(names.bucket);
    if (isStreamNotFound(e)) msg.term('the run was removed');
    else msg.nak(1_000);
    return;
  }
  if (item.v !== NATS_PROTOCOL_VERSION) {
    // Another lossflow version planned it: its states would not merge right here.
    const text = `the item is of protocol ${item.v} and this worker speaks ${NATS_PROTOCOL_VERSION}; run workers of the coordinator's lossflow version`;
    options.onEvent?.({ type: 'failed', item, error: new Error(text), final: true });
    if (await writeFailure(kv, item, text)) msg.term(text);
    return;
  }
  const ackWait = millis(info.config.ack_wait ?? 30_000_000_000);
  const maxDeliver = info.config.max_deliver ?? -1;
  // Tells the server the item is in hand, so a long item is not redelivered while it is computed.
  const alive = setInterval(() => msg.working(), Math.max(100, ackWait / 3));
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Already computed by a worker that died before acknowledging it: nothing to do.
    const stored = await kv.get(stateKey(item.index)).catch(() => null);
    if (stored === null || stored.value.length === 0) {
      const chunks = await options.compute(item, stop.signal);
      // States above the server's largest message go in pieces (an item of thousands of batches).
      const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
      const duplicate = await storeItemState(kv, item.index, encodeChunks(chunks), maxPayload);
      options.onEvent?.({ type: 'stored', item, duplicate });
      await options.beforeAck?.(item, stop.signal);
    } else options.onEvent?.({ type: 'stored', item, duplicate: true });
    await msg.ackAck();
  } catch (error) {
    if (stop.signal.aborted) {
      msg.nak();
      options.onEvent?.({ type: 'released', item });
      return;
    }
    const final = maxDeliver > 0 && delivery >= maxDeliver;
    options.onEvent?.({ type: 'failed', item, error, final });
    if (final) {
      const text = error instanceof Error ? error.message : String(error);
      // Terminated only once the coordinator can learn why; else left to the server, whose
      // max-deliveries advisory tells the coordinator when this last delivery's ack wait ends.
      if (await writeFailure(kv, item, text)) msg.term(text);
    } else msg.nak(Math.min(1_000, ackWait));
  } finally {
    clearInterval(alive);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Writes why `item` failed for good: the coordinator must learn it before the item is dropped
 * (retried while the server is busy).
 *
 * @returns whether it is written (by this worker or another)
 */
async function writeFailure(kv: KV, item: WorkItem, text: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const written = await kv
      .create(failureKey(item.index), new TextEncoder().encode(text))
      .then(() => true)
      .catch(async () => (await kv.get(failureKey(item.index)).catch(() => null)) !== null);
    if (written) return true;
    await sleep(250, undefined);
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
