/**
 * The worker pool against the in-thread reader: the same per-batch results, in batch order, for
 * any number of threads, Arrow IPC streams and files, and a row limit; errors of a batch after the
 * results before it, with the batch index; a dying worker, an abort and `close()` end every worker;
 * the batches in flight stay within the window. The task is a small module written per test run.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId, Worker } from 'node:worker_threads';
import {
  Float32,
  Int32,
  Int64,
  makeData,
  Null,
  RecordBatchFileWriter,
  RecordBatchStreamWriter,
  type Schema,
  Table,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { registerErrorCodec } from '../errors/errorCodec.js';
import { FileByteReader } from '../io/FileByteReader.js';
import { checkFileVersionSync } from '../io/fileVersion.js';
import { scanIpcBytes } from '../ipc/scanIpcBlocks.js';
import type { ReadProgress } from '../read/readBatches.js';
import { readFile } from '../read/readFile.js';
import { batchTensors } from '../tensors/batchTensors.js';
import { batchOf, fixedList, list, primitive } from '../testing/batches.js';
import { damagedParquet, tempDir } from '../testing/files.js';
import { writeParquet } from '../write/writeParquet.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { BatchRunner } from './BatchRunner.js';
import { fileParts } from './fileParts.js';
import {
  mapBatchesInWorkers,
  type WorkerPlan,
  type WorkerReadOptions,
  type WorkerResult,
} from './mapBatchesInWorkers.js';
import { endWaitingWorkers, prestartWorkers, takeWorker, waitingWorkers } from './prestartWorkers.js';
import type { WorkerRequest } from './workerProtocol.js';

// Counts the pool's checks for changes (a wrapper: they check as before).
vi.mock('../io/fileVersion.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../io/fileVersion.js')>();
  return { ...original, checkFileVersionSync: vi.fn(original.checkFileVersionSync) };
});

// Counts the workers pools start (a wrapper: they start as before).
vi.mock('./prestartWorkers.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./prestartWorkers.js')>();
  return { ...original, takeWorker: vi.fn(original.takeWorker) };
});

// Worker threads start slowly on a busy machine (turbo runs the packages' tests side by side).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const LOG = { rows: 700, classes: 4, epochs: 2, batchRows: 64, ignoreShare: 0.1 };
const COLUMNS = { input: 'logits', target: 'target' };

let dir: string;
let cleanup: () => Promise<void>;
let task: string;
const logs: Record<'stream' | 'file' | 'parquet', string> = { stream: '', file: '', parquet: '' };

/**
 * Sums each role's tensor. `data` may ask it to count runs in a shared counter (slot 0), to beat
 * a heartbeat (slot 1), to throw a PlantedError at a batch whose first target is given, or to end
 * the worker on its n-th batch, or to throw on the first batch any worker runs, or to take
 * `setupMs` to set a worker up (slot 3 counts the setups done).
 */
const TASK = (worker: string) => `
import { isMainThread, threadId } from 'node:worker_threads';
import { registerErrorCodec } from ${JSON.stringify(worker)};
${PLANTED_ERROR}
registerErrorCodec(plantedErrorCodec);
let data;
let counter;
let runs = 0;
let heartbeat;
// Once per pool: a worker thread serves the next pool when its pool is done.
export function setup(d) {
  data = d;
  runs = 0;
  counter = d.counter === undefined ? undefined : new Int32Array(d.counter);
  clearInterval(heartbeat);
  if (d.heartbeat) heartbeat = setInterval(() => Atomics.add(counter, 1, 1), 2);
  // A worker that starts slowly: its setup ends (slot 3) setupMs later.
  if (d.setupMs !== undefined && !isMainThread)
    return new Promise((resolve) => setTimeout(resolve, d.setupMs)).then(() => Atomics.add(counter, 3, 1));
}
export function run(batch) {
  if (counter !== undefined) Atomics.add(counter, 0, 1);
  const { tensors, rows, skipped } = batch.tensors(data.columns, { nulls: data.nulls });
  const first = tensors.target === undefined ? undefined : Number(tensors.target.data[0]);
  runs++;
  const firstRun = data.throwFirst === true && Atomics.add(counter, 2, 1) === 0;
  if ((data.throwAt !== undefined && first === data.throwAt) || firstRun) {
    throw new PlantedError('TARGET_OUT_OF_RANGE', { loss: 'test', row: 3 });
  }
  if (data.plainAt !== undefined && first === data.plainAt) {
    // An error of a class no codec knows (as a LossError is where rx's codec is not registered).
    throw Object.assign(new Error('a plain error'), { name: 'LossError', code: 'TARGET_OUT_OF_RANGE', loss: 'test', row: 3, hint: 'Fix it.' });
  }
  if (data.unpostableAt !== undefined && first === data.unpostableAt) return { sums: () => 0 };
  if (runs === data.exitAfter) process.exit(3);
  if (data.sleepMs !== undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, data.sleepMs);
  const sums = {};
  for (const [role, t] of Object.entries(tensors)) {
    let s = 0;
    for (const v of t.data) s += Number(v);
    sums[role] = s;
  }
  return data.threadIds === true ? { rows, skipped, sums, threadId } : { rows, skipped, sums };
}
`;

/**
 * An error class of another package, with a code and context, and its codec: registered in the
 * task module and in this thread, it crosses from the worker with its class and fields.
 */
const PLANTED_ERROR = `
class PlantedError extends Error {
  constructor(code, context) {
    super(code + ': a planted error (batch ' + context.batch + ', row ' + context.row + ')');
    this.name = 'PlantedError';
    this.code = code;
    Object.assign(this, context);
  }
}
const plantedErrorCodec = {
  name: 'PlantedError',
  // By name: the task module and this thread each define the class (one module instance apiece).
  is: (e) => e instanceof Error && e.name === 'PlantedError',
  encode: (e) => ({ code: e.code, context: { loss: e.loss, row: e.row, batch: e.batch } }),
  decode: (d, more) => new PlantedError(d.code, { ...more, ...Object.fromEntries(Object.entries(d.context).filter(([, v]) => v !== undefined)) }),
};
`;
const { PlantedError, plantedErrorCodec } = new Function(
  `${PLANTED_ERROR}; return { PlantedError, plantedErrorCodec };`,
)();

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  task = join(dir, 'sumTask.mjs');
  registerErrorCodec(plantedErrorCodec);
  writeFileSync(task, TASK(pathToFileURL(new URL('../../dist/worker.js', import.meta.url).pathname).href));
  logs.stream = join(dir, 'log.arrows');
  logs.file = join(dir, 'log.arrow');
  await writeTrainingLog(logs.stream, 'arrow-stream', LOG);
  await writeTrainingLog(logs.file, 'arrow-file', LOG);
  logs.parquet = join(dir, 'log.parquet');
  await writeTrainingLog(logs.parquet, 'parquet', LOG);
});
afterAll(() => cleanup());

interface Sums {
  rows: number;
  skipped: number;
  sums: Record<string, number>;
}

function plan(data: Record<string, unknown> = {}, columns: Record<string, string> = COLUMNS) {
  return () => ({
    columns: Object.values(columns),
    task: { module: pathToFileURL(task), data: { columns, nulls: 'error', ...data } },
  });
}

/** What the task computes, in this thread, from the in-thread reader. */
async function inThread(path: string, limit?: number): Promise<Sums[]> {
  const out: Sums[] = [];
  for await (const batch of readFile(path, limit === undefined ? {} : { limit })) {
    const { tensors, rows, skipped } = batchTensors(batch, COLUMNS);
    const sums: Record<string, number> = {};
    for (const [role, t] of Object.entries(tensors)) {
      let s = 0;
      for (const v of t.data as Iterable<number | bigint>) s += Number(v);
      sums[role] = s;
    }
    out.push({ rows, skipped, sums });
  }
  return out;
}

async function collect(
  path: string,
  p: (schema: Schema) => WorkerPlan<Sums>,
  options: WorkerReadOptions,
): Promise<{ results: Sums[]; error: unknown }> {
  const results: Sums[] = [];
  try {
    for await (const { index, value } of mapBatchesInWorkers<Sums>(path, p, options)) {
      expect(index).toBe(results.length);
      results.push(value);
    }
    return { results, error: undefined };
  } catch (error) {
    return { results, error };
  }
}

