import { commandLine } from '../args/commandLine.js';
import { parseEvalArgs } from '../args/evalArgs.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { evalOperators } from '../eval/evalPipeline.js';
import { DistributedSource } from '../nats/DistributedSource.js';
import { takeDistributedFlags } from '../nats/distributedFlags.js';
import { itemSpecOf } from '../nats/itemSpec.js';
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
  let plan: ReturnType<typeof parseEvalArgs>;
  let flags: ReturnType<typeof takeDistributedFlags>;
  let step: string | undefined;
  try {
    flags = takeDistributedFlags(args);
    plan = parseEvalArgs(flags.rest);
    if (plan.perRow !== undefined) throw new UsageError('--per-row cannot be combined with --nats.');
    if (plan.limit !== undefined) throw new UsageError('--limit cannot be combined with --nats.');
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
          servers: flags.nats ?? io.env.NATS_URL ?? 'nats://127.0.0.1:4222',
          run: flags.run,
          keep: flags.keep,
          ackWaitMs: positive(io.env.LOSSFLOW_NATS_ACK_WAIT_MS),
          maxDeliver: positive(io.env.LOSSFLOW_NATS_MAX_DELIVER),
          itemBytes: positive(io.env.LOSSFLOW_NATS_ITEM_BYTES),
          note,
        }),
    },
  );
  if (outcome.exitCode === 0 && plan.report !== undefined && !plan.quiet) {
    io.stderr.write(`Report written to ${plan.report}\n`);
  }
  return outcome.exitCode;
}

/** A tuning variable of the tests (short ack waits, small items): a whole number ≥ 1, else unset. */
function positive(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}
