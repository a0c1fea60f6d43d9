import type { GroupBudget, PassChunks } from '@lossflow/rx';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { type NatsConnection, NoRespondersError, nanos } from '@nats-io/nats-core';
import { Observable } from 'rxjs';
import { isStreamNotFound } from '../connect/isStreamNotFound.js';
import { clearRunFailure, failRun } from '../runs/failRun.js';
import { removeRun } from '../runs/removeRun.js';
import { type RunNames, runNames, WORKERS_PING_SUBJECT, WORKERS_WAKE_SUBJECT } from '../runs/runNames.js';
import { storeRunPlan } from '../runs/runPlan.js';
import { decodeChunks } from './chunkCodec.js';
import { DistributedRunError } from './DistributedRunError.js';
import { loadItemState } from './itemState.js';
import { decodeRunError } from './runErrorReport.js';
import { claimRunNonce } from './runNonce.js';
import { failureKey, itemKeyOf, type WorkItem } from './WorkItem.js';

/** How far a distributed run has got. */
export interface RunProgress {
  readonly items: number;
  readonly itemsDone: number;
  /** Rows and bytes of the items done. */
  readonly rows: number;
  readonly bytes: number;
}

/** Options of {@link distributedChunks}. */
export interface DistributedRunOptions {
  /** The run's items, in merge order (see `planWorkItems` of `@lossflow/nats/node`), all of `run`. */
  readonly items: readonly WorkItem[];
  /** Keep the run's stream and KV bucket after it ends (default: removed). */
  readonly keep?: boolean;
  /** How long a worker holds an item without a sign of life before it is redelivered (default 60 s). */
  readonly ackWaitMs?: number;
  /**
   * Failed deliveries of an item (a worker's error on it, or a worker that died computing it)
   * before the run fails naming it (default 5). Deliveries given back unharmed (a worker stopping,
   * an item pulled ahead and returned, the server going away) do not count; the server's own
   * delivery limit is set to {@link deliveryCap} of this, so an item still ends.
   */
  readonly maxDeliver?: number;
  /** How often the KV bucket is looked at (default 200 ms). */
  readonly pollMs?: number;
  /** After each item completes. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** When items wait and no worker is connected (once per such spell). */
  readonly onWaiting?: () => void;
  /**
   * Bounds the groups the consumer will merge (`@lossflow/rx`'s `GroupBudget`): fed every chunk
   * before it is emitted, in order; past it the run fails with its `TOO_MANY_GROUPS` error and is
   * removed (unless `keep`), so workers stop computing items whose groups could not be kept.
   */
  readonly groupBudget?: GroupBudget;
}

/**
 * Runs a distributed evaluation as its coordinator: publishes the items of run `run` to the run's
 * work-queue stream (message ids `run.index`, so a restarted coordinator publishes nothing twice,
 * and items whose states are already in the run's KV bucket are not published again), waits for
 * the workers' partial states in the run's KV bucket, and emits every batch's chunks (one per loss and metric)
 * **in item order** and batch order, with batch indices counted across files as a local read counts
 * them: reduced as the local chunks are, they give the same bits. An item that failed on its last
 * delivery errors the observable with a {@link DistributedRunError} naming it; nothing after it is
 * emitted. Unless `keep`, the run's stream and bucket are removed once it completes or fails; a
 * kept run that fails is marked failed (`describeRuns` says so). A consumer that unsubscribes
 * before the end (its own failure on the merged states) leaves the run as it is: it ends it with
 * `failRun`.
 *
 * @example
 * distributedChunks(nc, 'nightly', { items }).pipe(map((c) => c.losses[0]!), reduce('mean'));
 */