describe('mapBatchesInWorkers', () => {
  it.each([
    ['stream', 1],
    ['stream', 2],
    ['stream', 3],
    ['file', 2],
    ['parquet', 1],
    ['parquet', 3],
  ] as const)(
    'an %s input with %i threads gives the in-thread results in batch order',
    async (format, threads) => {
      const { results, error } = await collect(logs[format], plan(), { threads });
      expect(error).toBeUndefined();
      expect(results).toEqual(await inThread(logs[format]));
      expect(results.length).toBe(Math.ceil(LOG.rows / LOG.batchRows) * LOG.epochs);
    },
  );

  it.each([
    ['stream', 1],
    ['stream', 2],
    ['file', 3],
    ['parquet', 1],
    ['parquet', 2],
  ] as const)(
    'an %s input with this thread as one of %i threads gives the same results; with 1, no worker runs (Parquet: one worker decodes it)',
    async (format, threads) => {
      const { results, error } = await collect(logs[format], plan({ threadIds: true }), {
        threads,
        inThisThread: true,
      });
      expect(error).toBeUndefined();
      const ids = new Set(results.map((r) => (r as Sums & { threadId: number }).threadId));
      expect(results.map(({ rows, skipped, sums }) => ({ rows, skipped, sums }))).toEqual(
        await inThread(logs[format]),
      );
      // Parquet with one thread: the worker that reads the footer decodes it all.
      if (format === 'parquet' && threads === 1) expect(ids.has(threadId)).toBe(false);
      else if (threads === 1) expect([...ids]).toEqual([threadId]);
      expect(ids.size).toBeLessThanOrEqual(threads);
    },
  );

  it('with this thread computing jobs, reads a Parquet footer the fast path parses here: no worker is asked for it', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const asked = () =>
      posted.mock.calls.filter(([m]) => (m as { type?: string })?.type === 'parquetMeta').length;
    try {
      const inline = await collect(logs.parquet, plan(), { threads: 2, inThisThread: true });
      expect(inline.error).toBeUndefined();
      expect(inline.results).toEqual(await inThread(logs.parquet));
      expect(asked()).toBe(0);
      // Without this thread computing, the first worker reads it (it may need parquet-wasm).
      const workers = await collect(logs.parquet, plan(), { threads: 2 });
      expect(workers.results).toEqual(inline.results);
      expect(asked()).toBe(1);
    } finally {
      posted.mockRestore();
    }
  });

  it("takes an Arrow IPC file's schema from its footer, never through the in-thread reader (which reads the first batch whole)", async () => {
    const over = vi.spyOn(FileByteReader, 'over');
    let seen: Schema | undefined;
    const p = plan();
    let outcome: Awaited<ReturnType<typeof collect>>;
    try {
      outcome = await collect(
        logs.file,
        (schema) => {
          seen = schema;
          return p();
        },
        { threads: 2 },
      );
      expect(over).not.toHaveBeenCalled();
    } finally {
      over.mockRestore();
    }
    expect(outcome.error).toBeUndefined();
    expect(outcome.results).toEqual(await inThread(logs.file));
    const inThisThread = await readFile(logs.file).schema();
    expect(seen?.fields.map((f) => `${f.name}: ${f.type} ${f.nullable}`)).toEqual(
      inThisThread.fields.map((f) => `${f.name}: ${f.type} ${f.nullable}`),
    );
  });

  it('pools sharing this thread each run the task with their own setup', async () => {
    const sumsOf = (columns: Record<string, string>) =>
      collect(logs.stream, plan({}, columns), { threads: 1, inThisThread: true });
    const alone = [await sumsOf(COLUMNS), await sumsOf({ input: 'logits' })];
    const together = await Promise.all([sumsOf(COLUMNS), sumsOf({ input: 'logits' })]);
    expect(together).toEqual(alone);
    expect(alone[0]!.results[0]!.sums.target).toBeDefined();
    expect(alone[1]!.results[0]!.sums.target).toBeUndefined();
  });

  it.each([
    ['stream', { threads: 2 }],
    ['stream', { threads: 1, inThisThread: true }],
    ['parquet', { threads: 2, inThisThread: true }],
  ] as const)(
    'close() while the first next() waits for the %s to open settles it with CLOSED and ends every thread: %o',
    async (format, options) => {
      // A worker thread is an OS thread of this process until it has ended.
      const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
      const before = threads();
      for (let i = 0; i < 5; i++) {
        const reader = mapBatchesInWorkers(logs[format], plan(), options);
        const first = reader[Symbol.asyncIterator]()
          .next()
          .catch((e: unknown) => e);
        await reader.close();
        expect(await first).toMatchObject({ code: 'CLOSED' });
      }
      // Five leaked workers would be five threads more; V8 may start a helper thread of its own.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(threads()).toBeLessThanOrEqual(before + 2);
    },
  );

  it('a Parquet file cut short is TRUNCATED, as the in-thread reader says', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(logs.parquet);
    const path = join(dir, 'cut.parquet');
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    for (const options of [{ threads: 2 }, { threads: 1, inThisThread: true }]) {
      const { results, error } = await collect(path, plan(), options);
      expect(results).toEqual([]);
      expect(error).toMatchObject({ code: 'TRUNCATED', file: path });
    }
  });

  it.each(['stream', 'parquet'] as const)(
    'stops a %s at a row limit inside a batch, as the in-thread reader does',
    async (format) => {
      const { results } = await collect(logs[format], plan(), { threads: 2, limit: 300 });
      expect(results).toEqual(await inThread(logs[format], 300));
      expect(results.reduce((n, r) => n + r.rows, 0)).toBe(300);
    },
  );

  it.each([{ threads: 2 }, { threads: 1, inThisThread: true }, { threads: 2, inThisThread: true }])(
    'hands out the results before a failing batch, then its error with the batch index and row: %o',
    async (options) => {
      const rows = (targets: number[], nulls: number[] = []) =>
        batchOf({
          logits: fixedList(2, primitive(new Float32(), new Float32Array(targets.length * 2))),
          target: primitive(new Int64(), BigInt64Array.from(targets, BigInt), nulls),
        });
      const path = join(dir, 'nulls.arrows');
      writeFileSync(
        path,
        RecordBatchStreamWriter.writeAll([
          rows([0, 1]),
          rows([1, 1]),
          rows([0, 0, 1, 0], [2]),
          rows([1]),
        ]).toUint8Array(true),
      );
      const { results, error } = await collect(path, plan(), options);
      expect(results.length).toBe(2);
      expect(error).toBeInstanceOf(ArrowReadError);
      expect(error).toMatchObject({ code: 'NULL_VALUE', batch: 2, row: 2, column: 'target' });

      const skipped = await collect(path, plan({ nulls: 'skip' }), options);
      expect(skipped.results.map((r) => [r.rows, r.skipped])).toEqual([
        [2, 0],
        [2, 0],
        [3, 1],
        [1, 0],
      ]);

      const thrown = await collect(path, plan({ throwAt: 1 }), options);
      expect(thrown.results.length).toBe(1);
      expect(thrown.error).toBeInstanceOf(PlantedError);
      expect(thrown.error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 1, row: 3, loss: 'test' });
      expect((thrown.error as Error).message).toMatch(/batch 1, row 3/);
    },
  );

  it('takes prestarted workers, which load the task module before they are set up', async () => {
    prestartWorkers(2, [pathToFileURL(task)]);
    const { results, error } = await collect(logs.stream, plan(), { threads: 3 });
    expect(error).toBeUndefined();
    expect(results).toEqual(await inThread(logs.stream));
  });

  it('keeps a process that awaits it alive until the workers have ended after an error', () => {
    // A module awaiting the pool at its top level must see the error, whatever replies are still
    // arriving when the workers are ended (an unreferenced worker would let it exit with code 13).
    const pool = pathToFileURL(
      new URL('../../dist/parallel/mapBatchesInWorkers.js', import.meta.url).pathname,
    ).href;
    const script = `
      import { mapBatchesInWorkers } from ${JSON.stringify(pool)};
      import { registerErrorCodec } from ${JSON.stringify(new URL('../../dist/worker.js', import.meta.url).href)};
      ${PLANTED_ERROR}
      registerErrorCodec(plantedErrorCodec);
      const task = ${JSON.stringify(plan()().task)};
      const data = { ...task.data, throwFirst: true, counter: new SharedArrayBuffer(16) };
      const plan = () => ({ columns: ${JSON.stringify(Object.values(COLUMNS))}, task: { ...task, data } });
      try {
        for await (const r of mapBatchesInWorkers(${JSON.stringify(logs.stream)}, plan, { threads: 2 })) {}
      } catch (e) {
        console.log('caught', e.code ?? e.message);
      }`;
    for (let i = 0; i < 8; i++) {
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect([run.status, run.stdout.trim()]).toEqual([0, 'caught TARGET_OUT_OF_RANGE']);
    }
    // A hang guard, not a timing: eight processes, each starting workers, on a CI machine that
    // runs every package's suite at once (one such run took over 60 s).
  }, 240_000);

  it("prints each thread's start-up and share of the jobs with LOSSFLOW_TRACE=1, nothing without", () => {
    const pool = new URL('../../dist/parallel/mapBatchesInWorkers.js', import.meta.url).href;
    const script = `
      import { mapBatchesInWorkers } from ${JSON.stringify(pool)};
      const task = ${JSON.stringify(plan()().task)};
      const plan = () => ({ columns: ${JSON.stringify(Object.values(COLUMNS))}, task });
      let batches = 0;
      for await (const r of mapBatchesInWorkers(${JSON.stringify(logs.stream)}, plan, { threads: 1 })) batches++;
      console.log(batches);`;
    const run = (trace: string | undefined) => {
      const { LOSSFLOW_TRACE: _, ...env } = process.env;
      if (trace !== undefined) env.LOSSFLOW_TRACE = trace;
      return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    };
    const quiet = run(undefined);
    expect([quiet.status, quiet.stderr]).toEqual([0, '']);
    const traced = run('1');
    expect(traced.status).toBe(0);
    const batches = Number(traced.stdout.trim());
    const marks = traced.stderr
      .trim()
      .split('\n')
      .map((line) => /^\[trace (\d+\.\d) ms t(\d+) cpu \d+ ms\] (.+)$/.exec(line));
    expect(marks).not.toContain(null);
    const said = (what: RegExp) => marks.filter((m) => what.test(m![3]!)).map((m) => Number(m![2]));
    // This thread (t0) plans; the worker starts, sets the task up and runs every job, as the pool says.
    expect(said(/^pool: file opened and planned$/)).toEqual([0]);
    const [worker] = said(/^worker: entry running$/);
    expect(worker).toBeGreaterThan(0);
    expect(said(/^task module set up$/)).toEqual([worker]);
    expect(said(/^first job \(0\) starts$/)).toEqual([worker]);
    const shares = marks.flatMap((m) => {
      const share = /^pool: thread t(\d+): (\d+) jobs, \d+\.\d ms in them/.exec(m![3]!);
      return share === null ? [] : [[Number(share[1]), Number(share[2])]];
    });
    const [jobs] = marks.flatMap((m) => {
      const out = /^pool: last result out \((\d+) jobs, \d+ rows\)$/.exec(m![3]!);
      return out === null ? [] : [Number(out[1])];
    });
    expect(shares).toEqual([[worker, jobs]]);
    // The log's small batches are read a few to a job.
    expect(batches).toBeGreaterThan(1);
    expect(jobs).toBeLessThan(batches);
    // One clock for every thread: a worker's marks come after the process started, in order.
    const times = marks.filter((m) => Number(m![2]) === worker).map((m) => Number(m![1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThan(0);
  });

  /** The ids of the threads pools took since the mock was last cleared. */
  const taken = () => new Set(vi.mocked(takeWorker).mock.results.map((r) => (r.value as Worker).threadId));

  it('leaves its idle threads to the next pool, which reads another file through them as if they were new', async () => {
    // Other files of the same schema, maybe opened on the descriptor number the first pool's had:
    // a thread that kept anything of the pool before (a Parquet footer, pages, the task's setup)
    // would give the earlier file's sums.
    const other = join(dir, 'reuse-other.parquet');
    const otherStream = join(dir, 'reuse-other.arrows');
    await writeTrainingLog(other, 'parquet', { ...LOG, seed: 9 });
    await writeTrainingLog(otherStream, 'arrow-stream', { ...LOG, seed: 10 });
    await endWaitingWorkers();
    let first: Set<number> | undefined;
    for (const path of [logs.parquet, other, otherStream, logs.stream, logs.parquet]) {
      vi.mocked(takeWorker).mockClear();
      const reader = mapBatchesInWorkers<Sums & { threadId: number }>(path, plan({ threadIds: true }), {
        threads: 2,
      });
      const results: Sums[] = [];
      const computed = new Set<number>();
      for await (const { value } of reader) {
        const { threadId: id, ...sums } = value;
        computed.add(id);
        results.push(sums);
      }
      await reader.close();
      expect(results).toEqual(await inThread(path));
      if (first === undefined) {
        first = taken();
        expect(first.size).toBeGreaterThan(0);
      } else {
        // Only the waiting threads taken, none started, and they computed.
        expect([...taken()].every((id) => first!.has(id))).toBe(true);
        expect([...computed].some((id) => first!.has(id))).toBe(true);
      }
      expect(waitingWorkers()).toBe(first.size);
    }
    await endWaitingWorkers();
    expect(waitingWorkers()).toBe(0);
  });

  it('ends the threads of a pool that failed instead of leaving them to the next pool', async () => {
    await endWaitingWorkers();
    const failing = plan({ throwFirst: true, counter: new SharedArrayBuffer(16) });
    const reader = mapBatchesInWorkers<Sums>(logs.stream, failing, { threads: 2 });
    await expect(
      (async () => {
        for await (const _ of reader);
      })(),
    ).rejects.toThrow(PlantedError);
    await reader.close();
    expect(waitingWorkers()).toBe(0);
  });

  it('leaves its threads to a pool started as soon as it ends (its close() not awaited, as a command line reads its next file): none is started', async () => {
    await endWaitingWorkers();
    vi.mocked(takeWorker).mockClear();
    const reader = mapBatchesInWorkers<Sums>(logs.stream, plan(), { threads: 2 });
    for await (const _ of reader);
    const first = taken();
    vi.mocked(takeWorker).mockClear();
    const { results, error } = await collect(logs.stream, plan(), { threads: 2 });
    expect(error).toBeUndefined();
    expect(results).toEqual(await inThread(logs.stream));
    expect([...taken()].every((id) => first.has(id))).toBe(true);
    await reader.close();
    expect(waitingWorkers()).toBe(first.size);
  });

  it('leaves a thread still starting when its pool ends to the next pool at once: close() waits for none of its start-up', async () => {
    await endWaitingWorkers();
    const counter = new SharedArrayBuffer(16);
    const setUp = new Int32Array(counter);
    vi.mocked(takeWorker).mockClear();
    // This thread computes every job (one batch each) while the worker's setup takes seconds.
    const reader = mapBatchesInWorkers<Sums>(logs.stream, plan({ counter, setupMs: 3000 }), {
      threads: 2,
      inThisThread: true,
      rangeBytes: 1,
    });
    const results: Sums[] = [];
    for await (const { value } of reader) results.push(value);
    await reader.close();
    expect(results).toEqual(await inThread(logs.stream));
    expect(Atomics.load(setUp, 3)).toBe(0);
    const starting = taken();
    expect(starting.size).toBe(1);
    expect(waitingWorkers()).toBe(1);
    // The next pool computes on it, once it has set up and forgotten the first pool: nothing it
    // posted for that pool (its ready) is taken for this pool's.
    vi.mocked(takeWorker).mockClear();
    const next = await collect(logs.stream, plan({ threadIds: true }), { threads: 1 });
    expect(next.error).toBeUndefined();
    expect(next.results.map(({ rows, skipped, sums }) => ({ rows, skipped, sums }))).toEqual(results);
    expect(taken()).toEqual(starting);
    expect(new Set(next.results.map((r) => (r as Sums & { threadId: number }).threadId))).toEqual(starting);
    expect(Atomics.load(setUp, 3)).toBe(1);
  });

  it('endWaitingWorkers() ends the threads of a pool read to its end whose close() was not awaited', async () => {
    await endWaitingWorkers();
    const reader = mapBatchesInWorkers<Sums>(logs.stream, plan(), { threads: 2 });
    for await (const _ of reader);
    // A fromFile's reader is closed this way: nothing awaits it.
    await endWaitingWorkers();
    await reader.close();
    expect(waitingWorkers()).toBe(0);
  });

  it('a worker that dies ends the iteration with an error, never a hang', async () => {
    const { error } = await collect(logs.stream, plan({ exitAfter: 2 }), { threads: 2 });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/worker thread stopped unexpectedly/);
  });

  it("a damaged length in a column it does not read is CORRUPT, as apache-arrow's reader says", async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(logs.stream));
    const { buffers } = scanIpcBytes(bytes, logs.stream).batches[0]!.header;
    // The last buffer is the last column's (not logits or target): find its (offset, length) in
    // the first batch's metadata and set the top byte of the length.
    const pair = new BigInt64Array([BigInt(buffers.at(-2)!), BigInt(buffers.at(-1)!)]);
    const pattern = new Uint8Array(pair.buffer);
    let at = -1;
    for (let i = 0; i + 16 <= bytes.length && at < 0; i++)
      if (pattern.every((b, j) => bytes[i + j] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    bytes[at + 15] = 0x10;
    const path = join(dir, 'damaged-length.arrows');
    writeFileSync(path, bytes);
    for (const options of [{ threads: 2 }, { threads: 1, inThisThread: true }]) {
      const { results, error } = await collect(path, plan(), options);
      expect(results).toEqual([]);
      expect(error).toMatchObject({ code: 'CORRUPT', batch: 0, file: path });
      expect((error as Error).message).toMatch(/lies outside the body/);
    }
    await expect(inThread(path)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('an Int bit width outside the enum in the schema is CORRUPT in every path, never an untyped crash', async () => {
    const n = 4;
    const logOf = (target: Int32 | Int64, values: Int32Array | BigInt64Array) =>
      RecordBatchStreamWriter.writeAll(
        new Table([
          batchOf({
            logits: fixedList(
              2,
              primitive(
                new Float32(),
                Float32Array.from({ length: 2 * n }, (_, i) => i),
              ),
            ),
            target: primitive(target, values),
          }),
        ]),
      ).toUint8Array(true);
    const wide = logOf(new Int64(), new BigInt64Array(n));
    const narrow = logOf(new Int32(), new Int32Array(n));
    // The schema messages differ only in the target's bit width (64 vs 32): set it to 191.
    const at = wide.findIndex((byte, i) => byte !== narrow[i]);
    expect(wide[at]).toBe(64);
    wide[at] = 191;
    const path = join(dir, 'int191.arrows');
    writeFileSync(path, wide);
    for (const options of [{ threads: 2 }, { threads: 1, inThisThread: true }]) {
      const { results, error } = await collect(path, plan(), options);
      expect(results).toEqual([]);
      expect(error).toMatchObject({ name: 'ArrowReadError', code: 'CORRUPT', file: path });
      expect((error as Error).message).toMatch(/type INT with bit width 191/);
    }
    await expect(inThread(path)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('reads a sliced Null column, whose null count apache-arrow writes as −1 (unknown)', async () => {
    const n = 6;
    const table = new Table([
      batchOf({
        logits: fixedList(
          2,
          primitive(
            new Float32(),
            Float32Array.from({ length: 2 * n }, (_, i) => i / 7),
          ),
        ),
        target: primitive(
          new Int64(),
          BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 2)),
          [4],
        ),
        note: makeData({ type: new Null(), length: n }),
      }),
    ]);
    const path = join(dir, 'sliced-null.arrows');
    writeFileSync(
      path,
      RecordBatchStreamWriter.writeAll(
        table.slice(0, 2).concat(table.slice(2, 4), table.slice(4)),
      ).toUint8Array(true),
    );
    const expected = await inThread(path).catch((e: unknown) => e);
    for (const options of [{ threads: 2 }, { threads: 1, inThisThread: true }]) {
      const { results, error } = await collect(path, plan({ nulls: 'skip' }), options);
      expect(error).toBeUndefined();
      expect(results.map((r) => [r.rows, r.skipped])).toEqual([
        [2, 0],
        [2, 0],
        [1, 1],
      ]);
      const strict = await collect(path, plan(), options);
      expect(strict.error).toMatchObject({ code: 'NULL_VALUE', batch: 2, row: 0, column: 'target' });
    }
    expect(expected).toMatchObject({ code: 'NULL_VALUE' });
  });

  it('a truncated file hands out its whole batches, then TRUNCATED with the batch index', async () => {
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(logs.stream);
    const path = join(dir, 'cut.arrows');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.55)));
    const { results, error } = await collect(path, plan(), { threads: 2 });
    const whole = (await inThread(logs.stream)).slice(0, results.length);
    expect(results).toEqual(whole);
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'TRUNCATED', batch: results.length, file: path });
  });

  it("a task's error no codec knows keeps its name, code, context and batch; an unpostable result is INVALID_OPTION at its batch", async () => {
    // The first batch (in order) whose first target is 2.
    let at = 0;
    for await (const batch of readFile(logs.stream)) {
      if (Number(batchTensors(batch, COLUMNS).tensors.target!.data[0]) === 2) break;
      at++;
    }
    for (const options of [{ threads: 2 }, { threads: 3 }]) {
      const plain = await collect(logs.stream, plan({ plainAt: 2 }), options);
      expect(plain.results.length).toBe(at);
      expect(plain.error).toBeInstanceOf(Error);
      expect(plain.error).toMatchObject({
        name: 'LossError',
        message: 'a plain error',
        code: 'TARGET_OUT_OF_RANGE',
        loss: 'test',
        row: 3,
        hint: 'Fix it.',
        batch: at,
      });
      const unpostable = await collect(logs.stream, plan({ unpostableAt: 2 }), options);
      expect(unpostable.results.length).toBe(at);
      expect(unpostable.error).toBeInstanceOf(ArrowReadError);
      expect(unpostable.error).toMatchObject({ code: 'INVALID_OPTION', batch: at, file: logs.stream });
      expect((unpostable.error as Error).message).toMatch(
        /sumTask\.mjs returned a value that cannot be posted/,
      );
    }
  });

  it('the columns option restricts what the plan sees: a column outside it is MISSING_COLUMN naming the option, as in this thread', async () => {
    const seen: string[][] = [];
    const restricted = (schema: Schema) => {
      seen.push(schema.fields.map((f) => f.name));
      return plan({}, { input: 'logits', target: 'epoch' })();
    };
    const { results, error } = await collect(logs.stream, restricted, {
      threads: 2,
      columns: ['logits', 'target'],
    });
    expect(seen).toEqual([['logits', 'target']]);
    expect(results).toEqual([]);
    expect(error).toMatchObject({ code: 'MISSING_COLUMN', column: 'epoch', batch: 0 });
    expect((error as ArrowReadError).hint).toMatch(/columns option leaves it out/);
    let inThreadError: unknown;
    try {
      for await (const batch of readFile(logs.stream, { columns: ['logits', 'target'] }))
        batchTensors(batch, { input: 'logits', target: 'epoch' }, { batchIndex: 0 });
    } catch (e) {
      inThreadError = e;
    }
    expect(inThreadError).toMatchObject({
      code: 'MISSING_COLUMN',
      column: 'epoch',
      hint: (error as ArrowReadError).hint,
    });
  });

  it('a column missing from the schema is MISSING_COLUMN at batch 0; an abort is ABORTED', async () => {
    const missing = await collect(logs.stream, plan({}, { input: 'logits', target: 'nope' }), { threads: 2 });
    expect(missing.error).toMatchObject({ code: 'MISSING_COLUMN', batch: 0 });
    const controller = new AbortController();
    const reader = mapBatchesInWorkers<Sums>(logs.stream, plan(), { threads: 2, signal: controller.signal });
    const seen: number[] = [];
    const done = (async () => {
      for await (const { index } of reader) {
        seen.push(index);
        if (index === 1) controller.abort();
      }
    })();
    await expect(done).rejects.toMatchObject({ code: 'ABORTED' });
    // Nothing after the abort, though the threads may have finished more batches by then.
    expect(seen).toEqual([0, 1]);
  });

  it.each([
    [3, 1],
    [3, undefined],
    [5, undefined],
  ])(
    'keeps at most `inFlight` (%i) batches ahead of the consumer (range bytes %s)',
    async (inFlight, rangeBytes) => {
      const counter = new SharedArrayBuffer(8);
      const runs = new Int32Array(counter);
      // One batch per job (a byte budget of 1), or the log's small batches joined into jobs: the
      // window counts batches either way, as each batch's result is held until handed out.
      const reader = mapBatchesInWorkers<Sums>(logs.stream, plan({ counter }), {
        threads: 2,
        inFlight,
        ...(rangeBytes === undefined ? {} : { rangeBytes }),
      });
      const it = reader[Symbol.asyncIterator]();
      await it.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(Atomics.load(runs, 0)).toBeLessThanOrEqual(1 + inFlight);
      await it.return!();
    },
  );

  it.each([
    ['stream', { threads: 1, inThisThread: true }],
    ['stream', { threads: 2 }],
    ['file', { threads: 2, inThisThread: true }],
    ['parquet', { threads: 2 }],
  ] as const)(
    "an %s file renamed over while it is read gives the first file's results, never a blend: %o",
    async (format, options) => {
      // Same layout, other values: read at the first file's offsets, the second file's bytes
      // would give numbers of neither.
      const ext = { stream: 'arrows', file: 'arrow', parquet: 'parquet' }[format];
      const kind = { stream: 'arrow-stream', file: 'arrow-file', parquet: 'parquet' } as const;
      const path = join(dir, `published-${format}-${options.threads}.${ext}`);
      const next = join(dir, `next-${format}-${options.threads}.${ext}`);
      await writeTrainingLog(path, kind[format], { ...LOG, seed: 1 });
      await writeTrainingLog(next, kind[format], { ...LOG, seed: 2 });
      const first = await inThread(path);
      expect(await inThread(next)).not.toEqual(first);
      const reader = mapBatchesInWorkers<Sums>(path, plan(), options);
      // Opened and planned: the threads are being set up, none has read a batch yet.
      await reader.schema();
      renameSync(next, path);
      const results: Sums[] = [];
      for await (const { value } of reader) results.push(value);
      expect(results).toEqual(first);
    },
  );

  it('a Parquet data page that makes the decoder trap is CORRUPT naming the file, row group and columns', async () => {
    const path = await damagedParquet(dir);
    for (const options of [{ threads: 1 }, { threads: 2, inThisThread: true }]) {
      const { error } = await collect(path, plan(), options);
      expect(error).toBeInstanceOf(ArrowReadError);
      expect(error).toMatchObject({ code: 'CORRUPT', file: path, rowGroup: 1 });
      expect((error as Error).message).toMatch(
        /a data page of row group 1 \(decoding columns 'logits', 'target'\): unreachable.*write or copy it again/,
      );
    }
  });

  it.each([
    ['threads', 0],
    ['threads', 2.5],
    ['threads', Number.NaN],
    ['threads', -1],
    ['threads', Number.POSITIVE_INFINITY],
    ['threads', 257],
    ['threads', 100_000],
    ['threads', '2'],
    ['inFlight', 0],
    ['inFlight', 1.5],
    ['inFlight', Number.NaN],
    ['limit', -1],
    ['limit', 2.5],
    ['limit', Number.NaN],
    ['limit', Number.POSITIVE_INFINITY],
  ] as const)('%s: %s is INVALID_OPTION naming it, before any thread starts', (option, value) => {
    const options = { [option]: value } as WorkerReadOptions;
    let error: unknown;
    try {
      mapBatchesInWorkers(logs.stream, plan(), options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArrowReadError);
    expect(error).toMatchObject({ code: 'INVALID_OPTION' });
    expect((error as Error).message).toContain(`the option '${option}' is`);
    // The in-thread reader takes the same limits, whatever the threads.
    if (option === 'limit') {
      expect(() => readFile(logs.stream, { limit: value })).toThrow(/INVALID_OPTION: the option 'limit'/);
    }
  });

  it.each(['stream', 'parquet'] as const)(
    'an %s input of one job starts one worker however many threads are asked for; a big one starts them all',
    async (format) => {
      const small = join(dir, `one-batch.${format}`);
      await writeTrainingLog(small, format === 'stream' ? 'arrow-stream' : 'parquet', {
        rows: 4,
        classes: 3,
        epochs: 1,
      });
      const big = join(dir, `many-jobs.${format}`);
      await writeTrainingLog(big, format === 'stream' ? 'arrow-stream' : 'parquet', {
        rows: 100,
        classes: 3,
        epochs: 1,
        batchRows: 10,
      });
      for (const [path, threads, started] of [
        [small, 64, 1],
        [big, 3, 3],
      ] as const) {
        vi.mocked(takeWorker).mockClear();
        // One batch per job (a byte budget of 1): else the small batches would be one job.
        const { results, error } = await collect(path, plan(), { threads, rangeBytes: 1 });
        expect(error).toBeUndefined();
        expect(results).toEqual(await inThread(path));
        expect(vi.mocked(takeWorker)).toHaveBeenCalledTimes(started);
      }
    },
  );

  it.each(['stream', 'file'] as const)(
    'an %s input of one job read with this thread among the threads starts no worker; two jobs start one',
    async (format) => {
      const one = join(dir, `inline-one-batch.${format}`);
      const two = join(dir, `inline-two-batches.${format}`);
      const kind = format === 'stream' ? 'arrow-stream' : 'arrow-file';
      await writeTrainingLog(one, kind, { rows: 4, classes: 3, epochs: 1 });
      await writeTrainingLog(two, kind, { rows: 20, classes: 3, epochs: 1, batchRows: 10 });
      for (const [path, started] of [
        [one, 0],
        [two, 1],
      ] as const) {
        // No thread waiting from an earlier pool: one would be taken at once (it costs no start-up).
        await endWaitingWorkers();
        vi.mocked(takeWorker).mockClear();
        // One batch per job (a byte budget of 1): else the small batches would be one job.
        const { results, error } = await collect(path, plan(), {
          threads: 8,
          inThisThread: true,
          rangeBytes: 1,
        });
        expect(error).toBeUndefined();
        expect(results).toEqual(await inThread(path));
        expect(vi.mocked(takeWorker)).toHaveBeenCalledTimes(started);
      }
    },
  );

  it('hands out the end without waiting for the workers to be released; close() waits for them', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The pool's `release` requests reach the workers only once `release()` is called.
    const post = Worker.prototype.postMessage;
    const ending = vi.fn();
    const posting = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (
      this: Worker,
      message: unknown,
    ) {
      if ((message as { type?: unknown } | null)?.type !== 'release') return post.call(this, message);
      ending();
      void released.then(() => post.call(this, message));
    });
    try {
      const reader = mapBatchesInWorkers<Sums>(logs.stream, plan(), { threads: 2 });
      const results: WorkerResult<Sums>[] = [];
      for await (const r of reader) results.push(r);
      expect(results.length).toBeGreaterThan(1);
      expect(ending).toHaveBeenCalled();
      let closed = false;
      const close = reader.close().then(() => {
        closed = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed).toBe(false);
      release();
      await close;
      expect(closed).toBe(true);
    } finally {
      release();
      posting.mockRestore();
    }
  });

  it('close() ends the workers', async () => {
    const counter = new SharedArrayBuffer(8);
    const beats = new Int32Array(counter);
    const reader = mapBatchesInWorkers<Sums>(logs.stream, plan({ counter, heartbeat: true }), { threads: 2 });
    for await (const { index } of reader) if (index === 2) break;
    const before = Atomics.load(beats, 1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(Atomics.load(beats, 1)).toBe(before);
  });
});

