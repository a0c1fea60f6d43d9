import { ArrowReadError, readBatches, tensorLayout } from '@lossflow/arrow';
import { finalize, lossDescriptor } from '@lossflow/core';
import {
  type GroupKey,
  type GroupValue,
  type LossChunk,
  mergeWorkerLosses,
  reduce,
  reduceGroups,
  runningGroups,
} from '@lossflow/rx';
import type { Schema } from 'apache-arrow';
import { firstValueFrom, forkJoin, Subject, toArray } from 'rxjs';
import { batchMessage, schemaBytes } from './batchMessage.js';
import { ChainRegions } from './ChainRegions.js';
import { duplicateFile } from './duplicateFile.js';
import type { EvalSpec } from './evalSpec.js';
import { blockLayouts, ipcBlocks } from './ipcBlocks.js';
import type { ChainRegion } from './ipcChain.js';
import { lossPlans } from './lossOperators.js';
import { RegionBuilder, spanBytes } from './ReadRegion.js';
import { RunFailure } from './RunFailure.js';
import { readAhead } from './readAhead.js';
import { runningTotal } from './runningTotal.js';
import {
  type ChainBatch,
  type ErrorData,
  errorData,
  type FromWorker,
  type WorkerChunk,
} from './workerMessages.js';
import { type WorkerFactory, WorkerPool } from './workerPool.js';

/** The final value of one loss, with the fields of the CLI's JSON `results` entries. */
export interface LossResult {
  /** The CLI's name (`cross-entropy`). */
  readonly loss: string;
  readonly reduction: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly columns: Readonly<Record<string, string>>;
  readonly value: number;
  readonly rows: number;
  /** Per group, with the batches that held rows of it (the CLI's CSV `batches`). */
  readonly groups?: readonly (GroupValue & { readonly batches: number })[];
}

/** Everything a finished run found: what `lossflow eval --format json` reports. */
export interface RunResult {
  readonly rows: number;
  /** Batches read (the CLI's CSV `batches` of a total). */
  readonly batches: number;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly columns: readonly string[];
  readonly by?: readonly string[];
  readonly results: readonly LossResult[];
}

/** How far a run has got. */
export interface RunProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Rows whose losses are computed and merged. */
  readonly rows: number;
  readonly batches: number;
  /**
   * Record batch headers of Arrow IPC streams this thread read to plan the workers' reads: one
   * per batch until the workers walk a stream themselves (see `ChainRegions`), none after.
   */
  readonly headers: number;
  /** Milliseconds since the run started. */
  readonly elapsed: number;
}

/** What the page is told while a run goes. */
export interface RunHooks {
  onProgress?(p: RunProgress): void;
  /** Each batch's chunk of loss `loss`, in batch order, with the running values of the groups it touched. */
  onChunk?(loss: number, chunk: LossChunk, batchValue: number, running: readonly GroupValue[]): void;
}

/** Options of {@link runEval}. */
export interface RunOptions extends RunHooks {
  readonly workers: WorkerFactory;
  readonly threads: number;
  readonly signal?: AbortSignal;
  /**
   * Takes the run's workers when it ends well (every job answered), for another run (see
   * `WarmWorkers`); without it, or when the run fails or is cancelled, they are terminated.
   */
  readonly keep?: (workers: Worker[]) => void;
}

/**
 * Evaluates the losses of `spec` over `files` as one stream (as `lossflow eval FILE… --by KEY`
 * does): an Arrow IPC stream's message headers are read here and its batches planned in spans of
 * the file that the workers read and compute themselves, in parallel; any other file is read here
 * as a stream of record batches (a `File` is read in slices, never whole), each batch's columns
 * sent to the least busy worker. This thread merges the workers' chunks back in batch order, so
 * the values are the CLI's to the bit for any number of workers.
 * Resolves with the result only when every row was computed; any failure (reading, a loss, a
 * cancel) rejects with a {@link RunFailure} and no result.
 *
 * @example
 * const result = await runEval([file], spec, { workers: () => new ComputeWorker(), threads: 4 });
 */
