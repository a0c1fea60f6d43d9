import type { FileFormat } from '@lossflow/arrow';
import { writeTrainingLog } from '@lossflow/arrow/node';
import { hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { GENERATE_HELP } from '../args/helpText.js';
import { TRAINING_LOG_FLAGS, trainingLogOptions } from '../args/trainingLogFlags.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCount, formatDuration } from '../output/numberFormat.js';
import { OutputFile } from '../output/OutputFile.js';
import { checkOutputTargets } from '../output/outputTargets.js';

/** The `--format` names of `generate` and the file formats they mean. */
export const GENERATE_FORMATS: Readonly<Record<string, FileFormat>> = {
  arrow: 'arrow-stream',
  'arrow-stream': 'arrow-stream',
  'arrow-file': 'arrow-file',
  parquet: 'parquet',
};

/**
 * `lossflow generate --out FILE [--format arrow|arrow-file|parquet] [--rows N] [--classes N] [--epochs N]`.
 *
 * @returns the exit code
 */
export async function generateCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(GENERATE_HELP);
    return 0;
  }
  let file: OutputFile | undefined;
  try {
    const parsed = parseArgv(
      args,
      {
        ...TRAINING_LOG_FLAGS,
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      'generate',
    );
    if (parsed.positionals.length > 0) {
      throw new UsageError(
        `generate takes no FILE argument (got '${parsed.positionals[0]}'); use --out FILE.`,
        'generate',
      );
    }
    const out = lastValue(parsed, 'out');
    if (out === undefined) throw new UsageError('generate needs --out FILE.', 'generate');
    const formatName = lastValue(parsed, 'format') ?? 'arrow';
    const format = GENERATE_FORMATS[formatName];
    if (format === undefined) {
      throw new UsageError(`--format takes arrow, arrow-file or parquet (got '${formatName}').`, 'generate');
    }
    const options = trainingLogOptions(parsed, 'generate');
    const [target] = checkOutputTargets(
      [{ flag: '--out', what: 'the training log', path: out }],
      [],
      'generate',
    );
    const start = Date.now();
    file = new OutputFile(target!);
    const f = file;
    const written = await writeTrainingLog(f.path, format, options).catch((e: unknown) => {
      throw f.error(e);
    });
    file.commit();
    if (!hasFlag(parsed, 'quiet')) {
      io.stdout.write(
        `Wrote ${out}: ${format}, ${formatCount(written.rows)} rows (${options.epochs} epochs × ${formatCount(options.rows)} rows × ${options.classes} classes), ${formatBytes(written.bytes)} in ${formatDuration(Date.now() - start)}\n`,
      );
    }
    return 0;
  } catch (error) {
    file?.discard();
    const failure = describeFailure(error, { command: 'generate' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}
