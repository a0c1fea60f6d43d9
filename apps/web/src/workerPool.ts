import type { BatchMessage } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';
import type { FromWorker, ToWorker } from './workerMessages.js';

/** Starts one compute worker (the app passes Vite's inlined worker constructor). */
export type WorkerFactory = () => Worker;

/**
 * The compute workers of one run: work goes to the least busy worker, replies come back through
 * `onReply` in whatever order they finish (the run puts them back in batch order). Work is sent
 * in units: a decoded batch (one job), or a region of an IPC stream's read plans (a job per plan,
 * each answered on its own); `slot()` bounds the units out, so reading never runs ahead of
 * computing by more than that.
 * `close()` terminates every worker at once (cancel, an error, or the end of the run).
 */
export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #busy: number[] = [];
  /** The worker and unit of each job that is out, by job number. */
  readonly #owner = new Map<number, { readonly worker: number; readonly unit: number }>();
  /** Jobs not answered yet of each unit that is out. */
  readonly #left = new Map<number, number>();
  #jobs = 0;
  #units = 0;
  #waiters: (() => void)[] = [];
  #closed = false;
  /** Rejects a pending `init()`: set while one waits, so `close()` and a worker's crash end it. */
  #initFailed: ((reason: Error) => void) | undefined;

  constructor(
    factory: WorkerFactory,
    readonly size: number,
    private readonly onReply: (reply: FromWorker) => void,
  ) {
    for (let i = 0; i < size; i++) {
      const worker = factory();
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const reply = event.data;
        if (reply.type !== 'ready' && reply.job !== undefined) {
          const owner = this.#owner.get(reply.job);
          if (owner !== undefined) {
            this.#owner.delete(reply.job);
            const left = this.#left.get(owner.unit)! - 1;
            if (left > 0) this.#left.set(owner.unit, left);
            else {
              this.#left.delete(owner.unit);
              this.#busy[owner.worker]!--;
              this.#waiters.shift()?.();
            }
          }
        }
        this.onReply(reply);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.#initFailed?.(new Error(`a compute worker failed: ${event.message}`));
        this.onReply({
          type: 'error',
          job: undefined,
          index: undefined,
          error: {
            name: 'Error',
            code: undefined,
            message: `a compute worker failed: ${event.message}`,
            hint: undefined,
            loss: undefined,
            file: undefined,
            batch: undefined,
            row: undefined,
            column: undefined,
            detail: undefined,
          },
        });
      };
      this.#workers.push(worker);
      this.#busy.push(0);
    }
  }

  /**
   * Sets every worker up for `spec`; resolves once all of them are ready (or one reports an error,
   * which the run gets through `onReply`). Rejects when the pool is closed first (a cancel) or a
   * worker crashes: a worker that is terminated or dead never answers, and waiting for it would
   * hang the run for good.
   */
  init(spec: EvalSpec): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the compute workers were closed'));
    const ready = Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const listen = (event: MessageEvent<FromWorker>) => {
              if (event.data.type === 'ready' || event.data.type === 'error') {
                worker.removeEventListener('message', listen);
                resolve();
              }
            };
            worker.addEventListener('message', listen);
          }),
      ),
    );
    const failed = new Promise<never>((_, reject) => {
      this.#initFailed = reject;
    });
    for (const worker of this.#workers) worker.postMessage({ type: 'init', spec } satisfies ToWorker);
    return Promise.race([ready, failed]).then(
      () => {
        this.#initFailed = undefined;
      },
      (e: unknown) => {
        this.#initFailed = undefined;
        throw e;
      },
    );
  }

  /** Waits until fewer than `perWorker × size` units are out. */
  async slot(perWorker = 2): Promise<void> {
    while (!this.#closed && this.#left.size >= perWorker * this.size) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends batch `index` (its buffers in `transfer` are moved, not copied) to the least busy worker. */
  send(index: number, batch: BatchMessage, transfer: ArrayBuffer[]): void {
    this.#post(1, ([job]) => ({ type: 'batch', job: job!, index, batch }), transfer);
  }

  /**
   * Has the least busy worker read a region of an Arrow IPC stream and compute its read plans
   * (see the `region` message); returns the plans' job numbers, in the region's order.
   */
  sendRegion(region: Omit<Extract<ToWorker, { type: 'region' }>, 'type' | 'jobs'>): number[] {
    return this.#post(region.region.items.length, (jobs) => ({ type: 'region', jobs, ...region }), []);
  }

  /**
   * Has the least busy worker walk a region of an Arrow IPC stream (see the `chain` message);
   * returns its job number (none once closed).
   */
  sendChain(chain: Omit<Extract<ToWorker, { type: 'chain' }>, 'type' | 'job'>): number | undefined {
    return this.#post(1, ([job]) => ({ type: 'chain', job: job!, ...chain }), [])[0];
  }
  /** Posts a unit of `count` jobs to the least busy worker; returns their numbers (none once closed). */
  #post(count: number, message: (jobs: number[]) => ToWorker, transfer: ArrayBuffer[]): number[] {
    if (this.#closed || count === 0) return [];
    let at = 0;
    for (let i = 1; i < this.#busy.length; i++) if (this.#busy[i]! < this.#busy[at]!) at = i;
    const unit = this.#units++;
    const jobs: number[] = [];
    for (let k = 0; k < count; k++) {
      const job = this.#jobs++;
      jobs.push(job);
      this.#owner.set(job, { worker: at, unit });
    }
    this.#busy[at]!++;
    this.#left.set(unit, count);
    this.#workers[at]!.postMessage(message(jobs), transfer);
    return jobs;
  }

  /** Jobs sent and not answered yet. */
  get outstanding(): number {
    return this.#owner.size;
  }

  /**
   * Ends the pool without terminating its workers when every job was answered (a run that ended
   * well): returns them, their handlers removed, for another run (see `WarmWorkers`). Otherwise
   * (jobs still out, or closed already) it closes the pool as `close()` does and returns none: a
   * worker with work queued would answer the next run with this one's replies.
   */
  release(): Worker[] {
    if (this.#closed || this.#owner.size > 0) {
      this.close();
      return [];
    }
    this.#closed = true;
    for (const worker of this.#workers) {
      worker.onmessage = null;
      worker.onerror = null;
    }
    for (const wake of this.#waiters) wake();
    this.#waiters = [];
    return [...this.#workers];
  }

  /** Terminates every worker; waiting senders are released. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#initFailed?.(new Error('the compute workers were closed'));
    for (const worker of this.#workers) worker.terminate();
    for (const wake of this.#waiters) wake();
    this.#waiters = [];
  }
}
