import { statSync } from 'node:fs';
import { readFile } from '@lossflow/arrow/node';
import { traceMark } from '@lossflow/arrow/prestart';
import type { NatsConnectOptions } from '@lossflow/nats/node';
import type { GroupKey, PassChunks } from '@lossflow/rx';
import type { RecordBatch, Schema } from 'apache-arrow';
import { defer, finalize, from, map, type Observable, switchMap, tap, throwError } from 'rxjs';
import type { EvalPlan } from '../args/evalArgs.js';
import { groupBudget } from '../eval/groupBudget.js';
import type { EvalSource, LogFiles, ReadProgress } from '../eval/LogFiles.js';
import type { GroupKeys } from '../inputs/groupKeys.js';
import { formatCount } from '../output/numberFormat.js';
import { type ItemSpec, itemFilesOf } from './itemSpec.js';
import { localEvalChecks } from './localEvalChecks.js';

/** Where a coordinator's run goes, and how it is tuned (the tests shorten the waits). */
export interface CoordinatorSettings {
  /** How to reach and authenticate to the server (the shared connection flags). */
  readonly connect: NatsConnectOptions;
  /** The server(s), as messages name them. */
  readonly servers: string;
  /** The run id given (`--run`), or undefined for a new one. */
  readonly run: string | undefined;
  readonly keep: boolean;
  readonly ackWaitMs: number | undefined;
  readonly maxDeliver: number | undefined;
  readonly itemBytes: number | undefined;
  /** Said on stderr: the run id, waiting for workers. */
  readonly note: (text: string) => void;
}

/**
 * The chunks of an eval pass computed by workers of a distributed run: an {@link EvalSource} whose
 * `passChunks` plans the files into items, publishes them and emits their chunks in item order
 * (`distributedChunks` of `@lossflow/nats`), so the pass reduces them exactly as the local one
 * reduces its own. The losses come from the plan (sent to workers as the eval arguments), not from
 * the operators given.
 */
export class DistributedSource implements EvalSource {
  readonly files: readonly string[];
  readonly sizes: readonly number[];
  readonly totalBytes: number;
  /** Workers compute the losses: the pass takes the threaded path. */
  readonly threads = 1;
  readonly inThisThreadOnly = false;
  readonly sizesUnknown = false;
  /** The first file's schema, read when the run starts (the JSON output's columns, as a local eval's). */
  firstSchema: Schema | undefined;
  readonly #settings: CoordinatorSettings;
  readonly #spec: ItemSpec;
  readonly #plan: EvalPlan;
  readonly #keys: GroupKeys | undefined;
  readonly #start = Date.now();
  #rows = 0;
  #batches = 0;
  #bytes = 0;
  #items = 0;
  #itemsDone = 0;
  #file = 0;
  readonly #firstBatch: number[] = [];
  /** The checks made before publishing (see `localEvalChecks`): they name the file of their failure. */
  #failedChecks: LogFiles | undefined;
  /** Closing the connection, after ending a run its consumer failed on. */
  #closing: Promise<void> | undefined;

  /**
   * @param keys the run's `--by` keys when `--by` is not one column of the data (`--by file`, Hive
   *   partition keys, several keys): an item's worker then keys its batches as a local eval does,
   *   and the groups it sends are numbered here across the run, in item order
   */
  constructor(plan: EvalPlan, spec: ItemSpec, settings: CoordinatorSettings, keys?: GroupKeys) {
    this.files = plan.files;
    this.sizes = plan.files.map((f) => statSync(f).size);
    this.totalBytes = this.sizes.reduce((a, b) => a + b, 0);
    this.#plan = plan;
    this.#spec = spec;
    this.#settings = settings;
    this.#keys = keys;
  }

  /** Distributed runs have no in-thread read: only loss chunks come back from workers. */
  batches(): Observable<RecordBatch> {
    return throwError(() => new Error('a distributed run reads no batches in the coordinator'));
  }

