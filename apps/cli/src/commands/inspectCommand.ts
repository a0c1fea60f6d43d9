import { statSync } from 'node:fs';
import { describeSchema } from '@lossflow/arrow';
import {
  PAGE_MEMORY_BUDGET,
  type ParquetChunkReport,
  parquetChunkReport,
  readFile as readBatches,
} from '@lossflow/arrow/node';
import { hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { INSPECT_HELP } from '../args/helpText.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { isRegularFile } from '../eval/regularFile.js';
import { colorEnabled, styleFor } from '../output/ansi.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCount, formatCounted } from '../output/numberFormat.js';
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
  /**
   * Parquet only: each column chunk's codec and decoder (the fast path or the general one, and
   * why), pages and largest page, and a warning for each page over the memory budget.
   */
  readonly parquet?: ParquetChunkReport;
}

/**
 * `lossflow inspect FILE… [--format table|json]`: format, size, schema with per-row tensor shapes,
 * rows and batches of each file; for Parquet, the decoder of each column chunk and pages too big
 * for the memory budget.
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
        'memory-budget': { type: 'string' },
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
    const memoryBudget = budgetBytes(lastValue(parsed, 'memory-budget'));
    const summaries: FileSummary[] = [];
    for (const file of parsed.positionals) {
      summaries.push(await summarize(file, progress, allowMissingEndOfStream, memoryBudget));
    }
    progress.done();
    for (const s of summaries)
      for (const warning of s.parquet?.warnings ?? []) io.stderr.write(`warning: ${s.file}: ${warning}\n`);
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

/** `--memory-budget MB` in bytes (default: the readers' budget). */
function budgetBytes(value: string | undefined): number {
  if (value === undefined) return PAGE_MEMORY_BUDGET;
  const mb = Number(value);
  if (!(Number.isFinite(mb) && mb > 0))
    throw new UsageError(`--memory-budget takes a positive number of megabytes (got '${value}').`, 'inspect');
  return Math.round(mb * 1e6);
}

async function summarize(
  file: string,
  progress: ProgressReporter,
  allowMissingEndOfStream: boolean,
  memoryBudget: number,
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
  const summary: FileSummary = {
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
  // Parquet is read at positions, so it is a regular file here: its page headers can be read.
  if (format !== 'parquet' || once) return summary;
  return { ...summary, parquet: await parquetChunkReport(file, { memoryBudget }) };
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
  return s.parquet === undefined
    ? `${head}\n\n${table}`
    : `${head}\n\n${table}\n\n${chunkTable(s.parquet, style.bold)}`;
}

/** The column chunks of a Parquet file, one line per column and decoder (row groups counted). */
function chunkTable(report: ParquetChunkReport, bold: (s: string) => string): string {
  const lines = new Map<string, { cells: string[]; groups: number; largest: number }>();
  for (const c of report.chunks) {
    const decoder = c.decoder === 'fast' ? 'fast path' : `fallback: ${c.reason}`;
    const key = `${c.column}\0${c.codec}\0${decoder}`;
    const line = lines.get(key) ?? { cells: [c.column, c.codec, decoder], groups: 0, largest: 0 };
    line.groups++;
    line.largest = Math.max(line.largest, c.largestPage);
    lines.set(key, line);
  }
  return renderTable(
    [
      { header: 'column chunks', align: 'left' },
      { header: 'codec', align: 'left' },
      { header: 'decoder', align: 'left' },
      { header: 'row groups', align: 'right' },
      { header: 'largest page', align: 'right' },
    ],
    [...lines.values()].map((l) => [...l.cells, formatCount(l.groups), formatBytes(l.largest)]),
    { header: bold },
  );
}
