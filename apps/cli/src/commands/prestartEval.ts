import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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

/**
 * For `lossflow eval` with worker threads (`--threads` ≥ 2), starts them before the command loads its
 * pipeline (RxJS, apache-arrow): they load the loss code meanwhile, so a short file is not mostly
 * waiting for them. Only a command line that passes every check the command itself makes first
 * (its arguments, its output paths, its files' existence) starts any: a usage error or a typo in a
 * path costs no thread. It starts at most one worker per {@link BYTES_PER_PRESTARTED_WORKER} of
 * input (regular files only: a pipe's size is unknown, its workers start when jobs are planned),
 * so a small file starts none; the pool starts any further ones as it plans jobs. Pre-started
 * workers are unreferenced: one left unused never delays exit.
 *
 * @example
 * await prestartEval(['big.arrows', '--threads', '4']); // up to 3 worker threads start now (and this one computes)
 */
export async function prestartEval(args: readonly string[]): Promise<void> {
  if (wantsHelp(args)) return;
  let threads: number;
  let bytes = 0;
  try {
    const plan = parseEvalArgs(args);
    // The main thread reads alone for per-row output (see evalPipeline).
    if (plan.perRow !== undefined) return;
    checkOutputTargets(outputRequests(plan), plan.files, 'eval');
    for (const file of plan.files) {
      const stat = statSync(file);
      if (stat.isFile()) bytes += stat.size;
    }
    threads = plan.threads ?? defaultThreads();
  } catch {
    // The command reports it.
    return;
  }
  // The main thread is one of the threads (see LogFiles.passChunks).
  const count = Math.min(threads - 1, Math.floor(bytes / BYTES_PER_PRESTARTED_WORKER));
  if (count < 1) return;
  const { prestartLossWorkers } = await import('@lossflow/rx/prestart');
  prestartLossWorkers(count);
}

/** Threads when `--threads` is not given: one per core, at most {@link MAX_THREADS}. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_THREADS);
}
