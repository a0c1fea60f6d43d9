import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TrainingLogOptions, trainingLogBatches, trainingLogSchema } from '@lossflow/arrow';
import { writeIpcStream } from '@lossflow/arrow/node';
import { METRICS } from '@lossflow/core';
import { hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { commandLine } from '../args/commandLine.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../args/evalArgs.js';
import { DEMO_HELP } from '../args/helpText.js';
import { TRAINING_LOG_FLAGS, trainingLogOptions } from '../args/trainingLogFlags.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { findLoss } from '../losses/lossRegistry.js';
import { colorEnabled, styleFor } from '../output/ansi.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCount, formatDuration } from '../output/numberFormat.js';
import { OutputFile } from '../output/OutputFile.js';
import { checkOutputTargets } from '../output/outputTargets.js';
import { ProgressReporter } from '../progress/progressReporter.js';
import { executeEval } from './executeEval.js';

/**
 * `lossflow demo`: generates the synthetic training log, evaluates its running per-epoch
 * cross-entropy with progress, prints the table and writes the HTML report, whose path it prints.
 *
 * @returns the exit code
 */
export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(DEMO_HELP);
    return 0;
  }
  // The generated log goes to a folder of its own unless it is kept: a training-log.arrows already
  // in --out DIR is never overwritten by a log that is then deleted.
  let logFolder: string | undefined;
  let logFile: OutputFile | undefined;
  // A folder this run made (the temporary demo folder, or an --out folder that did not exist): an
  // interrupted run removes it with whatever it holds, as nothing in it is complete.
  let createdFolder: string | undefined;
  let finished = false;
  // Ctrl-C, kill or a closed terminal must not leave hundreds of MB of generated log, nor empty
  // folders, behind. On 'exit' too: another handler (OutputFile's) may end the process first.
  const cleanUp = (): void => {
    if (logFolder !== undefined) rmSync(logFolder, { recursive: true, force: true });
    logFile?.discard();
    if (!finished && createdFolder !== undefined) rmSync(createdFolder, { recursive: true, force: true });
  };
  const signals = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const;
  const onSignal = signals.map(([signal, code]) => {
    const handler = (): void => {
      cleanUp();
      process.exit(code);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  process.on('exit', cleanUp);
  try {
    const parsed = parseArgv(
      args,
      {
        ...TRAINING_LOG_FLAGS,
        out: { type: 'string' },
        report: { type: 'string' },
        format: { type: 'string' },
        keep: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      'demo',
    );
    if (parsed.positionals.length > 0) {
      throw new UsageError(
        `demo takes no arguments besides its flags (got '${parsed.positionals[0]}').`,
        'demo',
      );
    }
    const format = (lastValue(parsed, 'format') ?? 'table') as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) {
      throw new UsageError(`--format takes one of ${OUTPUT_FORMATS.join(', ')} (got '${format}').`, 'demo');
    }
    // Smaller batches than the generator's default give the chart about 50 points per epoch.
    const options = { batchRows: 2048, ...trainingLogOptions(parsed, 'demo') };
    const quiet = hasFlag(parsed, 'quiet');
    const keep = hasFlag(parsed, 'keep');
    const outFlag = lastValue(parsed, 'out');
    if (outFlag !== undefined && existsSync(outFlag) && !statSync(outFlag).isDirectory()) {
      throw new UsageError(`--out ${outFlag} is a file; --out takes a folder.`, 'demo');
    }
    const reportFlag = lastValue(parsed, 'report');
    // Checked before generating for seconds; a --report that is the kept log is caught here too.
    if (reportFlag !== undefined)
      checkOutputTargets([{ flag: '--report', what: 'the report', path: reportFlag }], [], 'demo');
    const dir = outFlag ?? mkdtempSync(join(tmpdir(), 'lossflow-demo-'));
    createdFolder = outFlag === undefined ? dir : mkdirSync(dir, { recursive: true });
    const reportPath = reportFlag ?? join(dir, 'report.html');
    const keptPath = join(dir, 'training-log.arrows');
    if (keep) {
      const [, target] = checkOutputTargets(
        [
          { flag: '--report', what: 'the report', path: reportPath },
          { flag: '--keep', what: 'the training log', path: keptPath },
        ],
        [],
        'demo',
      );
      logFile = new OutputFile(target!);
    } else {
      logFolder = mkdtempSync(join(tmpdir(), 'lossflow-demo-log-'));
    }
    const writePath = logFile?.path ?? join(logFolder!, 'training-log.arrows');

    const generated = await generate(writePath, options, io, quiet);
    logFile?.commit();
    const logPath = logFile === undefined ? writePath : keptPath;
    const notes = io.stderr;
    if (!quiet) {
      notes.write(
        `Generated ${formatCount(generated.rows)} rows (${options.epochs} epochs × ${formatCount(options.rows)} rows × ${options.classes} classes, ${formatBytes(generated.bytes)}) in ${formatDuration(generated.ms)}\n`,
      );
    }
    const outcome = await executeEval(
      {
        files: [logPath],
        losses: [{ entry: findLoss('cross-entropy')!, reduction: 'mean', options: {}, columns: {} }],
        by: 'epoch',
        format,
        report: reportPath,
        perRow: undefined,
        keys: [],
        every: undefined,
        quiet,
        nulls: 'error',
        limit: undefined,
        step: undefined,
        threads: undefined,
        allowMissingEndOfStream: false,
        // Accuracy next to the loss, from the same pass.
        metrics: [{ entry: METRICS.accuracy, options: {}, columns: {} }],
      },
      io,
      {
        title: 'lossflow demo: running cross-entropy per epoch',
        ...(logFile === undefined
          ? { filesNote: 'generated for this demo and deleted after it (lossflow demo --keep keeps it)' }
          : {}),
        command: commandLine(['lossflow', 'demo', ...args]),
        parameters: [
          ['Data', `synthetic training log, seed ${options.seed ?? 1}`],
          [
            'Epochs × rows × classes',
            `${options.epochs} × ${formatCount(options.rows)} × ${options.classes}`,
          ],
          ['Generated in', formatDuration(generated.ms)],
        ],
      },
    );
    if (outcome.exitCode !== 0) return outcome.exitCode;
    finished = true;
    const reportLine = `Report: ${reportPath}\n`;
    // The table is for people, so the path belongs with it; machine formats keep stdout to the data.
    if (format === 'table') io.stdout.write(`\n${reportLine}`);
    else if (!quiet) io.stderr.write(reportLine);
    if (keep && !quiet) io.stderr.write(`Training log kept: ${logPath}\n`);
    return 0;
  } catch (error) {
    const failure = describeFailure(error, { command: 'demo' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  } finally {
    for (const [signal, handler] of onSignal) process.off(signal, handler);
    process.off('exit', cleanUp);
    // The log is hundreds of MB of temporary data; the report is what the user keeps. A folder
    // this run made is removed when the run failed (it holds no report).
    cleanUp();
  }
}

async function generate(
  path: string,
  options: TrainingLogOptions,
  io: CliIo,
  quiet: boolean,
): Promise<{ rows: number; bytes: number; ms: number }> {
  const style = styleFor(colorEnabled(io.stderr.isTTY === true, io.env));
  const progress = new ProgressReporter(io.stderr, io.stderr.isTTY === true && !quiet, style);
  const totalRows = options.rows * options.epochs;
  const writer = writeIpcStream(path, trainingLogSchema(options.classes));
  let rows = 0;
  try {
    for await (const batch of trainingLogBatches(options)) {
      await writer.write(batch);
      rows += batch.numRows;
      progress.update({ label: 'generating', rows, bytes: 0, totalBytes: 0, totalRows });
    }
  } catch (error) {
    progress.done();
    await writer.close().catch(() => undefined);
    throw error;
  }
  await writer.close();
  progress.done();
  return { rows, bytes: statSync(path).size, ms: progress.elapsed() };
}
