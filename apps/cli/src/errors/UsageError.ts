/**
 * A command line the CLI cannot act on: an unknown flag or loss, a missing or malformed value.
 * It exits with code 2, distinct from failures while reading or computing (code 1).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose `--help` the message points to (`eval`, `demo`, …), or undefined for the top level. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