  passChunks(): Observable<PassChunks> {
    return defer(() => from(this.#run())).pipe(switchMap((chunks) => chunks));
  }

  /** Connects, plans the items and starts the run: the chunks, once subscribed to. */
  async #run(): Promise<Observable<PassChunks>> {
    {
      // Workers wait for the first item while this starts: the NATS client loads, connects and the
      // files are planned at once, not one after the other.
      const loading = import('@lossflow/nats/node');
      loading.catch(() => undefined);
      const first = this.files[0];
      if (first !== undefined) {
        const reader = readFile(first);
        try {
          this.firstSchema = await reader.schema();
        } finally {
          await reader.close();
        }
      }
      const nats = await loading;
      const settings = this.#settings;
      const connecting = nats.connectForRun(settings.connect);
      connecting.catch(() => undefined);
      const run = settings.run ?? nats.newRunId();
      const keys = this.#keys;
      const planning = nats.planWorkItems(run, this.#plan.files, this.#spec, {
        ...(settings.itemBytes === undefined ? {} : { itemBytes: settings.itemBytes }),
        allowMissingEndOfStream: this.#plan.allowMissingEndOfStream,
        ...(this.#plan.limit === undefined ? {} : { limit: this.#plan.limit }),
        // A worker keys an item's batches in one thread, an Arrow IPC item from its part's seek and
        // a Parquet item from its first row group (computeItem's keyedBatches): parts are never
        // cut, so each item has its seek. Keys are numbered here in item order, as a local eval
        // numbers them in read order.
        ...(keys === undefined
          ? {}
          : { wholeParts: true, fileSpecs: itemFilesOf(this.files, keys.partitions()) }),
      });
      planning.catch(() => undefined);
      // A connection failure (unreachable, not authorized) reaches the command's natsFailure, and
      // comes first, as when the files were planned only once connected.
      const nc = await connecting;
      traceMark('coordinator: connected');
      let items: Awaited<typeof planning>;
      try {
        items = await planning;
        traceMark(`coordinator: ${items.length} items planned`);
        // What a local eval refuses at its first batch (a missing column, a column of the wrong
        // type, an option the data rules out) is refused now, as it would say it, before anything
        // is published: a worker would meet it on every item. Files past a --limit are not read.
        const last = Math.max(-1, ...items.map((i) => i.file));
        const checked =
          this.#plan.limit === undefined || last < 0
            ? this.#plan
            : { ...this.#plan, files: this.files.slice(0, last + 1) };
        const checks = localEvalChecks(
          checked,
          keys,
          // A local eval reads the step column with a report only.
          this.#plan.report === undefined ? undefined : this.#spec.step,
        );
        await checks.checked.catch((e: unknown) => {
          this.#failedChecks = checks.source();
          throw e;
        });
        traceMark('coordinator: columns and options checked');
      } catch (e) {
        await nc.close().catch(() => undefined);
        throw e;
      }
      this.#items = items.length;
      settings.note(
        `run ${run}: ${items.length} ${items.length === 1 ? 'item' : 'items'} on ${settings.servers}`,
      );
      const byPath = new Map(items.map((i) => [i.path, this.files[i.file]!]));
      // Whether the run's chunks ended (completed, or failed with the run's own error).
      let ended = false;
      return nats
        .distributedChunks(nc, run, {
          items,
          keep: settings.keep,
          ...(settings.ackWaitMs === undefined ? {} : { ackWaitMs: settings.ackWaitMs }),
          ...(settings.maxDeliver === undefined ? {} : { maxDeliver: settings.maxDeliver }),
          ...(this.#plan.by === undefined
            ? {}
            : { groupBudget: groupBudget(this.#plan, (key) => workerKeyLabel(this.#plan.by!, key, keys)) }),
          onProgress: (p) => {
            if (p.itemsDone !== this.#itemsDone && (p.itemsDone === 1 || p.itemsDone === p.items))
              traceMark(`coordinator: ${p.itemsDone === 1 ? 'first' : 'last'} item's states received`);
            this.#itemsDone = p.itemsDone;
          },
          onWaiting: () =>
            settings.note(
              `waiting for workers: none is connected to ${settings.servers} (start one with: lossflow worker --nats ${settings.servers})`,
            ),
        })
        .pipe(
          tap({
            subscribe: () => traceMark('coordinator: run started'),
            complete: () => {
              ended = true;
              traceMark('coordinator: every item merged, run removed');
            },
            error: () => (ended = true),
          }),
          map((chunks) => this.#received(chunks, byPath)),
          tap((chunks) => {
            const c = chunks.losses[0] ?? chunks.metrics[0];
            if (c === undefined) return;
            const file = this.files.indexOf(c.file ?? '');
            if (file >= 0 && this.#firstBatch[file] === undefined) this.#firstBatch[file] = c.batch;
            if (file >= 0) this.#file = file;
            this.#rows += c.rows + c.skipped;
            this.#batches += 1;
            // Bytes in proportion to the rows: the items' bytes are known per item only.
            this.#bytes =
              this.#items === 0 ? 0 : Math.round((this.totalBytes * this.#itemsDone) / this.#items);
          }),
          finalize(() => {
            // Unsubscribed before the run ended: the eval failed on the merged states (a shape
            // that changed between files, a group budget, its outputs). The run has no result: it
            // is removed, or kept marked failed, never left as if it had finished.
            const failed = !ended;
            this.#closing = (async () => {
              if (failed) {
                await nats
                  .failRun(nc, run, {
                    keep: settings.keep,
                    reason: 'its coordinator failed on the merged states (see its output)',
                  })
                  .catch(() => undefined);
              }
              await nc.close().catch(() => undefined);
            })();
          }),
        );
    }
  }

  /**
   * A batch's chunks as the pass reduces them: named by the file as given, and with keys, each
   * group's values (sent by its worker) numbered across the run in the order they arrive, which is
   * the order the files' rows have them.
   */
  #received(chunks: PassChunks, byPath: ReadonlyMap<string, string>): PassChunks {
    const keys = this.#keys;
    const regroup = <G extends { readonly key: string | number }>(groups: readonly G[] | undefined) =>
      keys === undefined ? groups : groups?.map((g) => ({ ...g, key: keys.idOfText(String(g.key)) }));
    return {
      losses: chunks.losses.map((c) => ({
        ...c,
        file: byPath.get(c.file ?? '') ?? c.file,
        groups: regroup(c.groups),
      })),
      metrics: chunks.metrics.map((c) => ({
        ...c,
        file: byPath.get(c.file ?? '') ?? c.file,
        groups: regroup(c.groups),
      })),
    };
  }

  /**
   * Resolves once the run's connection is closed, and a run its consumer failed on is removed (or
   * marked failed): the command must not exit before.
   */
  closed(): Promise<void> {
    return this.#closing ?? Promise.resolve();
  }

  progress(): ReadProgress {
    if (this.#failedChecks !== undefined) return this.#failedChecks.progress();
    const seconds = Math.max(0.001, (Date.now() - this.#start) / 1000);
    // Grouped without ICU: this label is made after every batch merged.
    const rate = formatCount(this.#rows / seconds);
    return {
      file: this.files[this.#file] ?? '',
      bytesRead: this.#bytes,
      totalBytes: this.totalBytes,
      rows: this.#rows,
      batches: this.#batches,
      label: `items ${this.#itemsDone}/${this.#items}, ${rate} rows/s`,
    };
  }

  locate(batch: number): { file: string; batch: number } {
    if (this.#failedChecks !== undefined) return this.#failedChecks.locate(batch);
    let i = 0;
    while (i + 1 < this.#firstBatch.length && (this.#firstBatch[i + 1] ?? Infinity) <= batch) i++;
    return { file: this.files[i] ?? '', batch: batch - (this.#firstBatch[i] ?? 0) };
  }
}

/**
 * A key as a worker sends it, as the outputs show it: `epoch=3`; with several keys (which a worker
 * sends as its values' text, see `GroupKeys.valuesText`), `run=a epoch=3`.
 */
function workerKeyLabel(by: string, key: GroupKey, keys: GroupKeys | undefined): string {
  if (keys === undefined) return `${by}=${String(key)}`;
  const names = by.split(',').map((s) => s.trim());
  let values: unknown[];
  try {
    values = JSON.parse(String(key)) as unknown[];
  } catch {
    return `${by}=${String(key)}`;
  }
  return names
    .map((name, i) => {
      const v = values[i];
      return `${name}=${typeof v === 'object' && v !== null && 'n' in v ? String(v.n) : String(v)}`;
    })
    .join(' ');
}
