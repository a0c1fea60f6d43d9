export { type EvalPlan, type LossSelection, type OutputFormat, parseEvalArgs } from './args/evalArgs.js';
export { UsageError } from './errors/UsageError.js';
export { type EvalHooks, type EvalRun, evalPipeline, type LossResult } from './eval/evalPipeline.js';
export { findLoss, LOSSES, type LossEntry } from './losses/lossRegistry.js';
export { main } from './main.js';
export type { CliIo, OutputStream } from './output/cliIo.js';
export { type ReportData, type ReportLoss, reportHtml } from './report/reportHtml.js';
