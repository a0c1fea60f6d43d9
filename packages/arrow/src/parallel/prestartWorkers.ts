import { Worker } from 'node:worker_threads';
import { MAX_THREADS } from '../read/countOption.js';
import { workerEntryUrl } from '../workerEntry.js';
import { traceMark } from './traceMarks.js';

/**
 * Worker threads of `mapBatchesInWorkers` started ahead of time, or parked by a pool done with
 * them, waiting to be taken. Kept out of the package's main module, which loads apache-arrow: a
 * command line imports only this to start the threads before it loads anything heavy, so their
 * start-up overlaps its own.
 */
const idle: Worker[] = [];

/**
 * How long a thread a pool is done with waits for the next pool before it is ended: long enough
 * for the next file of a folder, the next epoch's eval or the next test; not forever, as a thread
 * keeps the memory its task grew to.
 */
const PARKED_MS = 30_000;

/** How each waiting thread leaves the queue by itself: when it dies, or when its wait is over. */
const leaving = new Map<
  Worker,
  { readonly gone: () => void; readonly timer?: ReturnType<typeof setTimeout> }
>();

/** Queues a started thread; one that dies while it waits leaves the queue (and fails no one). */
function wait(worker: Worker, ms?: number): void {
  const gone = () => void unparkWorker(worker);
  const timer =
    ms === undefined
      ? undefined
      : setTimeout(() => {
          gone();
          void worker.terminate();
        }, ms).unref();
  worker.on('error', gone);
  worker.on('exit', gone);
  leaving.set(worker, timer === undefined ? { gone } : { gone, timer });
  idle.push(worker);
}

function stopWaiting(worker: Worker): void {
  const w = leaving.get(worker);
  if (w === undefined) return;
  leaving.delete(worker);
  clearTimeout(w.timer);
  worker.off('error', w.gone);
  worker.off('exit', w.gone);
}

/** For a command line's own start-up marks, on the pool's clock (see `traceMarks`). */
export { traceMark, tracing } from './traceMarks.js';
/**
 * The most threads a reader starts (the root's `MAX_THREADS`), here too: a command line checks
 * `--threads` against it before it starts any, without loading the main module.
 */
export { MAX_THREADS };

/**
 * This process's Node options for the workers, without those that give the main script itself
 * (`-e`, `--print`, `--input-type`), which a worker refuses to start with.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') i++;
    else if (!a.startsWith('--input-type') && !a.startsWith('--eval=') && !a.startsWith('--print='))
      out.push(a);
  }
  return out;
}

/**
 * A worker thread with this process's Node options. V8 options (`--max-old-space-size`,
 * `--no-liftoff`, …) are process-wide, so the thread has them already, but a Worker refuses them
 * in `execArgv`: those it names are dropped and it is started again.
 */
function spawn(preload: readonly string[]): Worker {
  let execArgv = workerExecArgv();
  for (;;) {
    try {
      const worker = new Worker(workerEntryUrl(), { execArgv, workerData: { preload } });
      worker.unref();
      return worker;
    } catch (e) {
      const refused = refusedExecArgv(e);
      const kept = execArgv.filter((a) => refused === undefined || !`, ${refused}, `.includes(`, ${a}, `));
      if (kept.length === execArgv.length) throw e;
      execArgv = kept;
    }
  }
}

/**
 * The options an `ERR_WORKER_INVALID_EXEC_ARGV` names, as its message lists them after the colon,
 * joined by `', '` (an option may hold a comma itself, so they are matched whole, not split).
 */
function refusedExecArgv(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return undefined;
  const message = String((error as Error).message);
  return message.slice(message.indexOf(': ') + 2);
}

/**
 * Starts `count` worker threads for the next `mapBatchesInWorkers` pools now, each loading the
 * `preload` modules (e.g. the task module the pool will run) while this thread goes on. A pool
 * takes these before starting its own; unused ones never keep the process alive.
 *
 * A hint, called before arguments are validated, so it never fails: a `count` that is not a whole
 * number ≥ 1 (`NaN`, `2.5`, `Infinity`) starts none, and at most `MAX_THREADS` (256) threads wait
 * at once, however many are asked for (each costs its start-up and its memory).
 *
 * @example
 * prestartWorkers(availableParallelism(), [new URL('./myTask.js', import.meta.url)]);
 * const { run } = await import('./heavyModule.js'); // the workers start meanwhile
 */
export function prestartWorkers(count: number, preload: readonly (string | URL)[] = []): void {
  if (!Number.isInteger(count) || count < 1) return;
  const urls = preload.map((u) => u.toString());
  const n = Math.min(count, MAX_THREADS - idle.length);
  for (let i = 0; i < n; i++) wait(spawn(urls));
  if (n > 0) traceMark(`${n} worker(s) prestarted`);
}

/** Worker threads started by {@link prestartWorkers}, or parked by a pool done with them, and not yet taken. */
export function waitingWorkers(): number {
  return idle.length;
}

/**
 * A pool's thread it is done with, idle, to be taken by the next pool before any new one (see
 * `PoolWorker.release`); ended after {@link PARKED_MS} untaken, or at once when `MAX_THREADS`
 * wait already. It never keeps the process alive.
 */
export function parkWorker(worker: Worker): void {
  if (idle.length >= MAX_THREADS) {
    void worker.terminate();
    return;
  }
  worker.unref();
  wait(worker, PARKED_MS);
}

/**
 * Takes `worker` out of the queue if it is still waiting to be taken (one that died, or a parked
 * thread that never answered its pool, to be ended): whether it was.
 */
export function unparkWorker(worker: Worker): boolean {
  const at = idle.indexOf(worker);
  if (at < 0) return false;
  idle.splice(at, 1);
  stopWaiting(worker);
  return true;
}

/**
 * Ends the threads waiting to be taken (prestarted or parked) now, giving back their memory: for
 * a long-running process done with evaluating for a while, which would otherwise keep parked
 * threads up to 30 s.
 *
 * @example
 * await endWaitingWorkers();
 */
export async function endWaitingWorkers(): Promise<void> {
  const ending = idle.splice(0);
  for (const worker of ending) stopWaiting(worker);
  await Promise.all(ending.map((worker) => worker.terminate()));
}

/** A started worker thread: a prestarted or parked one if any is waiting, else a new one. */
export function takeWorker(): Worker {
  const worker = idle.shift();
  if (worker === undefined) return spawn([]);
  stopWaiting(worker);
  return worker;
}
