import { statSync } from 'node:fs';
import { describeSchema } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import { hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { INSPECT_HELP } from '../args/helpText.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { isRegularFile } from '../eval/regularFile.js';
import { colorEnabled, styleFor } from '../output/ansi.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCounted } from '../output/numberFormat.js';
import { renderTable } from '../output/textTable.js';
import { ProgressReporter } from '../progress/progressReporter.js';

/** What `lossflow inspect` reports about one file. */
export interface FileSummary {
  readonly file: string;
  readonly format: string;
  readonly bytes: number;
  readonly rows: number;
  readonly batches: number;
  /** `shape` is the per-row tensor shape (`[]` for a scalar), or null for a column that cannot be a tensor. */
  readonly columns: readonly {
    readonly name: string;
    readonly type: string;
    readonly shape: readonly number[] | null;
  }[];
}

/**
 * `lossflow inspect FILE… [--format table|json]`: format, size, schema with per-row tensor shapes,
 * rows and batches of each file.
 *
 * @returns the exit code
 */
export async function inspectCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  const errStyle = styleFor(colorEnabled(io.stderr.isTTY === true, io.env));
  let progress: ProgressReporter | undefined;
  try {
    const parsed = parseArgv(
      args,
      {
        format: { type: 'string' },
        'allow-missing-end-of-stream': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      'inspect',
    );
    const format = lastValue(parsed, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') {
      throw new UsageError(`--format takes table or json (got '${format}').`, 'inspect');
    }
    if (parsed.positionals.length === 0) throw new UsageError('inspect needs at least one FILE.', 'inspect');
    progress = new ProgressReporter(
      io.stderr,
      io.stderr.isTTY === true && !hasFlag(parsed, 'quiet'),
      errStyle,
    );
    const allowMissingEndOfStream = hasFlag(parsed, 'allow-missing-end-of-stream');
    const summaries: FileSummary[] = [];
    for (const file of parsed.positionals) {
      summaries.push(await summarize(file, progress, allowMissingEndOfStream));
    }
    progress.done();
    if (format === 'json') io.stdout.write(`${JSON.stringify({ files: summaries }, null, 2)}\n`);
    else io.stdout.write(summaries.map((s) => summaryTable(s, io)).join('\n'));
    return 0;
  } catch (error) {
    progress?.done();
    const failure = describeFailure(error, { command: 'inspect' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}

async function summarize(
  file: string,
  progress: ProgressReporter,
  allowMissingEndOfStream: boolean,
): Promise<FileSummary> {
  const bytes = statSync(file).size;
  // A pipe or device can be read once: its schema and its batches come from one reader (all
  // columns). A regular file is opened twice, so the counting pass reads one scalar column only.
  const once = !isRegularFile(file);
  const first = readBatches(file, { allowMissingEndOfStream });
  let format: string;
  let columns: ReturnType<typeof describeSchema>;
  try {
    format = await first.format();
    columns = describeSchema(await first.schema());
  } catch (e) {
    await first.close();
    throw e;
  } finally {
    if (!once) await first.close();
  }
  // Counting rows needs one pass; reading one scalar column keeps Parquet from decoding the tensors.
  const scalar = columns.find((c) => c.shape.length === 0 && c.problem === undefined) ?? columns[0];
  const reader = once
    ? first
    : readBatches(file, {
        allowMissingEndOfStream,
        ...(scalar === undefined ? {} : { columns: [scalar.name] }),
      });
  let rows = 0;
  let batches = 0;
  for await (const batch of reader) {
    rows += batch.numRows;
    batches++;
    progress.update({ label: `reading ${file}`, rows, bytes: reader.progress.bytesRead, totalBytes: bytes });
  }
  return {
    file,
    format,
    bytes,
    rows,
    batches,
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      shape: c.problem === undefined ? c.shape : null,
    })),
  };
}

function summaryTable(s: FileSummary, io: CliIo): string {
  const style = styleFor(colorEnabled(io.stdout.isTTY === true, io.env));
  const head = `${style.bold(s.file)}  ${s.format} · ${formatBytes(s.bytes)} · ${formatCounted(s.rows, 'row', 'rows')} · ${formatCounted(s.batches, 'batch', 'batches')}`;
  const table = renderTable(
    [
      { header: 'column', align: 'left' },
      { header: 'type', align: 'left' },
      { header: 'tensor', align: 'left' },
    ],
    s.columns.map((c) => [
      c.name,
      c.type,
      c.shape === null ? '—' : `(rows${c.shape.map((d) => `, ${d < 0 ? '?' : d}`).join('')})`,
    ]),
    { header: style.bold },
  );
  return `${head}\n\n${table}`;
}
