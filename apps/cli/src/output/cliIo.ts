/** A stream the CLI writes to: `process.stdout` / `process.stderr`, or a test double. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** The process surface a command uses, so commands run the same in a test as in a terminal. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}
