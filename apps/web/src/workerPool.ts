import type { BatchMessage } from './batchMessage.js';
import type { EvalSpec } from './evalSpec.js';
import type { FromWorker, ToWorker } from './workerMessages.js';

/** Starts one compute worker (the app passes Vite's inlined worker constructor). */
export type WorkerFactory = () => Worker;

/**
 * The compute workers of one run: batches go to the least busy worker, replies come back through
 * `onReply` in whatever order they finish (the run puts them back in batch order). At most
 * `2 × size` jobs (batches or row ranges of one) are out at once, so reading never runs ahead of computing by more than that.
 * `close()` terminates every worker at once (cancel, an error, or the end of the run).
 */
export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #busy: number[] = [];
  /** The worker each job that is out went to, by job number. */
  readonly #owner = new Map<number, number>();
  #jobs = 0;
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
          const at = this.#owner.get(reply.job);
          if (at !== undefined) {
            this.#owner.delete(reply.job);
            this.#busy[at]!--;
            this.#waiters.shift()?.();
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

  /** Waits until fewer than `2 × size` batches are out. */
  async slot(): Promise<void> {
    while (!this.#closed && this.#owner.size >= 2 * this.size) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends batch `index` (its buffers in `transfer` are moved, not copied) to the least busy worker. */
  send(index: number, batch: BatchMessage, transfer: ArrayBuffer[]): void {
    this.#post((job) => ({ type: 'batch', job, index, batch }), transfer);
  }

  /**
   * Has the least busy worker read and compute one read plan of an Arrow IPC stream's batch
   * `index` (its row range `part`; see the `block` message).
   */
  sendBlock(block: Omit<Extract<ToWorker, { type: 'block' }>, 'type' | 'job'>): number {
    return this.#post((job) => ({ type: 'block', job, ...block }), []);
  }

  /** Posts a job to the least busy worker; returns its number (−1 once closed). */
  #post(message: (job: number) => ToWorker, transfer: ArrayBuffer[]): number {
    if (this.#closed) return -1;
    let at = 0;
    for (let i = 1; i < this.#busy.length; i++) if (this.#busy[i]! < this.#busy[at]!) at = i;
    const job = this.#jobs++;
    this.#busy[at]!++;
    this.#owner.set(job, at);
    this.#workers[at]!.postMessage(message(job), transfer);
    return job;
  }

  /** Jobs sent and not answered yet. */
  get outstanding(): number {
    return this.#owner.size;
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
