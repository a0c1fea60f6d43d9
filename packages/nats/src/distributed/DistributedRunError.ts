/** What went wrong in a distributed run. */
export type DistributedRunCode =
  /** An item failed on every delivery (a damaged part of a file, an error in the data). */
  | 'ITEM_FAILED'
  /** The run id was planned before with other files or options. */
  | 'PLAN_MISMATCH'
  /** A stored state is not in this build's format: a worker of another lossflow version wrote it. */
  | 'FOREIGN_STATE'
  /** A worker saw another file than the one planned (changed, cut, or another copy at the path). */
  | 'FILE_CHANGED'
  /** The run's stream or KV bucket was removed from the server (`lossflow runs rm`) while it ran. */
  | 'RUN_REMOVED'
  /** The server stayed unreachable for minutes while the coordinator waited for states. */
  | 'SERVER_LOST'
  /**
   * A worker met an error about the run itself (its options against its files' columns), which
   * no delivery can mend: the message is the worker's report (`ServeOptions.runError`).
   */
  | 'RUN_ERROR';

/**
 * A distributed run that cannot complete: it names the item and its file, and says how to fix it.
 * No partial result is ever reported with it.
 */
export class DistributedRunError extends Error {
  override readonly name = 'DistributedRunError';
  readonly code: DistributedRunCode;
  /** The item (0-based) and its file, when one item failed. */
  readonly item: number | undefined;
  readonly file: string | undefined;
  readonly hint: string;
  /** With `RUN_ERROR`: the exit code the worker's report gives the coordinator's command. */
  readonly exitCode: number | undefined;

  constructor(
    code: DistributedRunCode,
    message: string,
    context: { item?: number; file?: string; hint: string; exitCode?: number },
  ) {
    super(message);
    this.code = code;
    this.item = context.item;
    this.file = context.file;
    this.hint = context.hint;
    this.exitCode = context.exitCode;
  }
}