describe('mapBatchesInWorkers with row ranges', () => {
  const BATCH = 1000;
  let big: string;
  let bigFile: string;
  let bigParquet: string;
  let bigGzip: string;
  let bigGroup: string;
  let smallGroups: string;
  let mixedGroups: string;
  beforeAll(async () => {
    // Two batches of 1000 rows; logits 4 whole floats a row (sums are exact in any order), target = row.
    big = join(dir, 'big.arrows');
    const batches = [0, 1].map((b) => wholeLogitsBatch(BATCH, b * BATCH));
    writeFileSync(big, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
    bigFile = join(dir, 'big.arrow');
    writeFileSync(bigFile, RecordBatchFileWriter.writeAll(batches).toUint8Array(true));
    bigParquet = join(dir, 'big.parquet');
    bigGzip = join(dir, 'big-gzip.parquet');
    bigGroup = join(dir, 'big-group.parquet');
    // The same rows as Parquet row groups of 1000 rows: SNAPPY takes the fast path, GZIP parquet-wasm.
    await writeParquet(bigParquet, batches, { rowGroupRows: BATCH });
    await writeParquet(bigGzip, batches, { rowGroupRows: BATCH, compression: 'gzip' });
    smallGroups = join(dir, 'small-groups.parquet');
    await writeParquet(smallGroups, batches, { rowGroupRows: BATCH / 4 });
    // Row groups of 250 rows whose 2nd, 5th and 6th have a null target: those the general
    // decoder reads (in a worker), the others the fast path (in any thread).
    mixedGroups = join(dir, 'mixed-groups.parquet');
    const nulls = [[260], [10, 300]];
    await writeParquet(
      mixedGroups,
      batches.map((b, i) =>
        batchOf({
          logits: b.getChild('logits')!.data[0]!,
          target: primitive(new Int64(), b.getChild('target')!.toArray() as BigInt64Array, nulls[i]),
        }),
      ),
      { rowGroupRows: BATCH / 4 },
    );
    // One row group of 70,000 rows: batches of 65,536 and 4,464 rows, as the in-thread reader decodes it.
    const rows = 70_000;
    const group = wholeLogitsBatch(rows, 0);
    await writeParquet(bigGroup, [group], { rowGroupRows: rows });
  });

  type Merged = Sums & { parts: number[] };
  /** Adds the ranges' sums up and lists their rows, in the order merge gets them. */
  const merge = (parts: Sums[]): Merged => ({
    rows: parts.reduce((a, p) => a + p.rows, 0),
    skipped: parts.reduce((a, p) => a + p.skipped, 0),
    sums: {
      input: parts.reduce((a, p) => a + p.sums.input!, 0),
      target: parts.reduce((a, p) => a + p.sums.target!, 0),
    },
    parts: parts.map((p) => p.rows),
  });
  const ranged =
    (data: Record<string, unknown> = {}) =>
    () => ({ ...plan(data)(), merge });
  // 24 bytes a row: 1536 bytes are 64-row ranges.
  const RANGES = [...Array(15).fill(64), BATCH - 15 * 64];

  it.each([
    [1, false, 'stream'],
    [2, false, 'stream'],
    [4, false, 'stream'],
    [2, true, 'stream'],
    [2, false, 'file'],
    [1, false, 'parquet'],
    [2, false, 'parquet'],
    [3, false, 'parquet'],
    [2, true, 'parquet'],
    [2, false, 'gzip'],
    [2, true, 'gzip'],
    [3, true, 'gzip'],
  ])(
    'splits each batch into the same row ranges for %i threads (this thread too: %s) of an IPC %s, merged in row order into the batch’s result',
    async (threads, inThisThread, format) => {
      const results: Merged[] = [];
      const progress: number[] = [];
      const path = { stream: big, file: bigFile, parquet: bigParquet, gzip: bigGzip }[format]!;
      for await (const { index, rows, value } of mapBatchesInWorkers<Merged>(path, ranged(), {
        threads,
        inThisThread,
        rangeBytes: 1536,
        onProgress: (p) => progress.push(p.rows),
      })) {
        expect(index).toBe(results.length);
        expect(rows).toBe(BATCH);
        results.push(value);
      }
      const whole = await inThread(big);
      expect(results.map(({ parts: _, ...r }) => r)).toEqual(whole);
      expect(results.map((r) => r.parts)).toEqual([RANGES, RANGES]);
      expect(progress).toEqual([BATCH, 2 * BATCH]);
    },
  );

  it.each([
    ['SNAPPY', 'computes some of them itself, by the fast path'],
    ['GZIP', 'leaves them all to a worker: the general decoder runs in workers only'],
  ])('with this thread as one of 2, on Parquet row groups that are %s, it %s', async (codec) => {
    type Ranged = Merged & { threads: number[] };
    const results: Ranged[] = [];
    for await (const { value } of mapBatchesInWorkers<Ranged>(
      codec === 'SNAPPY' ? bigParquet : bigGzip,
      () => ({
        ...plan({ threadIds: true })(),
        // The ranges' threads, kept through the merge.
        merge: (parts: Sums[]): Ranged => ({
          ...merge(parts),
          threads: parts.map((p) => (p as Sums & { threadId: number }).threadId),
        }),
      }),
      { threads: 2, inThisThread: true, rangeBytes: 1536 },
    ))
      results.push(value);
    expect(results.map(({ parts: _, threads: __, ...r }) => r)).toEqual(await inThread(big));
    expect(results.map((r) => r.parts)).toEqual([RANGES, RANGES]);
    const threads = new Set(results.flatMap((r) => r.threads));
    expect(threads.has(threadId)).toBe(codec === 'SNAPPY');
    expect(threads.size).toBeLessThanOrEqual(2);
  });

  it('hands all the jobs of a Parquet row group to one thread while the other threads have other row groups to take', async () => {
    type Ranged = Merged & { threads: number[] };
    const results: Ranged[] = [];
    // Row groups of 250 rows, each one batch cut into 4 ranges of 64 rows (the last 58): jobs slow
    // enough that both workers take some. A thread that took a row group's pages keeps its jobs,
    // so a page is not decompressed by two threads (a ZSTD page is decompressed whole).
    for await (const { value } of mapBatchesInWorkers<Ranged>(
      smallGroups,
      () => ({
        ...plan({ threadIds: true, sleepMs: 10 })(),
        merge: (parts: Sums[]): Ranged => ({
          ...merge(parts),
          threads: parts.map((p) => (p as Sums & { threadId: number }).threadId),
        }),
      }),
      { threads: 2, rangeBytes: 1536 },
    ))
      results.push(value);
    expect(results.map((r) => r.parts)).toEqual(Array(8).fill([64, 64, 64, 58]));
    // At the end, with every job left of a row group another thread holds, a free thread shares
    // one rather than idle: the last two row groups may be shared.
    for (const [group, { threads }] of results.slice(0, -2).entries())
      expect(new Set(threads).size, `row group ${group}: threads ${threads.join(', ')}`).toBe(1);
    expect(results.reduce((a, r) => a + r.rows, 0)).toBe(2 * BATCH);
  });

  it.each([
    [2, true, 1, undefined],
    [2, true, 3, 333],
    [3, true, 2, undefined],
    [4, true, 5, 1999],
    [2, false, 1, 251],
    [3, false, 2, undefined],
    [4, false, 3, 7],
  ] as const)(
    'with %i threads (this thread too: %s) and %i jobs in flight, Parquet row groups read by the fast path and by the general decoder give the results of one thread, limit %s',
    async (threads, inThisThread, inFlight, limit) => {
      const read = async (options: WorkerReadOptions): Promise<Merged[]> => {
        const out: Merged[] = [];
        for await (const { index, value } of mapBatchesInWorkers<Merged>(
          mixedGroups,
          ranged({ nulls: 'skip', sleepMs: 1 }),
          { rangeBytes: 1536, ...(limit === undefined ? {} : { limit }), ...options },
        )) {
          expect(index).toBe(out.length);
          out.push(value);
        }
        return out;
      };
      // Jobs handed out ahead of a row group another thread holds, and jobs this thread leaves
      // to a worker, change which thread computes what: never the results or their order.
      const one = await read({ threads: 1, inFlight: 1 });
      expect(one.reduce((a, r) => a + r.rows + r.skipped, 0)).toBe(Math.min(limit ?? 2 * BATCH, 2 * BATCH));
      expect(one.reduce((a, r) => a + r.skipped, 0)).toBe(
        [260, 1010, 1300].filter((r) => r < (limit ?? 2 * BATCH)).length,
      );
      expect(await read({ threads, inThisThread, inFlight })).toEqual(one);
    },
  );

  it.each([1, 2, 3])(
    'cuts a big Parquet row group into its batches, and those into row ranges, that %i threads read page by page',
    async (threads) => {
      const parts: number[][] = [];
      const results: Sums[] = [];
      // 24 bytes a row: 196,608 bytes are 8,192-row ranges.
      for await (const { rows, value } of mapBatchesInWorkers<Merged>(bigGroup, ranged(), {
        threads,
        rangeBytes: 196_608,
      })) {
        expect(rows).toBe(value.rows);
        const { parts: p, ...sums } = value;
        parts.push(p);
        results.push(sums);
      }
      // The last batch fits in one range: a job of its own, not merged.
      expect(parts).toEqual([Array(8).fill(8192), undefined]);
      expect(results).toEqual(await inThread(bigGroup));
      // Without a merge, a job is a batch of the row group.
      expect((await collect(bigGroup, plan(), { threads })).results).toEqual(await inThread(bigGroup));
    },
  );

  it('keeps batches whole without a merge, or when they fit in a range', async () => {
    const { results } = await collect(big, plan(), { threads: 2, rangeBytes: 1536 });
    expect(results).toEqual(await inThread(big));
    // A batch in one range is the task's result as it is: merge is not called.
    const whole: Merged[] = [];
    for await (const { value } of mapBatchesInWorkers<Merged>(big, ranged(), { threads: 2 }))
      whole.push(value);
    expect(whole).toEqual(await inThread(big));
  });

  it('cuts the last batch at a row limit into ranges of the same rows', async () => {
    const parts: number[][] = [];
    for await (const { rows, value } of mapBatchesInWorkers<Merged>(big, ranged(), {
      threads: 2,
      rangeBytes: 1536,
      limit: 1100,
    })) {
      expect(rows).toBe(value.rows);
      parts.push(value.parts);
    }
    expect(parts).toEqual([RANGES, [64, 36]]);
  });

  it.each(['stream', 'parquet'])(
    "reports a range's error with its batch and the batch's row, after the batches before it only (%s)",
    async (format) => {
      const results: Merged[] = [];
      let error: unknown;
      try {
        // The range of batch 1 starting at its row 192 throws at its row 3.
        const path = format === 'stream' ? big : bigParquet;
        for await (const { value } of mapBatchesInWorkers<Merged>(path, ranged({ throwAt: BATCH + 192 }), {
          threads: 2,
          rangeBytes: 1536,
        }))
          results.push(value);
      } catch (e) {
        error = e;
      }
      expect(results).toHaveLength(1);
      expect(error).toBeInstanceOf(PlantedError);
      expect(error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 1, row: 195 });
    },
  );

  it('splits a variable-length list column into the same row ranges, merged into the batch’s result', async () => {
    // logits: List<float32> of 4 a row (24 bytes a row with the target, as in big.arrows).
    const listed = join(dir, 'big-list.arrows');
    const batches = [0, 1].map((b) =>
      batchOf({
        logits: list(
          Array.from({ length: BATCH + 1 }, (_, i) => 4 * i),
          primitive(
            new Float32(),
            Float32Array.from({ length: 4 * BATCH }, (_, i) => ((i + b) % 13) - 6),
          ),
        ),
        target: primitive(
          new Int64(),
          BigInt64Array.from({ length: BATCH }, (_, i) => BigInt(b * BATCH + i)),
        ),
      }),
    );
    writeFileSync(listed, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
    for (const options of [{ threads: 1 }, { threads: 3 }, { threads: 2, inThisThread: true }]) {
      const results: Merged[] = [];
      for await (const { value } of mapBatchesInWorkers<Merged>(listed, ranged(), {
        ...options,
        rangeBytes: 1536,
      }))
        results.push(value);
      expect(results.map(({ parts: _, ...r }) => r)).toEqual(await inThread(listed));
      expect(results.map((r) => r.parts)).toEqual([RANGES, RANGES]);
    }
  });

  it('has the worker cut a Parquet batch with a list column into the same row ranges (fast path and parquet-wasm)', async () => {
    // As in the test above, as row groups of 1000 rows: the pool cannot tell a batch's list
    // lengths before its pages are decoded, so the worker cuts it and the pool merges the ranges.
    const batches = [0, 1].map((b) =>
      batchOf({
        logits: list(
          Array.from({ length: BATCH + 1 }, (_, i) => 4 * i),
          primitive(
            new Float32(),
            Float32Array.from({ length: 4 * BATCH }, (_, i) => ((i + b) % 13) - 6),
          ),
        ),
        target: primitive(
          new Int64(),
          BigInt64Array.from({ length: BATCH }, (_, i) => BigInt(b * BATCH + i)),
        ),
      }),
    );
    const listed = join(dir, 'big-list.parquet');
    const listedGzip = join(dir, 'big-list-gzip.parquet');
    await writeParquet(listed, batches, { rowGroupRows: BATCH });
    await writeParquet(listedGzip, batches, { rowGroupRows: BATCH, compression: 'gzip' });
    const reference = await inThread(listed);
    for (const [path, threads] of [
      [listed, 1],
      [listed, 3],
      [listedGzip, 2],
    ] as const) {
      const results: Merged[] = [];
      for await (const { rows, value } of mapBatchesInWorkers<Merged>(path, ranged(), {
        threads,
        rangeBytes: 1536,
      })) {
        expect(rows).toBe(BATCH);
        results.push(value);
      }
      expect(results.map(({ parts: _, ...r }) => r)).toEqual(reference);
      expect(results.map((r) => r.parts)).toEqual([RANGES, RANGES]);
      // A range's error is its batch's, naming the batch's row; the batch's other ranges are dropped.
      const before: Merged[] = [];
      let error: unknown;
      try {
        for await (const { value } of mapBatchesInWorkers<Merged>(path, ranged({ throwAt: BATCH + 192 }), {
          threads,
          rangeBytes: 1536,
        }))
          before.push(value);
      } catch (e) {
        error = e;
      }
      expect(before.map((r) => r.parts)).toEqual([RANGES]);
      expect(error).toBeInstanceOf(PlantedError);
      expect(error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 1, row: 195 });
    }
  });

  it('checks the file for changes once per batch, not once per row range', async () => {
    const check = vi.mocked(checkFileVersionSync);
    check.mockClear();
    const { results } = await collect(big, ranged(), { threads: 2, rangeBytes: 1536 });
    expect(results).toHaveLength(2);
    // One per batch and one at the end; 32 ranges checked one by one would be 33.
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('rejects a range budget that is not a whole number ≥ 1', () => {
    for (const rangeBytes of [0, 1.5, Number.NaN]) {
      expect(() => mapBatchesInWorkers(big, ranged(), { rangeBytes })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });
});

describe('mapBatchesInWorkers with small Arrow IPC batches joined into jobs', () => {
  const SMALL = 16;
  // 60 batches of 16 rows, one of 1000 (cut into row ranges with a merge at 1536 bytes a range),
  // 30 of 16 again: logits 4 whole floats a row (sums exact in any order), target = row.
  const SIZES = [...Array(60).fill(SMALL), 1000, ...Array(30).fill(SMALL)] as number[];
  const paths = { stream: '', file: '' };
  beforeAll(() => {
    let first = 0;
    const batches = SIZES.map((rows) => {
      const b = wholeLogitsBatch(rows, first);
      first += rows;
      return b;
    });
    paths.stream = join(dir, 'small-batches.arrows');
    writeFileSync(paths.stream, RecordBatchStreamWriter.writeAll(batches).toUint8Array(true));
    paths.file = join(dir, 'small-batches.arrow');
    writeFileSync(paths.file, RecordBatchFileWriter.writeAll(batches).toUint8Array(true));
  });

  /**
   * The batch indices of every Arrow IPC job posted to a worker or handed to this thread's runner
   * while `read` runs (spies: the messages go as before).
   */
  async function jobsOf<T>(read: () => Promise<T>): Promise<{ out: T; jobs: number[][] }> {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const handled = vi.spyOn(BatchRunner.prototype, 'handle');
    try {
      const out = await read();
      const jobs = [...posted.mock.calls, ...handled.mock.calls]
        .map(([request]) => request as WorkerRequest)
        .flatMap((r) => (r.type === 'block' ? [r.blocks.map((b) => b.index)] : []));
      return { out, jobs };
    } finally {
      posted.mockRestore();
      handled.mockRestore();
    }
  }

  type Result = { index: number; rows: number; value: Sums };
  async function results(
    path: string,
    p: (schema: Schema) => WorkerPlan<Sums>,
    options: WorkerReadOptions,
  ): Promise<{ results: Result[]; error: unknown }> {
    const out: Result[] = [];
    try {
      // A wide window (it counts batches): jobs of up to 64 batches whatever the threads.
      for await (const { index, rows, value } of mapBatchesInWorkers<Sums>(path, p, {
        inFlight: 1024,
        ...options,
      })) {
        // A merged batch's ranges are not compared: only what the in-thread reader gives too.
        const { parts: _, ...plain } = value as Sums & { parts?: number[] };
        out.push({ index, rows, value: plain });
      }
      return { results: out, error: undefined };
    } catch (error) {
      return { results: out, error };
    }
  }

  /** The in-thread reader's results, with their index and rows. */
  async function expected(path: string, limit?: number): Promise<Result[]> {
    return (await inThread(path, limit)).map((value, index) => ({ index, rows: value.rows, value }));
  }

  const merge = (parts: Sums[]): Sums & { parts: number[] } => ({
    rows: parts.reduce((a, p) => a + p.rows, 0),
    skipped: parts.reduce((a, p) => a + p.skipped, 0),
    sums: {
      input: parts.reduce((a, p) => a + p.sums.input!, 0),
      target: parts.reduce((a, p) => a + p.sums.target!, 0),
    },
    parts: parts.map((p) => p.rows),
  });
  const ranged = () => () => ({ ...plan()(), merge });

  it.each([
    ['stream', { threads: 1 }],
    ['stream', { threads: 2 }],
    ['stream', { threads: 3 }],
    ['stream', { threads: 1, inThisThread: true }],
    ['stream', { threads: 2, inThisThread: true }],
    ['file', { threads: 1 }],
    ['file', { threads: 2 }],
    ['file', { threads: 3, inThisThread: true }],
  ] as const)(
    'an %s of small batches gives the in-thread results, a few batches to a job: %o',
    async (format, options) => {
      const path = paths[format];
      const whole = await expected(path);
      expect(whole).toHaveLength(SIZES.length);
      // Without a merge: batches whole, up to 4 MiB a job (so 64 batches, the most a job holds).
      const plain = await jobsOf(() => results(path, plan(), options));
      expect(plain.out).toEqual({ results: whole, error: undefined });
      expect(plain.jobs.map((j) => j.length)).toEqual([64, SIZES.length - 64]);
      expect(plain.jobs.flat()).toEqual(whole.map((r) => r.index));
      // With a merge and ranges of 1536 bytes: a few small batches a job, never the big batch
      // (cut into ranges, a job each).
      const cut = await jobsOf(() => results(path, ranged(), { ...options, rangeBytes: 1536 }));
      expect(cut.out).toEqual({ results: whole, error: undefined });
      const grouped = cut.jobs.filter((j) => j.length > 1);
      expect(grouped.length).toBeGreaterThan(10);
      expect(grouped.flat()).not.toContain(60);
      expect(cut.jobs.filter((j) => j[0] === 60).length).toBeGreaterThan(1);
      expect(new Set(cut.jobs.flat())).toEqual(new Set(whole.map((r) => r.index)));
      // A row limit inside a small batch, and inside the big one.
      for (const limit of [700, 1500]) {
        const limited = await jobsOf(() => results(path, ranged(), { ...options, rangeBytes: 1536, limit }));
        expect(limited.out).toEqual({ results: await expected(path, limit), error: undefined });
        expect(limited.jobs.length).toBeLessThan(limited.out.results.length + 20);
      }
      // Parts: jobs never cross a part's end, and each part's results are the whole file's.
      for (const part of [
        { first: 10, end: 70 },
        ...(await fileParts(path, { targetBytes: 20_000 })).map(({ first, end, seek }) => ({
          first,
          end,
          seek,
        })),
      ]) {
        const read = await jobsOf(() => results(path, plan(), { ...options, part }));
        expect(read.out).toEqual({ results: whole.slice(part.first, part.end), error: undefined });
        expect(read.jobs.flat()).toEqual(whole.slice(part.first, part.end).map((r) => r.index));
      }
    },
  );

  it('moves progress batch by batch, as one batch a job does', async () => {
    const progress = async (rangeBytes?: number) => {
      const seen: ReadProgress[] = [];
      const { error } = await results(paths.stream, plan(), {
        threads: 2,
        onProgress: (p) => seen.push({ ...p }),
        ...(rangeBytes === undefined ? {} : { rangeBytes }),
      });
      expect(error).toBeUndefined();
      return seen;
    };
    const joined = await progress();
    expect(joined).toHaveLength(SIZES.length);
    // A budget of 1 byte: one batch a job.
    expect(joined).toEqual(await progress(1));
  });

  it.each([{ threads: 1 }, { threads: 2 }, { threads: 2, inThisThread: true }])(
    'moves progress as each result is handed out, not as its job comes back: %o',
    async (options) => {
      // The results and progress a consumer sees, in order: it stops after `stopAfter` results,
      // or the read fails (a batch in the middle of a job).
      const events = async (rangeBytes: number, stopAfter: number, throwAt?: number) => {
        const seen: string[] = [];
        const reader = mapBatchesInWorkers<Sums>(
          paths.stream,
          plan(throwAt === undefined ? {} : { throwAt }),
          {
            ...options,
            rangeBytes,
            inFlight: 1024,
            onProgress: (p) => seen.push(`progress ${p.batches} ${p.rows} ${p.bytesRead}`),
          },
        );
        try {
          for await (const { index } of reader) {
            const p = reader.progress;
            seen.push(`result ${index}: ${p.batches} ${p.rows} ${p.bytesRead}`);
            if (index + 1 === stopAfter) break;
          }
        } catch (e) {
          const p = reader.progress;
          seen.push(`error ${(e as { batch?: number }).batch}: ${p.batches} ${p.rows} ${p.bytesRead}`);
        }
        return seen;
      };
      // The first job holds 64 batches: the consumer stops after 5 of them, or fails at the 31st.
      for (const [stopAfter, throwAt] of [
        [5, undefined],
        [SIZES.length, SMALL * 30],
      ] as const) {
        const joined = await events(4 << 20, stopAfter, throwAt);
        expect(joined).toEqual(await events(1, stopAfter, throwAt));
        expect(joined.filter((e) => e.startsWith('progress'))).toHaveLength(Math.min(stopAfter, 30));
      }
    },
  );

  it.each([{ threads: 1 }, { threads: 2 }, { threads: 2, inThisThread: true }])(
    "an error in a job's middle batch names that batch and row, after the results of the batches before it: %o",
    async (options) => {
      const path = paths.stream;
      const whole = await expected(path);
      const at = 30;
      const planted = await jobsOf(() => results(path, plan({ throwAt: SMALL * at }), options));
      // The batch is in the middle of its job.
      const job = planted.jobs.find((j) => j.includes(at))!;
      expect(job.indexOf(at)).toBeGreaterThan(0);
      expect(job.indexOf(at)).toBeLessThan(job.length - 1);
      expect(planted.out.results).toEqual(whole.slice(0, at));
      expect(planted.out.error).toBeInstanceOf(PlantedError);
      expect(planted.out.error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: at, row: 3 });
      // A value that cannot be posted: the values before it in the reply are. (This thread's
      // results are never posted, so it has no such value.)
      if ('inThisThread' in options) return;
      const unpostable = await results(path, plan({ unpostableAt: SMALL * at }), options);
      expect(unpostable.results).toEqual(whole.slice(0, at));
      expect(unpostable.error).toMatchObject({ code: 'INVALID_OPTION', batch: at, file: path });
    },
  );

  it('a range error in a batch after a job of small batches names its batch and row', async () => {
    const path = paths.stream;
    // The big batch (60) holds rows 960..1959, after a job of small batches: its range from row
    // 128 of the batch fails.
    const failing = await results(path, () => ({ ...plan({ throwAt: 960 + 128 })(), merge }), {
      threads: 2,
      rangeBytes: 1536,
    });
    expect(failing.results).toEqual((await expected(path)).slice(0, 60));
    expect(failing.error).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', batch: 60, row: 128 + 3 });
  });

  it.each([{ threads: 1 }, { threads: 2, inThisThread: true }])(
    'a file appended to between jobs is CHANGED: %o',
    async (options) => {
      const path = join(dir, `appended-${options.threads}.arrows`);
      copyFileSync(paths.stream, path);
      const whole = await expected(path);
      const check = vi.mocked(checkFileVersionSync);
      check.mockClear();
      const reader = mapBatchesInWorkers<Sums>(path, plan(), { ...options, rangeBytes: 2000, inFlight: 64 });
      const got: Sums[] = [];
      let error: unknown;
      try {
        for await (const { value } of reader) {
          if (got.length === 0) appendFileSync(path, new Uint8Array(8));
          got.push(value);
        }
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'CHANGED', file: path });
      // The first job's results (checked before the append), then none.
      expect(got.length).toBeGreaterThan(1);
      expect(got.length).toBeLessThan(10);
      expect(got).toEqual(whole.slice(0, got.length).map((r) => r.value));
      // One check per job, not per batch.
      expect(check).toHaveBeenCalledTimes(2);
    },
  );
});

/**
 * A batch of `rows` rows: logits of 4 whole floats a row (their sums are exact in any order) and
 * targets counting up from `firstTarget` (the row's number in its file).
 */
function wholeLogitsBatch(rows: number, firstTarget: number) {
  return batchOf({
    logits: fixedList(
      4,
      primitive(
        new Float32(),
        Float32Array.from({ length: 4 * rows }, (_, i) => (i % 13) - 6),
      ),
    ),
    target: primitive(
      new Int64(),
      BigInt64Array.from({ length: rows }, (_, i) => BigInt(firstTarget + i)),
    ),
  });
}