export function distributedChunks(
  nc: NatsConnection,
  run: string,
  options: DistributedRunOptions,
): Observable<PassChunks> {
  return new Observable<PassChunks>((subscriber) => {
    let stopped = false;
    const names = runNames(run);
    (async () => {
      const { kv, cleanup } = await openRun(nc, names, options);
      let failure: unknown;
      try {
        await coordinate(
          nc,
          names,
          kv,
          options,
          (chunks) => {
            if (!stopped) subscriber.next(chunks);
          },
          () => stopped,
        );
      } catch (e) {
        failure = e;
      }
      if (stopped) return;
      // A run planned by another coordinator is not this one's to remove.
      const foreign = failure instanceof DistributedRunError && failure.code === 'PLAN_MISMATCH';
      const keep = options.keep ?? false;
      if (failure === undefined) {
        if (!keep) await cleanup().catch(() => undefined);
      } else if (!foreign) {
        // Kept, a failed run is marked so: its items may all be stored, yet it never finished.
        const reason = failure instanceof Error ? failure.message : String(failure);
        await failRun(nc, run, { keep, reason }).catch(() => undefined);
      }
      if (failure !== undefined) subscriber.error(failure);
      else subscriber.complete();
    })().catch((e: unknown) => subscriber.error(e));
    return () => {
      stopped = true;
    };
  });
}

async function openRun(
  nc: NatsConnection,
  names: RunNames,
  options: DistributedRunOptions,
): Promise<{ kv: KV; cleanup: () => Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(names.stream);
  } catch {
    await jsm.streams.add({
      name: names.stream,
      subjects: [names.subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      // A coordinator restarted within the hour publishes no item twice.
      duplicate_window: nanos(3_600_000),
    });
  }
  // A resumed run keeps the consumer it was started with (and its items in flight).
  await jsm.consumers.info(names.stream, names.consumer).catch(() =>
    jsm.consumers.add(names.stream, {
      durable_name: names.consumer,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(options.ackWaitMs ?? 60_000),
      max_deliver: deliveryCap(options.maxDeliver ?? DEFAULT_MAX_FAILURES),
    }),
  );
  const kv = await new Kvm(nc).create(names.bucket, { history: 1, storage: StorageType.File });
  return {
    kv,
    cleanup: async () => {
      await removeRun(nc, { distributed: names.run });
    },
  };
}

/**
 * Retries `op` until it succeeds: the server may be restarting (its file store keeps the run).
 * After every failure the server is asked whether the run is gone, which waiting cannot mend: a
 * removed run shows as no responders (a publish to a removed work queue, which nats.js reports as
 * `JetStreamNotEnabled`), a missing stream, or no error at all (a bucket listing that waits for
 * entries of a deleted stream until its deadline).
 */
async function persist<T>(
  op: () => Promise<T>,
  stopped: () => boolean,
  failIfGone: () => Promise<void>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (stopped() || attempt >= 600) throw e;
      await failIfGone();
      await sleep(250);
    }
  }
}