export async function runEval(
  files: readonly File[],
  spec: EvalSpec,
  options: RunOptions,
): Promise<RunResult> {
  const started = performance.now();
  const plans = lossPlans(spec);
  const totalBytes = files.reduce((n, f) => n + f.size, 0);
  const subjects = plans.map(() => new Subject<LossChunk>());
  // Batches computed but not yet merged (they finish out of order), and the first failure by batch.
  const done = new Map<number, WorkerChunk[]>();
  const failures = new Map<number, ErrorData>();
  const wholeFile = new Set<number>();
  const fileOf: { first: number; name: string }[] = [];
  let nextMerge = 0;
  let mergedRows = 0;
  let bytesBefore = 0;
  let readerBytes = 0;
  let headers = 0;
  /** Bytes of the files up to the end of the last batch merged (of an IPC stream the workers read). */
  let mergedBytes = 0;
  const endOf = new Map<number, number>();
  let failure: RunFailure | undefined;
  let wake: (() => void) | undefined;

  const locate = (index: number | undefined): { file: string | undefined; batch: number | undefined } => {
    if (index === undefined) return { file: undefined, batch: undefined };
    let at: { first: number; name: string } | undefined;
    for (const f of fileOf) if (f.first <= index) at = f;
    return { file: at?.name, batch: at === undefined ? index : index - at.first };
  };
  // Batches are numbered over all files here, per file in the CLI's words: `index` (the batch
  // that failed) and an earlier shape's batch are told as file and batch within it; an error about
  // a whole file (it does not open) names no batch, as the CLI's does not.
  const fail = (data: ErrorData, index: number | undefined): void => {
    if (failure !== undefined) return;
    const where = locate(index);
    const first = locate(data.firstBatch);
    const whole = index !== undefined && wholeFile.has(index);
    failure = new RunFailure({
      ...data,
      file: data.file ?? where.file,
      batch: whole ? undefined : (where.batch ?? data.batch),
      firstBatch: first.batch,
      firstFile: first.file ?? data.firstFile,
    });
    pool.close();
    wake?.();
  };
  const progress = (): void =>
    options.onProgress?.({
      bytesRead: Math.max(bytesBefore + readerBytes, mergedBytes),
      totalBytes,
      rows: mergedRows,
      batches: nextMerge,
      headers,
      elapsed: performance.now() - started,
    });

  // Running values per loss: fed synchronously as chunks are merged.
  const running = plans.map(() => [] as GroupValue[]);
  const runningSubs = subjects.map((s, i) =>
    // Without a key the chunks carry no groups: the one curve is the running total.
    s.pipe((spec.by === undefined ? runningTotal : runningGroups)(spec.losses[i]!.reduction)).subscribe({
      next: (v) => running[i]!.push(v),
      // A shape that changes between batches ends the run at once, not after the last batch.
      error: (e: unknown) => {
        const data = errorData(e);
        fail(data, data.batch);
      },
    }),
  );
  const finals = firstValueFrom(
    forkJoin(
      subjects.map((s, i) => {
        const r = spec.losses[i]!.reduction;
        return forkJoin([
          s.pipe(reduce(r)),
          spec.by === undefined ? [undefined] : s.pipe(reduceGroups(r), toArray()),
        ]);
      }),
    ),
  );
  finals.catch(() => undefined);

  const merge = (): void => {
    for (;;) {
      if (failure !== undefined) return;
      const failed = failures.get(nextMerge);
      if (failed !== undefined) {
        fail(failed, nextMerge);
        return;
      }
      const chunks = done.get(nextMerge);
      if (chunks === undefined) return;
      done.delete(nextMerge);
      const where = locate(nextMerge);
      chunks.forEach((c, i) => {
        const chunk: LossChunk = {
          loss: plans[i]!.spec.name,
          batch: nextMerge,
          ...c,
          perRow: undefined,
          source: undefined,
          ...(where.file === undefined ? {} : { file: where.file }),
        };
        running[i]!.length = 0;
        subjects[i]!.next(chunk);
        const value = chunk.rows === 0 ? Number.NaN : finalize(c.state, spec.losses[i]!.reduction);
        options.onChunk?.(i, chunk, value, running[i]!);
      });
      chunks.forEach((c, i) => {
        rowsSum[i] = (rowsSum[i] ?? 0) + c.rows;
        // A key counted once per batch, however many runs of it the batch holds.
        groupBatches[i] ??= new Map<GroupKey, number>();
        const counts = groupBatches[i]!;
        const seen = new Set<GroupKey>();
        for (const g of c.groups ?? []) {
          if (seen.has(g.key)) continue;
          seen.add(g.key);
          counts.set(g.key, (counts.get(g.key) ?? 0) + 1);
        }
      });
      mergedRows += rowsOf.get(nextMerge) ?? 0;
      rowsOf.delete(nextMerge);
      mergedBytes = Math.max(mergedBytes, endOf.get(nextMerge) ?? 0);
      endOf.delete(nextMerge);

      nextMerge++;
      progress();
      wake?.();
    }
  };
  const rowsOf = new Map<number, number>();
  /** Takes the replies of the workers' walks of a stream (see `chainFrom`) while they are out. */
  let chainReply: ((reply: Extract<FromWorker, { type: 'chain' }>) => void) | undefined;
  // Batches cut into row ranges, until every range is back: each range's chunks, and the first range that failed.
  const partsOf = new Map<number, { chunks: WorkerChunk[][]; left: number; failedPart?: number }>();
  const partOfJob = new Map<number, number>();
  const rowsSum: number[] = [];
  const groupBatches: Map<GroupKey, number>[] = [];
  const pool = new WorkerPool(options.workers, Math.max(1, options.threads), (reply: FromWorker) => {
    const part = reply.type === 'ready' || reply.job === undefined ? undefined : partOfJob.get(reply.job);
    if (part !== undefined) partOfJob.delete((reply as { job: number }).job);
    if (reply.type === 'chain') chainReply?.(reply);
    else if (reply.type === 'chunks') {
      const parts = partsOf.get(reply.index);
      if (parts === undefined) done.set(reply.index, reply.chunks);
      else {
        parts.chunks[reply.part] = reply.chunks;
        if (--parts.left === 0) {
          partsOf.delete(reply.index);
          try {
            // The row ranges' chunks merged in row order: the CLI's merge, so its bits.
            done.set(reply.index, mergeWorkerLosses(parts.chunks));
          } catch (e) {
            failures.set(reply.index, errorData(e));
          }
        }
      }
    } else if (reply.type === 'error') {
      if (reply.index === undefined) fail(reply.error, undefined);
      // The failure of a batch cut into row ranges is its first range's that failed, as the CLI's.
      else {
        const parts = partsOf.get(reply.index);
        const at = part ?? 0;
        if (parts === undefined || parts.failedPart === undefined || at < parts.failedPart) {
          failures.set(reply.index, reply.error);
          if (parts !== undefined) parts.failedPart = at;
        }
      }
    }
    merge();
  });
  const abort = (): void =>
    fail(
      errorData(
        new ArrowReadError('ABORTED', 'the run was cancelled', { hint: 'Start it again to get a result.' }),
      ),
      undefined,
    );
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();

  /** Every batch was merged and the result is being returned: the workers have nothing left to do. */
  let ended = false;
  let columns: string[] = [];
  let firstSchema: Schema | undefined;
  let index = 0;
  try {
    if (failure === undefined) {
      const twice = duplicateFile(files);
      if (twice !== undefined) fail({ ...errorData(new Error(twice)), name: 'UsageError' }, undefined);
    }
    // The workers start (each parses its script and compiles the kernels, a few hundred ms on a
    // busy machine) while this thread opens the files and reads their message headers: work sent
    // before they are ready waits in their queues, behind `init`. A cancel or a crashed worker
    // rejects this; `failure` then says why. A file's failure is recorded only once the workers
    // are ready, so theirs (a kernel that cannot load) still comes first, as it did.
    const ready = pool.init(spec).catch((e: unknown) => fail(errorData(e), undefined));
    for (const file of files) {
      if (failure !== undefined) break;
      fileOf.push({ first: index, name: file.name });
      let names: string[];
      let layouts: ReturnType<typeof blockLayouts>;
      let columnsByLoss: Record<string, string>[] = [];
      let read: string[] = [];
      try {
        const opened = await columnsOf(file, plans, spec.by);
        names = opened.names;
        firstSchema ??= opened.schema;
        if (opened.format === 'arrow-stream') {
          columnsByLoss = plans.map((p) => p.columns(opened.schema));
          // Every column the losses read, each once, in the order the CLI's worker pool takes them.
          read = [...new Set(columnsByLoss.flatMap((c) => Object.values(c)))];
          layouts = blockLayouts(opened.schema, read);
        } else layouts = undefined;
      } catch (e) {
        await ready;
        failures.set(index, errorData(e));
        if (!(e instanceof ArrowReadError && e.code === 'BAD_COLUMN_TYPE')) wholeFile.add(index);
        merge();
        break;
      }
      if (columns.length === 0) columns = names;
      if (layouts !== undefined) {
        // An Arrow IPC stream: this thread reads only message headers (checked as the CLI's pool
        // checks them) and plans each batch's reads, cut into the CLI's row ranges; the plans of
        // consecutive batches go out in regions (spans of the file of up to 64 MiB), each to the
        // least busy worker, which reads its span through one stream of its own and computes each
        // plan as its bytes come in. The workers thus read the file in parallel, spans in about
        // the file's order, and no bytes of a batch pass through this thread.
        const regionBytes = spanBytes(file.size, pool.size);
        const regions = new RegionBuilder(regionBytes);
        const sendRegion = async (): Promise<void> => {
          await pool.slot(REGIONS_PER_WORKER);
          if (failure !== undefined) return;
          const region = regions.take();
          const jobs = pool.sendRegion({ file, region, names: read, layouts, columns: columnsByLoss });
          for (const [k, item] of region.items.entries())
            if (partsOf.has(item.index)) partOfJob.set(jobs[k]!, item.part);
        };
        /**
         * Walks the rest of the stream from the message at `start` in regions the workers walk
         * themselves (see `ChainRegions`), so this thread reads no more headers (`batchesBefore`:
         * the record batch messages before `start`). Resolves with where a batch the CLI cuts into
         * row ranges starts (this thread plans it and the rest), or `undefined` when the stream
         * ended or failed.
         */
        const chainFrom = async (
          start: number,
          batchesBefore: number,
        ): Promise<{ at: number; batchesBefore: number } | undefined> => {
          const chain = new ChainRegions<ChainBatch, ErrorData>(start, file.size, regionBytes, batchesBefore);
          const keyOf = new Map<number, number>();
          const send = (region: ChainRegion): void => {
            const job = pool.sendChain({ file, region, names: read, layouts, columns: columnsByLoss });
            if (job !== undefined) keyOf.set(job, region.key);
          };
          chainReply = (reply) => {
            const key = keyOf.get(reply.job);
            keyOf.delete(reply.job);
            if (key === undefined) return;
            let settled: ReturnType<typeof chain.settle>;
            try {
              settled = chain.settle(key, reply);
            } catch (e) {
              fail(errorData(e), undefined);
              return;
            }
            for (const r of settled.accepted) {
              for (const b of r.batches) {
                rowsOf.set(index, b.rows);
                endOf.set(index, bytesBefore + b.end);
                done.set(index, b.chunks);
                index++;
              }
              if (r.error !== undefined) failures.set(index, r.error);
            }
            for (const region of settled.resend) send(region);
            wake?.();
          };
          try {
            for (
              let region = chain.take();
              region !== undefined && failure === undefined;
              region = chain.take()
            ) {
              await pool.slot(REGIONS_PER_WORKER);
              if (failure !== undefined || chain.end !== undefined) break;
              send(region);
            }
            while (failure === undefined && chain.end === undefined) {
              await new Promise<void>((resolve) => {
                wake = resolve;
              });
              wake = undefined;
            }
          } finally {
            chainReply = undefined;
          }
          return chain.end?.kind === 'big' ? chain.end : undefined;
        };
        // Where this thread reads headers from: the start, then where the workers' walk left a
        // batch to it. It leaves the walk to them once a few batches in a row are read whole.
        let seek: { at: number; batchesBefore: number } | undefined;
        try {
          for (;;) {
            let whole = 0;
            let chainAt: { at: number; batchesBefore: number } | undefined;
            const probing = seek === undefined && layouts.every((l) => l.list === undefined);
            // The headers are read ahead of the workers, so a free worker never waits for one.
            const blocks = ipcBlocks(
              file,
              read,
              layouts,
              seek?.at,
              index - fileOf.at(-1)!.first,
              seek?.batchesBefore,
            );
            for await (const block of readAhead(blocks, probing ? CHAIN_PROBE : SCAN_AHEAD)) {
              if (failure !== undefined) break;
              headers++;
              rowsOf.set(index, block.rows);
              endOf.set(index, bytesBefore + block.end);
              if (block.plans.length > 1)
                partsOf.set(index, { chunks: block.plans.map(() => []), left: block.plans.length });
              for (const [part, plan] of block.plans.entries()) {
                if (!regions.fits(plan)) {
                  await sendRegion();
                  if (failure !== undefined) break;
                }
                regions.add(index, part, plan);
              }
              index++;
              whole = block.plans.length === 1 ? whole + 1 : 0;
              if (probing && whole >= CHAIN_PROBE && file.size - block.end >= 2 * regionBytes) {
                chainAt = { at: block.end, batchesBefore: block.recordBatches };
                break;
              }
            }
            if (failure === undefined && !regions.empty) await sendRegion();
            if (chainAt === undefined || failure !== undefined) break;
            seek = await chainFrom(chainAt.at, chainAt.batchesBefore);
            if (seek === undefined) break;
          }
        } catch (e) {
          // The batches before the one that failed are computed first: the CLI reports their
          // errors before this one.
          if (failure === undefined && !regions.empty) await sendRegion();
          await ready;
          failures.set(index, errorData(e));
          merge();
          break;
        }
        bytesBefore += file.size;
        readerBytes = 0;
        continue;
      }
      const reader = readBatches(file, {
        columns: names,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onProgress: (p) => {
          readerBytes = p.bytesRead;
        },
      });
      const schemaId = fileOf.length;
      let schema: Uint8Array | undefined;
      try {
        for await (const batch of reader) {
          await pool.slot();
          if (failure !== undefined) break;
          rowsOf.set(index, batch.numRows);
          schema ??= schemaBytes(batch.schema);
          const transfer: ArrayBuffer[] = [];
          pool.send(index, batchMessage(batch, schemaId, schema, transfer), transfer);
          index++;
          progress();
        }
      } catch (e) {
        await ready;
        failures.set(index, errorData(e));
        merge();
        break;
      } finally {
        await reader.close();
      }
      bytesBefore += file.size;
      readerBytes = 0;
    }
    await ready;
    // Every batch sent is merged (or a failure ends the wait).
    while (failure === undefined && (nextMerge < index || pool.outstanding > 0)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      merge();
    }
    if (failure !== undefined) throw failure;
    for (const s of subjects) s.complete();
    let values: [number, GroupValue[] | undefined][];
    try {
      values = (await finals) as [number, GroupValue[] | undefined][];
    } catch (e) {
      const data = errorData(e);
      fail(data, data.batch);
      throw failure ?? new RunFailure(data);
    }
    progress();
    ended = true;
    return {
      rows: mergedRows,
      batches: nextMerge,
      files: files.map((f) => ({ path: f.name, bytes: f.size })),
      columns,
      ...(spec.by === undefined ? {} : { by: [spec.by] }),
      results: spec.losses.map((loss, i) => {
        const [value, groups] = values[i]!;
        const descriptor = lossDescriptor(loss.name);
        return {
          loss: descriptor?.cliName ?? loss.name,
          reduction: loss.reduction,
          options: loss.options,
          columns: resolvedColumns(plans[i]!.columns, firstSchema!),
          value,
          rows: rowsSum[i] ?? 0,
          ...(groups === undefined
            ? {}
            : { groups: groups.map((g) => ({ ...g, batches: groupBatches[i]?.get(g.key) ?? 0 })) }),
        };
      }),
    };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    for (const sub of runningSubs) sub.unsubscribe();
    if (ended && options.keep !== undefined) {
      const kept = pool.release();
      if (kept.length > 0) options.keep(kept);
    }
    pool.close();
  }
}

