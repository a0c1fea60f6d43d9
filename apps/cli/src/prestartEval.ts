import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { wantsHelp } from './argv.js';
import { MAX_THREADS, parseEvalArgs } from './evalArgs.js';
import { outputRequests } from './evalOutputs.js';
import { checkOutputTargets } from './outputTargets.js';

/**
 * For `lossflow eval` with worker threads (`--threads` ≥ 2), starts them before the command loads its
 * pipeline (RxJS, apache-arrow): they load the loss code meanwhile, so a short file is not mostly
 * waiting for them. Only a command line that passes every check the command itself makes first
 * (its arguments, its output paths, its files' existence) starts any: a usage error or a typo in a
 * path costs no thread.
 *
 * @example
 * await prestartEval(['log.arrows', '--threads', '4']); // 3 worker threads start now (and this one computes)
 */
export async function prestartEval(args: readonly string[]): Promise<void> {
  if (wantsHelp(args)) return;
  let threads: number;
  try {
    const plan = parseEvalArgs(args);
    // The main thread reads alone for per-row output (see evalPipeline).
    if (plan.perRow !== undefined) return;
    checkOutputTargets(outputRequests(plan), plan.files, 'eval');
    for (const file of plan.files) statSync(file);
    threads = plan.threads ?? defaultThreads();
  } catch {
    // The command reports it.
    return;
  }
  // The main thread is one of the threads (see BatchSource.lossChunks).
  if (threads < 2) return;
  const { prestartLossWorkers } = await import('@lossflow/rx/prestart');
  prestartLossWorkers(threads - 1);
}

/** Threads when `--threads` is not given: one per core, at most {@link MAX_THREADS}. */
export function defaultThreads(): number {
  return Math.min(availableParallelism(), MAX_THREADS);
}
