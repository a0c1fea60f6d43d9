import type { WorkerFactory } from './workerPool.js';

/**
 * Compute workers started ahead of a run, so that Evaluate starts reading at once: a worker takes
 * a few hundred milliseconds of CPU to start (it parses its script, compiles the WebAssembly
 * kernels and touches its first memory), which a run would otherwise spend before its first byte
 * is read, on the same few cores it reads and computes with. The page prepares them when files
 * are ready and keeps a run's workers when it ends well (their windows and kernels' memory are
 * then already touched); a cancelled or failed run's workers are terminated, not kept.
 *
 * @example
 * const warm = new WarmWorkers(() => new ComputeWorker());
 * warm.prepare(4);
 * await runEval(files, spec, { workers: () => warm.take(), keep: (w) => warm.keep(w), threads: 4 });
 */
export class WarmWorkers {
  #spares: Worker[] = [];

  constructor(private readonly factory: WorkerFactory) {}

  /** Workers started and idle. */
  get size(): number {
    return this.#spares.length;
  }

  /**
   * Makes `count` workers idle and ready: starts the missing ones (each told to load its kernels
   * now) and terminates any beyond `count`.
   */
  prepare(count: number): void {
    while (this.#spares.length > count) this.#spares.pop()!.terminate();
    while (this.#spares.length < count) this.#spares.push(this.#start());
  }

  /** An idle worker (the oldest started), or a new one when none is left. */
  take(): Worker {
    return this.#spares.shift() ?? this.factory();
  }

  /** Takes back the workers of a run that ended well (every job answered), for the next run. */
  keep(workers: readonly Worker[]): void {
    this.#spares.push(...workers);
  }

  /** Terminates every idle worker. */
  clear(): void {
    this.prepare(0);
  }

  #start(): Worker {
    const worker = this.factory();
    worker.postMessage({ type: 'warm' });
    return worker;
  }
}
