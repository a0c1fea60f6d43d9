/**
 * An output the CLI could not write (standard output, `--report`, `--per-row`, `generate --out`):
 * what it was, where it was going, and the system error. It ends a run with exit code 1, or, for a
 * reader that closed the pipe (`EPIPE`), quietly with 141, as a Unix tool killed by SIGPIPE does.
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  /** What could not be written, for the message: `the results`, `the report`, `the per-row losses` (or `''`). */
  readonly what: string;
  /** The destination path, or undefined for standard output. */
  readonly path: string | undefined;
  /** The system error code (`ENOSPC`, `EPIPE`, …), when there is one. */
  readonly code: string | undefined;
  /** What the destination holds now, for the message (`'out.arrows' was left as it was.`). */
  readonly outcome: string;

  constructor(what: string, path: string | undefined, cause: unknown, outcome = 'The output is incomplete.') {
    super(
      `cannot write ${what === '' ? '' : `${what} `}to ${path === undefined ? 'standard output' : `'${path}'`}`,
      { cause },
    );
    this.what = what;
    this.path = path;
    this.code = systemCode(cause);
    this.outcome = outcome;
  }
}

/** The `E…` code of a Node system error, looking through wrapped causes (the arrow writer's `IO` errors). */
export function systemCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
