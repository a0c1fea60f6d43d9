import { rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { writeIpcStream } from '@lossflow/arrow';
import { lastValueFrom } from 'rxjs';
import { colorEnabled, styleFor } from './ansi.js';
import { BatchSource } from './batchSource.js';
import type { CliIo } from './cliIo.js';
import { describeFailure } from './describeFailure.js';
import type { EvalPlan } from './evalArgs.js';
import { evalColumns } from './evalColumns.js';
import { type EvalRun, evalPipeline } from './evalPipeline.js';
import { LineOutput } from './lineOutput.js';
import { ProgressReporter } from './progressReporter.js';
import { reportHtml } from './reportHtml.js';
import { reportStep } from './reportStep.js';
import { resultDocument } from './resultDocument.js';
import { finalRecords } from './resultRecords.js';
import { resultTable } from './resultTable.js';
import { RunningRecords } from './runningRecords.js';
import type { RunningSnapshot } from './runningSnapshots.js';
import { SeriesRecorder } from './seriesRecorder.js';

/** What the HTML report says about how it was made. */
export interface ReportContext {
  readonly title: string;
  /** The command line, as the user would type it. */
  readonly command: string;
  /** More parameters to list (the demo's generator settings). */
  readonly parameters?: readonly (readonly [string, string])[];
}

/** How an eval ended. */
export interface EvalOutcome {
  readonly exitCode: number;
  readonly run?: EvalRun;
}

/**
 * Runs a validated eval plan end to end: progress on a terminal's stderr, the pipeline, then the
 * results on stdout in the chosen format, the report and the per-row file. After a failure it
 * prints the failure paragraph only — no results, no report — and removes a partial per-row file.
 */
export async function executeEval(plan: EvalPlan, io: CliIo, context: ReportContext): Promise<EvalOutcome> {
  const errStyle = styleFor(colorEnabled(io.stderr.isTTY === true, io.env));
  const progress = new ProgressReporter(io.stderr, io.stderr.isTTY === true && !plan.quiet, errStyle);
  let source: BatchSource | undefined;
  let writer: ReturnType<typeof writeIpcStream> | undefined;
  const lines = new LineOutput(plan.format, io);
  let recorders: SeriesRecorder[] = [];
  const every = plan.every === undefined ? undefined : new RunningRecords(plan.every);

  try {
    source = new BatchSource(plan.files, {
      limit: plan.limit,
      project: (schema) => evalColumns(plan, schema),
      threads: plan.threads ?? availableParallelism(),
      allowMissingEndOfStream: plan.allowMissingEndOfStream,
    });
    const s = source;
    const step = plan.report === undefined ? undefined : await reportStep(plan);
    if (plan.report !== undefined) recorders = plan.losses.map(() => new SeriesRecorder(step));
    if (plan.perRow !== undefined) writer = writeIpcStream(plan.perRow);
    const wantsRunning = recorders.length > 0 || every !== undefined;
    const run = await lastValueFrom(
      evalPipeline(plan, s, {
        ...(step === undefined ? {} : { step }),
        onBatch: () => {
          const p = s.progress();
          progress.update({ label: 'reading', rows: p.rows, bytes: p.bytesRead, totalBytes: p.totalBytes });
        },
        ...(wantsRunning
          ? {
              onRunning: (loss: number, snapshot: RunningSnapshot) => {
                recorders[loss]?.add(snapshot);
                for (const record of every?.add(plan, loss, snapshot) ?? []) lines.write(record);
              },
            }
          : {}),
        ...(writer === undefined ? {} : { perRow: writer }),
      }),
    );
    await writer?.close();
    writer = undefined;
    const elapsed = progress.elapsed();
    progress.done();

    // The report goes first: if it cannot be written, no result has been printed as if all went well.
    if (plan.report !== undefined) {
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
          series: recorders[i]!.series(),
          xLabel: recorders[i]!.xLabel(),
        })),
        ...(context.parameters === undefined ? {} : { parameters: context.parameters }),
      });
      writeFileSync(plan.report, html);
    }
    if (plan.format === 'json') io.stdout.write(resultDocument(run));
    else if (plan.format === 'table') {
      io.stdout.write(
        resultTable(run, plan.by, elapsed, styleFor(colorEnabled(io.stdout.isTTY === true, io.env))),
      );
    } else for (const record of finalRecords(run)) lines.write(record);

    return { exitCode: 0, run };
  } catch (error) {
    progress.done();
    if (writer !== undefined) {
      await writer.close().catch(() => undefined);
    }
    if (plan.perRow !== undefined) rmSync(plan.perRow, { force: true });
    const failure = describeFailure(error, {
      command: 'eval',
      ...(source === undefined
        ? {}
        : { locate: (b: number) => source!.locate(b), currentFile: () => source!.progress().file }),
    });
    io.stderr.write(`${failure.message}\n`);
    if (io.env.LOSSFLOW_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return { exitCode: failure.exitCode };
  }
}