async function coordinate(
  nc: NatsConnection,
  names: RunNames,
  kv: KV,
  options: DistributedRunOptions,
  emit: (chunks: PassChunks) => void,
  stopped: () => boolean,
): Promise<void> {
  const { items } = options;
  const js = jetstream(nc);
  const gone = async (): Promise<void> => {
    if (await runGone(nc, names)) throw runRemoved(names);
  };
  // The plan is the run's identity: a restarted coordinator must plan the same items.
  const plan = new TextEncoder().encode(
    JSON.stringify({
      items: items.map((i) => [i.path, i.part.first, i.part.end, i.limit ?? null, i.fileSpec ?? null]),
      spec: items[0]?.spec,
    }),
  );
  // In pieces when it exceeds the server's largest message (a run of many thousands of items).
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  if ((await persist(() => storeRunPlan(kv, plan, items.length, maxPayload), stopped, gone)) === 'other') {
    throw new DistributedRunError(
      'PLAN_MISMATCH',
      `run ${names.run} was started with other files or options`,
      { hint: 'Resume a run with the same files and options, or start a new run (another --run id).' },
    );
  }
  // Made by the run's first coordinator, reused by a resumed one: states of a removed run of the
  // same id (a worker that stalled on its item) are stored under another nonce and never merged.
  const nonce = await persist(() => claimRunNonce(kv), stopped, gone);
  // A kept run that failed, started again: it may finish this time.
  await persist(() => clearRunFailure(kv), stopped, gone);
  const maxFailures = options.maxDeliver ?? DEFAULT_MAX_FAILURES;
  const done = new Map<number, Uint8Array>();
  const seenKeys = (): Promise<string[]> => bucketKeys(kv);
  for (const key of await persist(seenKeys, stopped, gone)) {
    const named = itemKeyOf(key, nonce);
    if (named?.kind === 'state') done.set(named.index, new Uint8Array(0));
  }
  // An item whose deliveries ran out without a worker saying why (its workers crashed or stalled on
  // it every time): the server says so in an advisory, by the item's stream sequence.
  const itemOfSeq = new Map<number, number>();
  const exhausted: number[] = [];
  const advisories = nc.subscribe(
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.stream}.${names.consumer}`,
    {
      callback: (_err, msg) => {
        try {
          const seq = (msg.json() as { stream_seq?: number }).stream_seq;
          const index = seq === undefined ? undefined : itemOfSeq.get(seq);
          if (index !== undefined) exhausted.push(index);
        } catch {
          // Not an advisory this run can use.
        }
      },
    },
  );
  try {
    // Sent without waiting for each acknowledgement (one connection keeps their order): the first
    // items are computed while the last are still on their way.
    const publishing: Promise<void>[] = [];
    // Idle workers look for the run as soon as its first item is stored, not after the last.
    let woken = false;
    const wakeWorkers = (): void => {
      if (woken) return;
      woken = true;
      nc.publish(WORKERS_WAKE_SUBJECT);
    };
    for (const item of items) {
      if (stopped()) return;
      if (done.has(item.index)) continue;
      publishing.push(
        // A duplicate (published by a coordinator before this one) acks with the original's sequence.
        persist(
          () =>
            js.publish(names.subject, JSON.stringify({ ...item, nonce, maxFailures }), {
              msgID: `${names.run}.${item.index}`,
            }),
          stopped,
          gone,
        ).then((ack) => {
          itemOfSeq.set(ack.seq, item.index);
          wakeWorkers();
        }),
      );
    }
    await Promise.all(publishing);
    // Idle workers look for the run now rather than at their next round (a resumed run may have
    // published nothing).
    nc.publish(WORKERS_WAKE_SUBJECT);
    done.clear();
    await merge(nc, names, kv, nonce, options, emit, stopped, done, exhausted);
  } finally {
    advisories.unsubscribe();
  }
}

/** Collects the items' states from the bucket and emits them in item order. */
async function merge(
  nc: NatsConnection,
  names: RunNames,
  kv: KV,
  nonce: string,
  options: DistributedRunOptions,
  emit: (chunks: PassChunks) => void,
  stopped: () => boolean,
  done: Map<number, Uint8Array>,
  exhausted: readonly number[],
): Promise<void> {
  const { items } = options;
  const failed = (index: number, reason: string): DistributedRunError => {
    const item = items[index];
    return new DistributedRunError(
      'ITEM_FAILED',
      `item ${index} of run ${names.run} (${item?.path ?? '?'}, ${item === undefined ? '' : partName(item)}) failed on every delivery: ${reason}`,
      {
        item: index,
        ...(item === undefined ? {} : { file: item.path }),
        // The worker's error says what is wrong (a damaged file, a bad value, too many groups) and,
        // from lossflow, how to fix it; this is what to do then.
        hint: 'Fix what the error names (or remove a damaged file) and start the run again.',
      },
    );
  };
  const seenKeys = (): Promise<string[]> => bucketKeys(kv);
  // Items whose deliveries ran out, as of the previous look at the bucket: a worker's own reason
  // (its failure key) has had a look's time to arrive before the advisory's is reported.
  let exhaustedBefore = 0;

  let next = 0;
  let rows = 0;
  let bytes = 0;
  let batchesBefore = 0;
  const fileFirst = new Map<number, number>();
  let lastChange = Date.now();
  let lastPing = 0;
  let waiting = false;
  const progress = (): void =>
    options.onProgress?.({ items: items.length, itemsDone: done.size, rows, bytes });
  progress();
  // Keys workers say they wrote to the bucket: read as soon as they come, without listing the
  // bucket. A word missed (a server restart, a worker of an older version) is made up for by a
  // listing, at the latest a second later.
  const written: string[] = [];
  let wakeUp: (() => void) | undefined;
  const writes = nc.subscribe(names.written, {
    callback: (_err, msg) => {
      written.push(msg.string());
      wakeUp?.();
    },
  });
  let listed = 0;
  let unreachable = 0;
  try {
    while (next < items.length && !stopped()) {
      let keys: string[];
      try {
        if (written.length > 0 && Date.now() - listed < LIST_EVERY_MS) keys = written.splice(0);
        else {
          written.length = 0;
          listed = Date.now();
          keys = await seenKeys();
        }
        unreachable = 0;
      } catch (e) {
        // A removed run never comes back: fail now. Anything else is taken as the server restarting
        // (its file store keeps the states), for a while.
        if (isStreamNotFound(e) || (await runGone(nc, names))) throw runRemoved(names);
        unreachable++;
        if (stopped()) return;
        if (unreachable >= MAX_UNREACHABLE_LOOKS) {
          throw new DistributedRunError(
            'SERVER_LOST',
            `lost the NATS server for ${Math.round((unreachable * 250) / 1000)} s while run ${names.run} was merging (last: ${e instanceof Error ? e.message : String(e)}); no result`,
            {
              hint: `Check that the NATS server is up and reachable, then start the coordinator again with --run ${names.run}: it resumes from the states kept on the server.`,
            },
          );
        }
        await sleep(250);
        continue;
      }
      for (const key of keys) {
        // Keys of another nonce (a removed run of the same id) and other records are not merged.
        const named = itemKeyOf(key, nonce);
        if (named === undefined) continue;
        const { kind, index } = named;
        if (kind === 'failed') {
          const entry = await kv.get(failureKey(index, nonce)).catch(() => null);
          const report = entry === null ? undefined : decodeRunError(new TextDecoder().decode(entry.value));
          if (report !== undefined) {
            const item = items[index];
            throw new DistributedRunError('RUN_ERROR', report.message, {
              item: index,
              ...(item === undefined ? {} : { file: item.path }),
              hint: '',
              exitCode: report.exitCode,
            });
          }
          throw failed(
            index,
            entry === null ? 'unknown error' : new TextDecoder().decode(entry.value).replace(/\.+$/, ''),
          );
        }
        if (kind !== 'state' || done.has(index) || items[index] === undefined) continue;
        const value = await loadItemState(kv, nonce, index).catch(() => null);
        if (value === null) continue;
        done.set(index, value);
        rows += items[index]!.rows;
        bytes += items[index]!.bytes;
        lastChange = Date.now();
        waiting = false;
        progress();
      }
      for (const index of exhausted.slice(0, exhaustedBefore)) {
        if (!done.has(index)) {
          throw failed(
            index,
            'no worker completed it: its deliveries ran out (its workers crashed, stalled or were stopped on it every time)',
          );
        }
      }
      exhaustedBefore = exhausted.length;
      while (next < items.length && done.has(next)) {
        const item = items[next]!;
        if (!fileFirst.has(item.file)) fileFirst.set(item.file, batchesBefore);
        const first = fileFirst.get(item.file)!;
        for (const chunks of decodeChunks(done.get(next)!, { item: next, file: item.path })) {
          const losses = chunks.losses.map((c) => ({ ...c, batch: first + c.batch, file: item.path }));
          const metrics = chunks.metrics.map((c) => ({ ...c, batch: first + c.batch, file: item.path }));
          // Past the budget the run fails here (and is removed), before the consumer merges the groups.
          const budget = options.groupBudget;
          for (const [i, c] of losses.entries()) budget?.addLoss(i, c);
          for (const [i, c] of metrics.entries()) budget?.addMetric(i, c);
          emit({ losses, metrics });
          batchesBefore++;
        }
        // Keep only the marker: the states are merged.
        done.set(next, new Uint8Array(0));
        next++;
      }
      if (next >= items.length) break;
      const now = Date.now();
      if (now - lastChange >= 2_000 && now - lastPing >= 2_000) {
        lastPing = now;
        // Keys of a removed bucket may still list (or the work queue went first): look for both.
        if (await runGone(nc, names)) throw runRemoved(names);
        const anyWorker = await nc
          .request(WORKERS_PING_SUBJECT, '', { timeout: 1_000 })
          .then(() => true)
          .catch((e: unknown) => !(e instanceof NoRespondersError || isNoResponders(e)));
        if (!anyWorker && !waiting) {
          waiting = true;
          options.onWaiting?.();
        }
        if (anyWorker) waiting = false;
      }
      if (written.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 200);
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeUp = undefined;
      }
    }
  } finally {
    writes.unsubscribe();
  }
}

/** Failed deliveries of an item before the run fails naming it, unless told otherwise. */
const DEFAULT_MAX_FAILURES = 5;

/**
 * The consumer's delivery limit for items that may fail `maxFailures` times: deliveries given back
 * unharmed (stopping workers, items pulled ahead, server restarts) do not count as failures, but
 * an item cannot be delivered forever either (its workers' records of how deliveries ended lost).
 */
export function deliveryCap(maxFailures: number): number {
  return Math.max(20, maxFailures * 4);
}

/** Longest time between two listings of the bucket while its writes are relayed (a missed one is found so). */
const LIST_EVERY_MS = 1_000;

/** Looks of the bucket failing in a row (250 ms apart) before the server counts as lost: 2.5 min. */
const MAX_UNREACHABLE_LOOKS = 600;

/** Whether the run's work-queue stream or KV bucket is gone from a reachable server. */
async function runGone(nc: NatsConnection, names: RunNames): Promise<boolean> {
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.info(names.stream);
    await jsm.streams.info(`KV_${names.bucket}`);
    return false;
  } catch (e) {
    return isStreamNotFound(e);
  }
}

function runRemoved(names: RunNames): DistributedRunError {
  return new DistributedRunError(
    'RUN_REMOVED',
    `run ${names.run} was removed from the server (lossflow runs rm?) before it finished; no result`,
    { hint: `Start the run again; remove a run only once its coordinator has ended (see lossflow runs).` },
  );
}

/**
 * The bucket's keys, or a failure after `deadlineMs`: a listing whose bucket is removed under it
 * can wait forever for entries that will never come (nats.js's ordered consumer of a deleted
 * stream), and the caller's failure path is what tells a removed run from a restarting server.
 */
async function bucketKeys(kv: KV, deadlineMs = 10_000): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer listing the bucket in ${deadlineMs / 1000} s`)),
      deadlineMs,
    );
  });
  const listing = (async () => {
    const keys: string[] = [];
    const iterator = await kv.keys();
    void late.catch(() => iterator.stop());
    for await (const k of iterator) keys.push(k);
    return keys;
  })();
  try {
    return await Promise.race([listing, late]);
  } finally {
    clearTimeout(timer);
    listing.catch(() => undefined);
  }
}

function isNoResponders(e: unknown): boolean {
  return e instanceof Error && (/no responders/i.test(e.message) || isNoResponders(e.cause));
}

/** `batches 3–9` (Arrow IPC) or `row groups 0–1` (Parquet), as a user would look them up. */
export function partName(item: WorkItem): string {
  const unit = item.format === 'parquet' ? 'row groups' : 'batches';
  return `${unit} ${item.part.first}–${item.part.end - 1}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
