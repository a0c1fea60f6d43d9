import { commandLine } from '../args/commandLine.js';
import { type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { expandInputs } from '../inputs/expandInputs.js';
import { GroupKeys } from '../inputs/groupKeys.js';
import { hivePartitions } from '../inputs/hivePartitions.js';
import { DistributedSource } from '../nats/DistributedSource.js';
import { takeDistributedFlags } from '../nats/distributedFlags.js';
import { itemSpecOf } from '../nats/itemSpec.js';
import { natsFailure } from '../nats/natsFailure.js';
import type { CliIo } from '../output/cliIo.js';
import { reportStep } from '../report/reportStep.js';
import { executeEval } from './executeEval.js';

/**
 * `lossflow eval FILE… --nats URL [--run ID] [--keep] …`: the coordinator of a distributed run.
 * The files are planned into items that workers (`lossflow worker`) compute; their partial states
 * are merged in item order into exactly what a local `lossflow eval` of the same files and options
 * prints. With `--run` it starts or resumes that run (states already computed are kept).
 *
 * @returns the exit code: 0, 1 (a failure, an item that failed on every delivery) or 2 (bad usage)
 */
export async function distributedEval(args: readonly string[], io: CliIo): Promise<number> {
  let plan: EvalPlan;
  let flags: ReturnType<typeof takeDistributedFlags>;
  let step: string | undefined;
  try {
    flags = takeDistributedFlags(args, io.env);
    plan = parseEvalArgs(flags.rest);
    if (plan.perRow !== undefined) throw new UsageError('--per-row cannot be combined with --nats.');
    if (plan.limit !== undefined) throw new UsageError('--limit cannot be combined with --nats.');
    refuseWhatWorkersCannotDo(plan);
    if (flags.run !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(flags.run)) {
      throw new UsageError(`--run ${flags.run}: use 1 to 64 letters, digits, '_' or '-'.`);
    }
    const { threadsRefusal } = await import('@lossflow/rx');
    for (const op of evalOperators(plan, { perRow: false, step: undefined })) {
      const refusal = threadsRefusal(op);
      if (refusal !== undefined)
        throw new UsageError(
          `these losses cannot run on workers (${refusal.detail}); run them without --nats.`,
        );
    }
    step = plan.report === undefined ? undefined : await reportStep(plan);
  } catch (error) {
    const failure = describeFailure(error, { command: 'eval' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const p = plan;
  const note = (text: string): void => {
    if (!p.quiet) io.stderr.write(`lossflow eval: ${text}\n`);
  };
  const spec = itemSpecOf(flags.rest, step);
  const connect = flags.connect;
  const servers = serversOf(connect.servers ?? io.env.NATS_URL);
  const outcome = await executeEval(
    plan,
    io,
    {
      title: 'lossflow eval',
      command: commandLine(['lossflow', 'eval', ...args]),
    },
    {
      source: (planned) =>
        new DistributedSource(planned, spec, {
          connect,
          servers,
          run: flags.run,
          keep: flags.keep,
          ackWaitMs: positive(io.env.LOSSFLOW_NATS_ACK_WAIT_MS),
          maxDeliver: positive(io.env.LOSSFLOW_NATS_MAX_DELIVER),
          itemBytes: positive(io.env.LOSSFLOW_NATS_ITEM_BYTES),
          note,
        }),
      explainFailure: (error) => natsFailure(error, 'eval', servers),
    },
  );
  if (outcome.exitCode === 0 && plan.report !== undefined && !plan.quiet) {
    io.stderr.write(`Report written to ${plan.report}\n`);
  }
  return outcome.exitCode;
}

/**
 * Refuses, as bad usage before anything is published, what workers cannot compute yet: they compute
 * loss chunks of byte ranges of files, so metrics (computed from the batches in this thread),
 * `--follow` and standard input (no byte ranges to plan) and `--by` keys that are not one column of
 * the data (`file`, Hive partition keys, several names: numbered per reader, so per worker) would
 * fail late or differ from a local eval.
 *
 * @throws UsageError naming the option
 */
function refuseWhatWorkersCannotDo(plan: EvalPlan): void {
  const refuse = (what: string): never => {
    throw new UsageError(`${what} cannot be combined with --nats yet; run this eval without --nats.`, 'eval');
  };
  if ((plan.metrics?.length ?? 0) > 0) refuse('--metric');
  if (plan.follow === true) refuse('--follow');
  if (plan.files.includes('-')) refuse('standard input (-)');
  if (plan.by === undefined) return;
  const partitions = hivePartitions(expandInputs(plan.files).map((f) => f.path));
  if (GroupKeys.of(plan.by, partitions) !== undefined) {
    refuse(`--by ${plan.by} (the input file, a Hive partition key or several keys)`);
  }
}

/** The server(s) of the connection options, as messages name them. */
function serversOf(servers: string | readonly string[] | undefined): string {
  if (servers === undefined) return 'nats://127.0.0.1:4222';
  return typeof servers === 'string' ? servers : servers.join(',');
}

/** A tuning variable of the tests (short ack waits, small items): a whole number ≥ 1, else unset. */
function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}
