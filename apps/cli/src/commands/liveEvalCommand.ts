import { isLiveSubject, isRunId, removeRun } from '@lossflow/nats';
import { connectNats, fromJetStream } from '@lossflow/nats/node';
import { type FlagSpec, hasFlag, lastValue, parseArgv } from '../args/argv.js';
import { commandLine } from '../args/commandLine.js';
import { EVAL_FLAGS, type EvalPlan, parseEvalArgs } from '../args/evalArgs.js';
import { NATS_CONNECT_FLAGS, natsConnectOptionsOf } from '../args/natsConnectFlags.js';
import { redactNatsArgs } from '../args/redactNatsArgs.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { GroupKeys } from '../inputs/groupKeys.js';
import { JetStreamSource, type OpenLiveRun } from '../nats/JetStreamSource.js';
import { natsFailure } from '../nats/natsFailure.js';
import type { CliIo } from '../output/cliIo.js';
import { executeEval } from './executeEval.js';

/** The flags a live eval takes besides eval's. */
const LIVE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...NATS_CONNECT_FLAGS,
  subject: { type: 'string' },
  run: { type: 'string' },
  follow: { type: 'boolean' },
  keep: { type: 'boolean' },
};

/**
 * `lossflow eval --nats URL --subject S [--run ID] [--follow] [--keep] [eval options]`: evaluates a
 * live run from its start, exactly as `lossflow eval` evaluates the file that was published. Without
 * `--follow` the run must be complete (its end-of-run marker stored), or it is an error; with
 * `--follow` it waits for batches and the marker, printing running values with `--every`. A run is
 * finished once a reader has read it to its end-of-run marker and printed the final result: then its
 * stream is removed, unless `--keep`. A run whose reading failed is always kept.
 *
 * @returns the exit code: 0, 1 (connecting, reading or computing failed) or 2 (bad usage)
 */
export async function liveEvalCommand(args: readonly string[], io: CliIo): Promise<number> {
  let plan: EvalPlan;
  let parsed: ReturnType<typeof parseArgv>;
  let subject: string;
  let run: string | undefined;
  try {
    plan = parseEvalArgs(args, { flags: LIVE_FLAGS, files: 'none' });
    parsed = parseArgv(args, { ...EVAL_FLAGS, ...LIVE_FLAGS }, 'eval');
    subject = lastValue(parsed, 'subject')!;
    if (!isLiveSubject(subject)) {
      throw new UsageError(
        `--subject takes dot-separated tokens of letters, digits, _ and - (got '${subject}').`,
        'eval',
      );
    }
    run = lastValue(parsed, 'run');
    if (run !== undefined && !isRunId(run)) {
      throw new UsageError(`--run takes 1 to 64 letters, digits, _ and - (got '${run}').`, 'eval');
    }
    // The batches of a live run are not decorated with group keys (see GroupKeys): a run has no
    // input file, and several keys would be numbered by a reader the live source does not have.
    if (plan.by !== undefined && GroupKeys.of(plan.by, new Map()) !== undefined) {
      throw new UsageError(
        `--by ${plan.by}: a live run (--subject) is grouped by one column of its batches; --by file and several keys are for files.`,
        'eval',
      );
    }
    for (const flag of ['threads', 'limit', 'allow-missing-end-of-stream']) {
      if (hasFlag(parsed, flag)) {
        throw new UsageError(
          `--${flag} applies to files; a live run (--subject) is read whole, in this thread.`,
          'eval',
        );
      }
    }
  } catch (error) {
    const failure = describeFailure(error, { command: 'eval' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const follow = hasFlag(parsed, 'follow');
  const connect = natsConnectOptionsOf(parsed, io.env);
  const servers = connect.servers;
  const explainFailure = (error: unknown) => natsFailure(error, 'eval', servers, io.env);
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats(connect);
  } catch (error) {
    const failure = explainFailure(error) ?? describeFailure(error, { command: 'eval' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  try {
    let source: JetStreamSource | undefined;
    const open = (hooks: Parameters<OpenLiveRun>[0]) =>
      fromJetStream({
        nc,
        subject,
        ...(run === undefined ? {} : { run }),
        wait: follow,
        onRun: (found) => {
          hooks.onRun(found);
          if (run === undefined && !plan.quiet) {
            io.stderr.write(`lossflow eval: reading run ${found.run} on ${subject}.${found.run}\n`);
          }
        },
        onMessage: hooks.onMessage,
      });
    const outcome = await executeEval(
      plan,
      io,
      { title: 'lossflow eval', command: commandLine(['lossflow', 'eval', ...redactNatsArgs(args)]) },
      {
        // --follow's Ctrl-C ends the read: what was read is printed, marked incomplete.
        source: (_plan, _keys, stop) => {
          source = new JetStreamSource(subject, open, stop);
          return source;
        },
        explainFailure,
      },
    );
    if (outcome.exitCode === 0 && plan.report !== undefined && !plan.quiet) {
      io.stderr.write(`Report written to ${plan.report}\n`);
    }
    const read = source?.run;
    if (outcome.exitCode === 0 && !hasFlag(parsed, 'keep') && read !== undefined) {
      await removeRun(nc, { subject, run: read.run });
    }
    return outcome.exitCode;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