/**
 * Record batches whose headers are read and planned ahead of the workers: plans are a few numbers
 * each, so this bounds nothing but how far the scan runs ahead.
 */
const SCAN_AHEAD = 256;

/**
 * Batches in a row that are read whole (not cut into row ranges) before the workers walk the rest
 * of a stream themselves (see `ChainRegions`).
 */
const CHAIN_PROBE = 8;

/**
 * Regions out per worker: the one it reads and computes, and the next, queued, so it goes on
 * with it at once (a region is a few numbers per plan; its bytes are read by the worker).
 */
const REGIONS_PER_WORKER = 2;

/** The CLI's fix for a `--by` column that is not numbers (the library's hint is about loss inputs). */
const BY_TYPE_FIX =
  '--by takes an integer or floating-point column (one key per row), not strings or dictionaries: write the key as integer codes (e.g. an epoch or user id), or pick another column.';

/**
 * The columns the run reads from `file`, in the file's order, as the CLI's `evalColumns` picks
 * them: each loss's role columns (given or auto-detected) and the grouping column.
 *
 * @throws {ArrowReadError} `MISSING_COLUMN`, listing the file's columns, as the CLI words it.
 */
async function columnsOf(
  file: File,
  plans: ReturnType<typeof lossPlans>,
  by: string | undefined,
): Promise<{ names: string[]; schema: Schema; format: string }> {
  const reader = readBatches(file);
  let schema: Schema;
  let format: string;
  try {
    schema = await reader.schema();
    format = await reader.format();
  } finally {
    await reader.close();
  }
  const wanted = new Set<string>();
  for (const plan of plans) {
    for (const [role, column] of Object.entries(plan.columns(schema)))
      if (!role.startsWith('\u0000')) wanted.add(column);
  }
  if (by !== undefined) {
    if (!schema.fields.some((f) => f.name === by)) {
      const near = schema.fields.find((f) => f.name.toLowerCase() === by.toLowerCase());
      const available = schema.fields.map((f) => `${f.name} (${String(f.type)})`).join(', ');
      throw new ArrowReadError('MISSING_COLUMN', `no column '${by}'; available: ${available}`, {
        file: file.name,
        column: by,
        hint:
          near === undefined
            ? 'Group by one of the available columns.'
            : `Did you mean ${near.name}? Column names are case-sensitive.`,
      });
    }
    // A key must be numbers, one per row; the CLI says so for a string column at its first batch.
    const field = schema.fields.find((f) => f.name === by)!;
    const layout = tensorLayout(field);
    if (!layout.usable)
      throw new ArrowReadError(layout.code, `${layout.reason} (type ${String(field.type)})`, {
        file: file.name,
        column: by,
        hint: layout.code === 'BAD_COLUMN_TYPE' ? BY_TYPE_FIX : layout.hint,
      });
    wanted.add(by);
  }
  return { names: schema.fields.map((f) => f.name).filter((n) => wanted.has(n)), schema, format };
}

/** A loss's columns by role (its grouping and step entries left out), for the JSON's `columns`. */
function resolvedColumns(
  columns: (schema: Schema) => Record<string, string>,
  schema: Schema,
): Record<string, string> {
  return Object.fromEntries(Object.entries(columns(schema)).filter(([role]) => !role.startsWith('\u0000')));
}
