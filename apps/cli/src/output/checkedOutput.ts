import { OutputError } from '../errors/OutputError.js';
import type { OutputStream } from './cliIo.js';

/** The part of a Node writable stream (`process.stdout`) that {@link CheckedOutput} uses. */
export interface WritableLike {
  write(text: string, callback?: (error?: Error | null) => void): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Standard output that remembers its first write failure instead of crashing the process or
 * ignoring it: Node reports a failed write (a full disk, a closed pipe) later, as an `error` event,
 * so a run could otherwise print its results into a full disk and exit 0. Once a write has failed,
 * every further `write` throws the {@link OutputError}, which stops a run that streams lines
 * (`--every`); {@link flush} tells whether everything written so far arrived.
 */
export class CheckedOutput implements OutputStream {
  readonly #stream: WritableLike;
  readonly #what: string;
  #failure: OutputError | undefined;

  /** @param what what the stream carries, for the message (`the results`) */
  constructor(stream: WritableLike, what = '') {
    this.#stream = stream;
    this.#what = what;
    // Without a listener an `error` event would end the process with a stack trace.
    stream.on('error', (e) => this.#fail(e));
  }

  get isTTY(): boolean | undefined {
    return this.#stream.isTTY;
  }

  get columns(): number | undefined {
    return this.#stream.columns;
  }

  /** The first write failure, if any. */
  get failure(): OutputError | undefined {
    return this.#failure;
  }

  /** @throws {OutputError} when an earlier write failed */
  write(text: string): boolean {
    if (this.#failure !== undefined) throw this.#failure;
    return this.#stream.write(text, (e) => {
      if (e) this.#fail(e);
    });
  }

  /**
   * Resolves once everything written so far has been handed to the system.
   *
   * @throws {OutputError} when a write failed
   */
  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#stream.write('', (e) => {
        if (e) this.#fail(e);
        if (this.#failure !== undefined) reject(this.#failure);
        else resolve();
      });
    });
  }

  #fail(error: unknown): void {
    this.#failure ??= new OutputError(this.#what, undefined, error);
  }
}

/**
 * Waits until what was written to `stream` has arrived, when the stream can tell (a
 * {@link CheckedOutput}); a test double resolves at once.
 *
 * @throws {OutputError} when a write failed
 */
export async function flushOutput(stream: OutputStream): Promise<void> {
  if (stream instanceof CheckedOutput) await stream.flush();
}
