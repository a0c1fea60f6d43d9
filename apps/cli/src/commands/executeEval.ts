import { writeFileSync } from 'node:fs';
import type { writeIpcStream } from '@lossflow/arrow/node';
import { type GroupKey, type MetricChunk, resultDocument } from '@lossflow/rx';
import type { RecordBatch, Schema } from 'apache-arrow';
import { lastValueFrom } from 'rxjs';
import type { EvalPlan } from '../args/evalArgs.js';
import { describeFailure, type Failure } from '../errors/describeFailure.js';
import { type DisplayKey, keyLabel } from '../eval/displayKey.js';
import { evalColumns, lossColumns, metricColumns } from '../eval/evalColumns.js';
import { type EvalRun, evalPipeline } from '../eval/evalPipeline.js';
import { flagOfColumn } from '../eval/flagOfColumn.js';
import { GroupCountWarning, MANY_GROUPS } from '../eval/groupCountWarning.js';
import { type EvalSource, LogFiles } from '../eval/LogFiles.js';
import type { RunningSnapshot } from '../eval/runningSnapshots.js';
import { displayRun } from '../inputs/displayRun.js';
import { expandInputs } from '../inputs/expandInputs.js';
import { GroupKeys } from '../inputs/groupKeys.js';
import { hivePartitions } from '../inputs/hivePartitions.js';
import { INTERRUPTED_EXIT_CODE, Interrupt, incompleteLine } from '../inputs/interrupt.js';
import { PerRowKeyColumns } from '../inputs/perRowKeyColumns.js';
import { withEmptyValues } from '../metrics/emptyMetricValues.js';
import { mayNeedProbabilityNotice, probabilityNotice } from '../metrics/probabilityNotice.js';
import { colorEnabled, styleFor } from '../output/ansi.js';
import { flushOutput } from '../output/checkedOutput.js';
import type { CliIo } from '../output/cliIo.js';
import { outputRequests } from '../output/evalOutputs.js';
import { LineOutput } from '../output/lineOutput.js';
import { hasErrorBound } from '../output/metricOutput.js';
import { OutputFile } from '../output/OutputFile.js';
import { checkOutputTargets } from '../output/outputTargets.js';
import { recordLabels } from '../output/recordLabels.js';
import { finalRecords } from '../output/resultRecords.js';
import { resultTable } from '../output/resultTable.js';
import { RunningMetricRecords } from '../output/runningMetricRecords.js';
import { RunningRecords } from '../output/runningRecords.js';
import { ProgressReporter } from '../progress/progressReporter.js';
import { CurveRecorder } from '../report/curveRecorder.js';
import { reportStep } from '../report/reportStep.js';
import { REPORT_MAX_SERIES, SeriesRecorder } from '../report/seriesRecorder.js';
import { defaultThreads } from './prestartEval.js';

/** What the HTML report says about how it was made. */
export interface ReportContext {
  readonly title: string;
  /** The command line, as the user would type it. */
  readonly command: string;
  /** More parameters to list (the demo's generator settings). */
  readonly parameters?: readonly (readonly [string, string])[];
  /** Why the input files may be gone when the report is read (the demo deletes its log). */
  readonly filesNote?: string;
}

/** Where an eval reads from when not from its plan's files (a live run, a distributed run's workers). */
export interface EvalSourceOptions {
  /**
   * The source of the batches (default: the plan's files), given the plan with its inputs expanded,
   * the `--by` keys the run numbers (when `--by` is not one column of the data) and, with
   * `--follow`, the signal of Ctrl-C, on which its batches must end (what was read is then printed,
   * marked incomplete).
   */
  readonly source?: (
    plan: EvalPlan,
    keys: GroupKeys | undefined,
    stop: AbortSignal | undefined,
  ) => EvalSource;
  /** The failure for errors of that source that `describeFailure` does not know (undefined: it does). */
  readonly explainFailure?: (error: unknown) => Failure | undefined;
}

/** How an eval ended. */
export interface EvalOutcome {
  readonly exitCode: number;
  readonly run?: EvalRun;
}

/**
 * Runs a validated eval plan end to end: progress on a terminal's stderr, the pipeline, then the
 * report and the per-row file, then the results on stdout in the chosen format. Output paths are
 * checked before anything is read (see `checkOutputTargets`); output files are written to temporary
 * files and put in place only once complete (see `OutputFile`). After a failure it prints the
 * failure paragraph only — no results, no report — and leaves every output file as it was.
 */
