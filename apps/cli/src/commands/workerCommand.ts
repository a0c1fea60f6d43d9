import { natsServersOf, redactNatsUrl } from '@lossflow/nats';
import type { NatsConnectOptions } from '@lossflow/nats/node';
import { type FlagSpec, hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { type EvalPlan, MAX_THREADS, parseEvalArgs } from '../args/evalArgs.js';
import { WORKER_HELP } from '../args/helpText.js';
import { NATS_CONNECT_FLAGS, natsConnectOptionsOf } from '../args/natsConnectFlags.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { flagOfColumn } from '../eval/flagOfColumn.js';
import { computeItem } from '../nats/computeItem.js';
import type { ItemSpec } from '../nats/itemSpec.js';
import { natsFailure } from '../nats/natsFailure.js';
import { isRunError } from '../nats/runError.js';
import type { CliIo } from '../output/cliIo.js';

/** The flags of `lossflow worker`: the shared connection flags, `--threads N` and `--quiet`. */
const WORKER_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...NATS_CONNECT_FLAGS,
  threads: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
};

/**
 * `lossflow worker --nats URL [--threads N]`: serves distributed runs (`lossflow eval … --nats`)
 * until SIGTERM or SIGINT, computing one item at a time with N threads (and holding the next one).
 * On SIGTERM the items in hand are released for another worker and the command exits 0.
 *
 * @returns the exit code: 0 when stopped, 1 (the server cannot be reached) or 2 (bad usage)
 */
export async function workerCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(WORKER_HELP);
    return 0;
  }
  let connect: NatsConnectOptions;
  let servers: string;
  let threads: number;
  try {
    const parsed = parseArgv(args, WORKER_FLAGS, 'worker');
    if (parsed.positionals.length > 0) {
      throw new UsageError(`worker takes no files (got '${parsed.positionals[0]}').`, 'worker');
    }
    connect = { ...natsConnectOptionsOf(parsed, io.env), name: 'lossflow worker' };
    servers = natsServersOf({ servers: connect.servers, env: io.env });
    const threadsFlag = lastValue(parsed, 'threads');
    threads = threadsFlag === undefined ? 1 : Number(threadsFlag);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}.`, 'worker');
    }
    if (hasFlag(parsed, 'quiet')) io = { ...io, stderr: { write: () => true } as unknown as CliIo['stderr'] };
  } catch (error) {
    const failure = describeFailure(error, { command: 'worker' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const log = (text: string): void => {
    io.stderr.write(`lossflow worker: ${text}\n`);
  };
  const nats = await import('@lossflow/nats/node');
  let nc: Awaited<ReturnType<typeof nats.connectForRun>>;
  try {
    nc = await nats.connectForRun(connect);
  } catch (error) {
    const failure =
      natsFailure(error, 'worker', servers, io.env) ?? describeFailure(error, { command: 'worker' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Testing only (the fault tests): hold the first item after storing its states (after-store), or
  // every item before computing it (before-compute), until killed or stopped; or the first item
  // before computing it until SIGUSR2 (before-compute-until-usr2: a worker paused on an item and
  // woken once the world changed, e.g. its run removed and another started with its id).
  const stall = io.env.LOSSFLOW_WORKER_TEST_STALL === 'after-store';
  const stallBefore = io.env.LOSSFLOW_WORKER_TEST_STALL === 'before-compute';
  const stallUntilUsr2 = io.env.LOSSFLOW_WORKER_TEST_STALL === 'before-compute-until-usr2';
  let stalled = false;
  // Listened to from the start, so a signal sent early (or twice) wakes the stall, never kills.
  let usr2 = false;
  let wakeStall: (() => void) | undefined;
  const onUsr2 = (): void => {
    usr2 = true;
    wakeStall?.();
  };
  if (stallUntilUsr2) process.on('SIGUSR2', onUsr2);
  log(`serving runs on ${redactNatsUrl(servers)} with ${threads} thread${threads === 1 ? '' : 's'}`);
  try {
    await nats.serveWorkItems(nc, {
      compute: async (item, signal) => {
        if (stallBefore) {
          log('stalling (LOSSFLOW_WORKER_TEST_STALL)');
          await untilStopped(signal);
        }
        if (stallUntilUsr2 && !stalled) {
          stalled = true;
          log('stalling until SIGUSR2 (LOSSFLOW_WORKER_TEST_STALL)');
          if (!usr2) await new Promise<void>((resolve) => (wakeStall = resolve));
          log('woken (LOSSFLOW_WORKER_TEST_STALL)');
        }
        // The file must be the one planned, before and after the read, and read to its planned end.
        await nats.checkItemFile(item);
        const chunks = await computeItem(item, threads, signal);
        nats.checkItemRead(item, chunks);
        await nats.checkItemFile(item);
        return chunks;
      },
      signal: stop.signal,
      // A column a file lacks or an option its data rules out fails the run at once, said as a
      // local eval of the run's arguments says it (the coordinator prints it as it is).
      runError: (error, item) => {
        if (!isRunError(error)) return undefined;
        let plan: EvalPlan | undefined;
        try {
          plan = parseEvalArgs((item.spec as ItemSpec).args);
        } catch {
          // The arguments themselves were the error: it names its flag.
        }
        const failure = describeFailure(error, {
          command: 'eval',
          flagOfColumn: (column) => (plan === undefined ? undefined : flagOfColumn(plan, column)),
          // An item's batches are numbered in its file, as a local eval of that file numbers them.
          locate: (batch) => ({ file: item.path, batch }),
          currentFile: () => item.path,
        });
        return { message: failure.message.replace(/^lossflow eval: /, ''), exitCode: failure.exitCode };
      },
      onEvent: (e) => {
        const where = `run ${e.item.run} item ${e.item.index} (${e.item.path}, ${nats.partName(e.item)})`;
        if (e.type === 'item') log(`${where}: delivery ${e.delivery}`);
        else if (e.type === 'stored')
          log(`${where}: stored${e.duplicate ? ' (already stored by another worker)' : ''}`);
        else if (e.type === 'released') log(`${where}: released for another worker`);
        else if (e.type === 'lost')
          log(
            `${where}: lost the server (${e.error instanceof Error ? e.error.message : String(e.error)}); given back, retrying`,
          );
        else if (e.type === 'dropped') log(`${e.reason}; dropping item ${e.item.index} (${e.item.path})`);
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
              await untilStopped(signal);
            },
          }
        : {}),
    });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGUSR2', onUsr2);
    await nc.drain().catch(() => undefined);
  }
  log('stopped');
  return 0;
}

/** Rejects once `signal` aborts, at once if it has (a stall the worker was stopped before). */
function untilStopped(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
