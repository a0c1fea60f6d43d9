import { natsServersOf, redactNatsUrl } from '@lossflow/nats';
import { commandLine } from '../args/commandLine.js';
import { type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { redactNatsArgs } from '../args/redactNatsArgs.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { metricOperators } from '../metrics/metricResults.js';
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
    refuseWhatWorkersCannotDo(plan);
    if (flags.run !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(flags.run)) {
      throw new UsageError(`--run ${flags.run}: use 1 to 64 letters, digits, '_' or '-'.`);
    }
    const { threadsRefusal } = await import('@lossflow/rx');
    const metricOps = metricOperators(plan.metrics ?? [], { by: plan.by, nulls: plan.nulls });
    for (const op of [...evalOperators(plan, { perRow: false, step: undefined }), ...metricOps]) {
      const refusal = threadsRefusal(op);
      if (refusal !== undefined)
        throw new UsageError(
          `these losses cannot run on workers (${refusal.detail}); run them without --nats.`,
        );
    }
    // Workers record the step column whether or not this coordinator writes a report (`--report`
    // is an output flag), so a run resumed with the report added or left out has the same plan;
    // `--step` counts only with a report, as in a local eval.
    step = await reportStep(plan.report === undefined ? { ...plan, step: undefined } : plan);
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
  const servers = natsServersOf({ servers: connect.servers, env: io.env });
  let source: DistributedSource | undefined;
  const outcome = await executeEval(
    plan,
    io,
    {
      title: 'lossflow eval',
      command: commandLine(['lossflow', 'eval', ...redactNatsArgs(args)]),
    },
    {
      source: (planned, keys) =>
        (source = new DistributedSource(
          planned,
          spec,
          {
            connect,
            servers: redactNatsUrl(servers),
            run: flags.run,
            keep: flags.keep,
            ackWaitMs: positive(io.env.LOSSFLOW_NATS_ACK_WAIT_MS),
            maxDeliver: positive(io.env.LOSSFLOW_NATS_MAX_DELIVER),
            itemBytes: positive(io.env.LOSSFLOW_NATS_ITEM_BYTES),
            note,
          },
          keys,
        )),
      explainFailure: (error) => natsFailure(error, 'eval', servers, io.env),
    },
  );
  // A run this eval failed on after its items were merged is removed (or marked failed) first.
  await source?.closed();
  if (outcome.exitCode === 0 && plan.report !== undefined && !plan.quiet) {
    io.stderr.write(`Report written to ${plan.report}\n`);
  }
  return outcome.exitCode;
}

/**
 * Refuses, as bad usage before anything is published, what a distributed run cannot do, saying
 * what to do instead: workers read files by path, so standard input and `--follow` (a growing
 * file) have nothing to plan; a live run (`lossflow publish`, then `eval --nats --subject`) is
 * their distributed form. Per-row output is written by the process that reads the rows.
 *
 * @throws UsageError naming the option
 */
function refuseWhatWorkersCannotDo(plan: EvalPlan): void {
  const live =
    'workers read files by path; publish the predictions as a live run instead (lossflow publish FILE --subject S, or publishBatches from the training job) and read it with lossflow eval --nats URL --subject S';
  if (plan.files.includes('-')) {
    throw new UsageError(`standard input (-) cannot be combined with --nats: ${live}.`, 'eval');
  }
  if (plan.follow === true) {
    throw new UsageError(
      `--follow cannot be combined with --nats FILES: ${live} (--follow works there).`,
      'eval',
    );
  }
  if (plan.perRow !== undefined) {
    throw new UsageError(
      '--per-row cannot be combined with --nats: per-row losses are written by the process that reads the rows; run this eval without --nats.',
      'eval',
    );
  }
}

/** A tuning variable of the tests (short ack waits, small items): a whole number ≥ 1, else unset. */
function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}
