/**
 * What a worker says of an error about the run itself (see `ServeOptions.runError`): the message
 * for the coordinator to print as the run's failure, and the exit code its command ends with (a
 * command line's own code for that error: 2 for bad usage, 1 for a column the data lacks).
 */
export interface RunErrorReport {
  readonly message: string;
  readonly exitCode: number;
}

/** The failure record of an item (the run's KV bucket) that carries a {@link RunErrorReport}. */
export function encodeRunError(report: RunErrorReport): string {
  return JSON.stringify({ runError: report.message, exitCode: report.exitCode });
}

/**
 * The {@link RunErrorReport} of an item's failure record, or undefined for a plain failure (an
 * error of the item, whose record is its text).
 */
export function decodeRunError(text: string): RunErrorReport | undefined {
  if (!text.startsWith('{"runError"')) return undefined;
  try {
    const { runError, exitCode } = JSON.parse(text) as { runError?: unknown; exitCode?: unknown };
    return typeof runError === 'string' && typeof exitCode === 'number' && Number.isInteger(exitCode)
      ? { message: runError, exitCode }
      : undefined;
  } catch {
    return undefined;
  }
}