export async function executeEval(
  given: EvalPlan,
  io: CliIo,
  context: ReportContext,
  sourceOptions: EvalSourceOptions = {},
): Promise<EvalOutcome> {
  let plan = given;
  const errStyle = styleFor(colorEnabled(io.stderr.isTTY === true, io.env));
  const progress = new ProgressReporter(io.stderr, io.stderr.isTTY === true && !plan.quiet, errStyle);
  let source: EvalSource | undefined;
  let writer: ReturnType<typeof writeIpcStream> | undefined;
  const labels = recordLabels(plan);
  const lines = new LineOutput(plan.format, io, {
    keyNames: plan.by?.split(',').map((s) => s.trim()) ?? [],
    withOptions: labels !== undefined,
    withErrorBound: (plan.metrics ?? []).some((m) => hasErrorBound(m.entry.cliName)),
  });
  let recorders: SeriesRecorder[] = [];
  let curves: CurveRecorder[] = [];
  let keys: GroupKeys | undefined;
  // --follow: Ctrl-C stops reading; what was read is then printed, marked incomplete (exit 130).
  const interrupt = plan.follow === true ? new Interrupt() : undefined;
  let every: RunningRecords | undefined;
  const files: OutputFile[] = [];
  let perRowFile: OutputFile | undefined;
  const manyGroups =
    plan.by === undefined || plan.quiet
      ? undefined
      : new GroupCountWarning(() => {
          progress.done();
          io.stderr.write(
            `lossflow eval: note: --by ${plan.by} has more than ${MANY_GROUPS.toLocaleString('en-US')} groups. Every group is kept in memory (up to the group budget, --max-groups) and printed${plan.report === undefined ? '' : `, and the report draws only the first ${REPORT_MAX_SERIES}`}; check that --by names the column you meant.\n`,
          );
        });

  try {
    const inputs = expandInputs(plan.files);
    const byNames = plan.by?.split(',').map((s) => s.trim()) ?? [];
    // Only a key the run uses makes KEY=VALUE folders partitions (and must then be in every file's).
    const partitions = hivePartitions(
      inputs.map((f) => f.partitionPath),
      [...byNames, ...(plan.perRow === undefined ? [] : plan.keys)],
      inputs.map((f) => f.name),
    );
    keys = GroupKeys.of(plan.by, partitions);
    // Partition keys and `file` are not columns of the data: they are added to each batch for the
    // per-row output, which copies them as it copies the data's key columns.
    const perRowKeys = plan.perRow === undefined ? undefined : PerRowKeyColumns.of(plan.keys, partitions);
    plan = {
      ...plan,
      files: inputs.map((f) => f.name),
      ...(perRowKeys === undefined ? {} : { keys: perRowKeys.keys }),
    };
    // The plan as the columns to read see it: only the data's keys.
    const dataPlan = perRowKeys === undefined ? plan : { ...plan, keys: perRowKeys.dataKeys };
    const k = keys;
    const keyOf = (key: GroupKey): DisplayKey => (k === undefined ? key : k.keyOf(key));
    every = plan.every === undefined ? undefined : new RunningRecords(plan.every, keyOf, labels?.losses);
    const everyMetric =
      plan.every === undefined || (plan.metrics ?? []).length === 0
        ? undefined
        : new RunningMetricRecords(plan.every, keyOf, labels?.metrics);
    // Scores read as logits by default: a note when the first batch's look like probabilities.
    const metrics = plan.metrics ?? [];
    const probabilityNoticeOf =
      plan.quiet || !mayNeedProbabilityNotice(metrics)
        ? undefined
        : (batch: RecordBatch) => {
            const note = probabilityNotice(metrics, batch);
            if (note === undefined) return;
            progress.done();
            io.stderr.write(`${note}\n`);
          };
    const targets = checkOutputTargets(outputRequests(plan), plan.files, 'eval');
    const reportTarget = targets.find((t) => t.flag === '--report');
    const perRowTarget = targets.find((t) => t.flag === '--per-row');
    source =
      sourceOptions.source?.(dataPlan, k, interrupt?.signal) ??
      new LogFiles(plan.files, {
        limit: plan.limit,
        project: (schema, file) => {
          k?.checkColumns(schema, file);
          perRowKeys?.checkColumns(schema, file);
          return evalColumns(dataPlan, schema, k?.dataColumns);
        },
        ...(k === undefined && perRowKeys === undefined
          ? {}
          : {
              decorate: (batch, file, i) => {
                const keyed = k === undefined ? batch : k.decorate(batch, file, i);
                return perRowKeys === undefined ? keyed : perRowKeys.decorate(keyed, file, i);
              },
            }),
        threads: plan.threads ?? defaultThreads(),
        ...(probabilityNoticeOf === undefined ? {} : { onFirstRows: probabilityNoticeOf }),
        allowMissingEndOfStream: plan.allowMissingEndOfStream,
        ...(interrupt === undefined ? {} : { follow: { stop: interrupt.signal } }),
      });
    const s = source;
    const step =
      plan.report === undefined
        ? undefined
        : await reportStep(plan, interrupt === undefined ? undefined : { stop: interrupt.signal });
    if (plan.report !== undefined) {
      recorders = plan.losses.map(() => new SeriesRecorder(step));
      curves = plan.losses.map((l) => new CurveRecorder(step, l.reduction, plan.every ?? 1));
    }
    if (perRowTarget !== undefined) {
      perRowFile = new OutputFile(perRowTarget);
      files.push(perRowFile);
      // Loaded for --per-row only, like the report's page below: a run without them never needs them.
      writer = (await import('@lossflow/arrow/node')).writeIpcStream(perRowFile.path);
    }
    const perRowOut = perRowFile;
    const perRowWriter = writer;
    const wantsRunning = recorders.length > 0 || every !== undefined;
    const pipelinePlan = k === undefined ? plan : { ...plan, by: k.column };
    const displayed = displayRun(
      await lastValueFrom(
        evalPipeline(pipelinePlan, s, {
          ...(step === undefined ? {} : { step }),
          describeKey: (key) => {
            const shown = keyOf(key);
            return typeof shown === 'object' ? keyLabel(shown) : `${plan.by}=${String(shown)}`;
          },
          onBatch: () => {
            const p = s.progress();
            progress.update({
              label: p.label ?? 'reading',
              rows: p.rows,
              bytes: p.bytesRead,
              // A pipe's or a growing file's size says nothing about the end: no percentage.
              totalBytes: s.sizesUnknown ? 0 : p.totalBytes,
            });
          },
          ...(wantsRunning
            ? {
                onRunning: (loss: number, snapshot: RunningSnapshot) => {
                  recorders[loss]?.add(snapshot);
                  curves[loss]?.add(snapshot);
                  for (const record of every?.add(plan, loss, snapshot) ?? []) lines.write(record);
                },
              }
            : {}),
          ...(everyMetric === undefined
            ? {}
            : {
                onMetricChunk: (metric: number, chunk: MetricChunk) => {
                  const selection = plan.metrics![metric]!;
                  for (const record of everyMetric.add(selection, metric, chunk)) lines.write(record);
                },
              }),
          ...(manyGroups === undefined
            ? {}
            : { onChunk: (loss: number, chunk) => loss === 0 && manyGroups.add(chunk) }),
          ...(perRowWriter === undefined || perRowOut === undefined
            ? {}
            : {
                perRow: {
                  write: (batch) =>
                    perRowWriter.write(perRowKeys?.rename(batch) ?? batch).catch((e: unknown) => {
                      throw perRowOut.error(e);
                    }),
                },
              }),
        }),
      ),
      keyOf,
    );
    if (writer !== undefined && perRowFile !== undefined) {
      const w = writer;
      writer = undefined;
      await w.close().catch((e: unknown) => {
        throw perRowFile!.error(e);
      });
    }
    const run = withInputs(displayed, dataPlan, s, k);
    const elapsed = progress.elapsed();
    progress.done();

    // The report goes first: if it cannot be written, no result has been printed as if all went well.
    if (plan.report !== undefined) {
      // Loaded for --report only (the page's template, charts and script).
      const { reportHtml } = await import('../report/reportHtml.js');
      const html = reportHtml({
        title: context.title,
        command: context.command,
        generatedAt: new Date(),
        files: s.files.map((path, i) => ({ path, bytes: s.sizes[i]! })),
        rows: run.rows,
        batches: run.batches,
        bytes: run.bytes,
        elapsedMs: elapsed,
        by: plan.by,
        losses: run.results.map((result, i) => ({
          result,
          series: recorders[i]!.series().map((r) => ({
            ...r,
            key: r.key === null ? null : keyOf(r.key as GroupKey),
          })),
          xLabel: recorders[i]!.xLabel(),
          curve: curves[i]!.series().map((r) => ({
            ...r,
            key: r.key === null ? null : keyOf(r.key as GroupKey),
          })),
          window: plan.every ?? 1,
        })),
        columns: s.firstSchema === undefined ? [] : reportColumns(dataPlan, s.firstSchema, k),
        ...(run.metrics === undefined ? {} : { metrics: run.metrics }),
        ...(context.filesNote === undefined ? {} : { filesNote: context.filesNote }),
        ...(interrupt?.signal.aborted === true ? { incomplete: true } : {}),
        ...(context.parameters === undefined ? {} : { parameters: context.parameters }),
      });
      const reportFile = new OutputFile(reportTarget!);
      files.push(reportFile);
      try {
        writeFileSync(reportFile.path, html);
      } catch (e) {
        throw reportFile.error(e);
      }
    }
    const incomplete = interrupt?.signal.aborted === true;
    interrupt?.dispose();
    if (plan.format === 'json') io.stdout.write(resultDocument(run, incomplete));
    else if (plan.format === 'table') {
      const out = styleFor(colorEnabled(io.stdout.isTTY === true, io.env));
      if (incomplete) io.stdout.write(`${out.bold(incompleteLine(run.rows))}\n\n`);
      io.stdout.write(resultTable(run, plan.by, elapsed, out));
    } else for (const record of finalRecords(run, incomplete, labels)) lines.write(record);
    await flushOutput(io.stdout);
    if (incomplete) {
      for (const f of files) f.commit();
      io.stderr.write(`lossflow eval: ${incompleteLine(run.rows)}\n`);
      return { exitCode: INTERRUPTED_EXIT_CODE, run };
    }
    // Only a complete run puts its files in place: a run whose results could not be printed (a full
    // disk, a closed pipe) leaves existing files as they were, as every other failure does.
    for (const f of files) f.commit();

    return { exitCode: 0, run };
  } catch (error) {
    interrupt?.dispose();
    progress.done();
    if (writer !== undefined) {
      await writer.close().catch(() => undefined);
    }
    for (const f of files) f.discard();
    const failure =
      sourceOptions.explainFailure?.(error) ??
      describeFailure(error, {
        command: 'eval',
        flagOfColumn: (column) => flagOfColumn(plan, column),
        ...(source === undefined
          ? {}
          : { locate: (b: number) => source!.locate(b), currentFile: () => source!.progress().file }),
      });
    if (failure.message !== '') io.stderr.write(`${failure.message}\n`);
    if (io.env.LOSSFLOW_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return { exitCode: failure.exitCode };
  }
}

/** The run with the files and columns it read (the columns as the first file's schema resolves them). */
function withInputs(run: EvalRun, plan: EvalPlan, source: EvalSource, keys: GroupKeys | undefined): EvalRun {
  const schema = source.firstSchema;
  let columns: string[] = [];
  let perLoss: Record<string, string>[] | undefined;
  let perMetric: Record<string, string>[] | undefined;
  if (schema !== undefined) {
    try {
      // The results' columns: the losses' and the keys' (the report's step column is the report's).
      columns = evalColumns({ ...plan, report: undefined }, schema, keys?.dataColumns);
      perLoss = lossColumns(plan, schema);
      perMetric = metricColumns(plan, schema);
    } catch {
      // The run succeeded, so its columns resolved; a pipe's schema not probed is all this misses.
    }
  }
  const by = plan.by?.split(',').map((s) => s.trim());
  return {
    ...run,
    results: run.results.map((r, i) => (perLoss?.[i] === undefined ? r : { ...r, columns: perLoss[i] })),
    ...(run.metrics === undefined || schema === undefined
      ? {}
      : {
          // `columns` after `options`, as the losses' results have them.
          metrics: withEmptyValues(run.metrics, plan.metrics ?? [], schema).map(
            ({ metric, options, ...rest }, i) => ({
              metric,
              options,
              ...(perMetric?.[i] === undefined ? {} : { columns: perMetric[i] }),
              ...rest,
            }),
          ),
        }),
    inputs: {
      // A pipe's or a followed file's size is what was read from it (see LogFiles.sizes).
      files: source.files.map((path, i) => ({ path, bytes: source.sizes[i]! })),
      columns,
      ...(by === undefined ? {} : { by }),
    },
  };
}

/** Every column the run read, the report's step column included. */
function reportColumns(plan: EvalPlan, schema: Schema, keys: GroupKeys | undefined): string[] {
  try {
    return evalColumns(plan, schema, keys?.dataColumns);
  } catch {
    return [];
  }
}
