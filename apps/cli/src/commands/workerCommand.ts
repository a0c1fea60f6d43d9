import { parseArgs } from 'node:util';
import { wantsHelp } from '../args/argv.js';
import { MAX_THREADS } from '../args/evalArgs.js';
import { WORKER_HELP } from '../args/helpText.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { computeItem } from '../nats/computeItem.js';
import type { CliIo } from '../output/cliIo.js';

/**
 * `lossflow worker --nats URL [--threads N]`: serves distributed runs (`lossflow eval … --nats`)
 * until SIGTERM or SIGINT, computing one item at a time with N threads. On SIGTERM the item in hand
 * is released for another worker and the command exits 0.
 *
 * @returns the exit code: 0 when stopped, 1 (the server cannot be reached) or 2 (bad usage)
 */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(WORKER_HELP);
    return 0;
  }
  let servers: string;
  let threads: number;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: {
        nats: { type: 'string' },
        threads: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
      strict: true,
      allowPositionals: false,
    });
    servers = values.nats ?? io.env.NATS_URL ?? '';
    if (servers === '') throw new UsageError('--nats URL (or NATS_URL) names the NATS server.');
    threads = values.threads === undefined ? 1 : Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}.`);
    }
    if (values.quiet === true) io = { ...io, stderr: { write: () => true } as unknown as CliIo['stderr'] };
  } catch (error) {
    const failure = describeFailure(
      error instanceof UsageError ? error : new UsageError((error as Error).message),
      { command: 'worker' },
    );
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const log = (text: string): void => {
    io.stderr.write(`lossflow worker: ${text}\n`);
  };
  const nats = await import('@lossflow/nats/node');
  let nc: Awaited<ReturnType<typeof nats.connectForRun>>;
  try {
    nc = await nats.connectForRun({ servers, name: 'lossflow worker' });
  } catch (e) {
    io.stderr.write(
      `lossflow worker: cannot connect to the NATS server at ${servers}: ${e instanceof Error ? e.message : String(e)}. Check --nats (or NATS_URL) and that nats-server runs with JetStream enabled (-js).\n`,
    );
    return 1;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Testing only (the fault tests): hold the first item after storing its states (after-store), or
  // every item before computing it (before-compute), until killed or stopped.
  const stall = io.env.LOSSFLOW_WORKER_TEST_STALL === 'after-store';
  const stallBefore = io.env.LOSSFLOW_WORKER_TEST_STALL === 'before-compute';
  let stalled = false;
  log(`serving runs on ${servers} with ${threads} thread${threads === 1 ? '' : 's'}`);
  try {
    await nats.serveWorkItems(nc, {
      compute: async (item, signal) => {
        if (stallBefore) {
          log('stalling (LOSSFLOW_WORKER_TEST_STALL)');
          await new Promise((_, reject) => signal.addEventListener('abort', reject, { once: true }));
        }
        return computeItem(item, threads, signal);
      },
      signal: stop.signal,
      onEvent: (e) => {
        const where = `run ${e.item.run} item ${e.item.index} (${e.item.path}, ${nats.partName(e.item)})`;
        if (e.type === 'item') log(`${where}: delivery ${e.delivery}`);
        else if (e.type === 'stored')
          log(`${where}: stored${e.duplicate ? ' (already stored by another worker)' : ''}`);
        else if (e.type === 'released') log(`${where}: released for another worker`);
        else {
          const failure = describeFailure(e.error, { command: 'worker' });
          log(`${where}: failed${e.final ? ' on its last delivery' : ''}: ${failure.message}`);
        }
      },
      ...(stall
        ? {
            beforeAck: async (_item, signal) => {
              if (stalled) return;
              stalled = true;
              log('stalling (LOSSFLOW_WORKER_TEST_STALL)');
              await new Promise((_, reject) => signal.addEventListener('abort', reject, { once: true }));
            },
          }
        : {}),
    });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await nc.drain().catch(() => undefined);
  }
  log('stopped');
  return 0;
}
