import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { initKernels } from '@lossflow/core';
import { wantsHelp } from '../args/argv.js';
import { MAX_THREADS, parseEvalArgs } from '../args/evalArgs.js';
import { BYTES_PER_WORKER } from '../eval/fileThreads.js';
import { outputRequests } from '../output/evalOutputs.js';
import { checkOutputTargets } from '../output/outputTargets.js';

/**
 * Input bytes that keep one more pre-started worker busy: about one batch-job's worth. A file
 * smaller than this pre-starts none, so `--threads 256` on a 6-row file costs no thread.
 */
export const BYTES_PER_PRESTARTED_WORKER = BYTES_PER_WORKER;

/** What {@link prestartEval} started that the command must wait for before it computes. */
export interface PrestartedEval {
  /**
   * The loss kernels' WebAssembly, compiled asynchronously (`initKernels`), off this thread, while
   * it loads the command; settles once they are in place (or could not load: the command's first
   * loss call then reports why, as without the pre-start). Awaited before the command runs, so
   * the losses never compile a second copy synchronously.
   */
  readonly kernels: Promise<void>;
}

/**
 * For `lossflow eval`, starts what its computing needs before the command loads its pipeline
 * (RxJS, apache-arrow): the compiling of the loss kernels (see {@link PrestartedEval.kernels}) and,
 * with worker threads (`--threads` ≥ 2), the workers, which load the loss code meanwhile, so a short
 * file is not mostly waiting for them. Only a command line that passes every check the command
 * itself makes first (its arguments, its output paths, its files' existence) starts anything: a
 * usage error or a typo in a path costs no thread. It starts at most one worker per
 * {@link BYTES_PER_PRESTARTED_WORKER} of input (regular files only: a pipe's size is unknown, its
 * workers start when jobs are planned), so a small file starts none; the pool starts any further
 * ones as it plans jobs. Pre-started workers are unreferenced: one left unused never delays exit.
 *
 * @returns what was started, or undefined for a command line the command will refuse (or help)
 * @example
 * const started = await prestartEval(['big.arrows', '--threads', '4']); // up to 3 worker threads start now (and this one computes)
 * // … this thread loads the command's modules meanwhile …
 * await started?.kernels;
 */
export async function prestartEval(args: readonly string[]): Promise<PrestartedEval | undefined> {
  if (wantsHelp(args)) return undefined;
  let threads: number;
  let bytes = 0;
  let perRow: boolean;
  try {
    const plan = parseEvalArgs(args);
    perRow = plan.perRow !== undefined;
    checkOutputTargets(outputRequests(plan), plan.files, 'eval');
    for (const file of plan.files) {
      const stat = statSync(file);
      if (stat.isFile()) bytes += stat.size;
    }
    threads = plan.threads ?? defaultThreads();
  } catch {
    // The command reports it.
    return undefined;
  }
  // An invalid LOSSFLOW_KERNELS is the command's to report, at its first loss call.
  const started: PrestartedEval = {
    kernels: initKernels().then(
      () => undefined,
      () => undefined,
    ),
  };
  // The main thread reads alone for per-row output (see evalPipeline).
  if (perRow) return started;
  // The main thread is one of the threads (see LogFiles.passChunks).
  const count = Math.min(threads - 1, Math.floor(bytes / BYTES_PER_PRESTARTED_WORKER));
  if (count < 1) return started;
  const { prestartLossWorkers } = await import('@lossflow/rx/prestart');
  prestartLossWorkers(count);
  return started;
}

/** Threads when `--threads` is not given: one per core, at most {@link MAX_THREADS}. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_THREADS);
}
