/** What went wrong with a live run. */
export type LiveRunErrorCode =
  /** A message's body is not a readable Arrow IPC stream, or its headers are not the live wire format. */
  | 'DAMAGED_MESSAGE'
  /** A batch message is missing (the run's sequence skips one, or the end marker counts more). */
  | 'GAP'
  /** The run has no end-of-run marker (yet), and the reader was asked not to wait for it. */
  | 'INCOMPLETE_RUN'
  /** No run (stream) was found for the subject (and run id). */
  | 'NO_RUN'
  /** A subject or run id that cannot name a live run, or another bad option. */
  | 'INVALID_OPTION'
  /** One row is larger than the server's largest message: it cannot be published. */
  | 'ROW_TOO_LARGE'
  /** The run id was already published (by another publisher, or earlier): nothing was stored. */
  | 'RUN_EXISTS'
  /** The run was written by a newer wire format than this reader knows. */
  | 'UNSUPPORTED_VERSION'
  /** The run's stream was removed (`lossflow runs rm`) while it was published or read. */
  | 'RUN_REMOVED'
  /** The publisher failed or was stopped before the run's end: it closed the run with a failure marker. */
  | 'PUBLISHER_FAILED';

/** Where a live-run error happened. */
export interface LiveRunErrorContext {
  readonly subject?: string;
  readonly stream?: string;
  readonly run?: string;
  /** The JetStream stream sequence of the message (1-based). */
  readonly streamSequence?: number;
  /** The run's batch sequence (`Lossflow-Seq`, 0-based). */
  readonly batch?: number;
  /** How to fix it. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/**
 * A typed error of publishing or reading a live run: a damaged message names the subject and the
 * stream sequence; a gap is always this error, never a silently short result.
 */
export class LiveRunError extends Error {
  override readonly name = 'LiveRunError';
  readonly code: LiveRunErrorCode;
  /** The message without location and hint. */
  readonly detail: string;
  readonly subject: string | undefined;
  readonly stream: string | undefined;
  readonly run: string | undefined;
  readonly streamSequence: number | undefined;
  readonly batch: number | undefined;
  readonly hint: string | undefined;

  constructor(code: LiveRunErrorCode, detail: string, context: LiveRunErrorContext = {}) {
    const where = [
      context.subject === undefined ? undefined : `subject '${context.subject}'`,
      context.streamSequence === undefined ? undefined : `stream sequence ${context.streamSequence}`,
      context.batch === undefined ? undefined : `batch ${context.batch}`,
    ].filter((w) => w !== undefined);
    super(
      `${detail}${where.length === 0 ? '' : ` (${where.join(', ')})`} [${code}]${context.hint === undefined ? '' : ` ${context.hint}`}`,
      context.cause === undefined ? undefined : { cause: context.cause },
    );
    this.code = code;
    this.detail = detail;
    this.subject = context.subject;
    this.stream = context.stream;
    this.run = context.run;
    this.streamSequence = context.streamSequence;
    this.batch = context.batch;
    this.hint = context.hint;
  }
}
