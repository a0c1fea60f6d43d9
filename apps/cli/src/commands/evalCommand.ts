import { wantsHelp } from '../args/argv.js';
import { commandLine } from '../args/commandLine.js';
import { parseEvalArgs } from '../args/evalArgs.js';
import { EVAL_HELP } from '../args/helpText.js';
import { isLiveEval } from '../args/isLiveEval.js';
import { describeFailure } from '../errors/describeFailure.js';
import { hasNatsFlag } from '../nats/distributedFlags.js';
import type { CliIo } from '../output/cliIo.js';
import { executeEval } from './executeEval.js';

/**
 * `lossflow eval FILE… [--loss NAME [options]]… [--by COL] [--format …] [--report FILE]`.
 *
 * @returns the exit code: 0, 1 (reading or computing failed) or 2 (bad usage)
 */
export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(EVAL_HELP);
    return 0;
  }
  // A live run on NATS (`--subject`), not files.
  if (isLiveEval(args)) return (await import('./liveEvalCommand.js')).liveEvalCommand(args, io);
  // A distributed run's coordinator (a live run, --subject, is read by its own command).
  if (hasNatsFlag(args) && !args.some((a) => a === '--subject' || a.startsWith('--subject='))) {
    return (await import('./distributedEval.js')).distributedEval(args, io);
  }
  let plan: ReturnType<typeof parseEvalArgs>;
  try {
    plan = parseEvalArgs(args);
  } catch (error) {
    const failure = describeFailure(error, { command: 'eval' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const outcome = await executeEval(plan, io, {
    title: 'lossflow eval',
    command: commandLine(['lossflow', 'eval', ...args]),
  });
  if (outcome.exitCode === 0 && plan.report !== undefined && !plan.quiet) {
    io.stderr.write(`Report written to ${plan.report}\n`);
  }
  return outcome.exitCode;
}
