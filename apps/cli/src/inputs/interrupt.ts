import { formatCount } from '../output/numberFormat.js';

/** The exit code after Ctrl-C, as shells report a process ended by SIGINT (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Ctrl-C (SIGINT) while `--follow` reads: the first one aborts {@link signal}, so reading stops and
 * what was read is reported as incomplete; the handler is then removed, so a second Ctrl-C ends
 * the process at once (Node's default).
 */
export class Interrupt {
  readonly #controller = new AbortController();
  readonly #onSignal = (): void => {
    this.dispose();
    this.#controller.abort();
  };

  constructor() {
    process.once('SIGINT', this.#onSignal);
  }

  /** Aborts at the first Ctrl-C. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops listening (Ctrl-C is Node's default again). */
  dispose(): void {
    process.removeListener('SIGINT', this.#onSignal);
  }
}

/** What the outputs say after an interrupted `--follow`. */
export function incompleteLine(rows: number): string {
  return `INCOMPLETE: interrupted before the end of the stream; these values cover only the ${formatCount(rows)} rows read so far.`;
}
