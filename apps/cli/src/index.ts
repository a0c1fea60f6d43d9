export type { CliIo, OutputStream } from './cliIo.js';
export { type EvalPlan, type LossSelection, type OutputFormat, parseEvalArgs } from './evalArgs.js';
export { type EvalHooks, type EvalRun, evalPipeline, type LossResult } from './evalPipeline.js';
export { findLoss, LOSSES, type LossEntry } from './lossRegistry.js';
export { main } from './main.js';
export { type ReportData, type ReportLoss, reportHtml } from './reportHtml.js';
export { UsageError } from './UsageError.js';
