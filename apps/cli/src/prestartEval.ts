import { availableParallelism } from 'node:os';

/**
 * For `lossflow eval` with worker threads (`--threads` ≥ 2), starts them before the command loads its
 * pipeline (RxJS, apache-arrow): they load the loss code meanwhile, so a
 * short file is not mostly waiting for them. Reads only what it needs from the arguments, which
 * the command parses and validates later; a wrong guess only wastes an idle thread.
 *
 * @example
 * await prestartEval(['log.arrows', '--threads', '4']); // 3 worker threads start now (and this one computes)
 */
export async function prestartEval(args: readonly string[]): Promise<void> {
  let threads = availableParallelism();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    // The main thread reads alone for per-row output (see evalPipeline), and help needs no threads.
    if (a === '--per-row' || a === '--help' || a === '-h') return;
    if (a === '--threads') threads = Number(args[i + 1]);
    else if (a.startsWith('--threads=')) threads = Number(a.slice('--threads='.length));
  }
  // The main thread is one of the threads (see BatchSource.lossChunks).
  if (!Number.isInteger(threads) || threads < 2) return;
  const { prestartLossWorkers } = await import('@lossflow/rx/prestart');
  prestartLossWorkers(threads - 1);
}
