import { chmodSync, closeSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { OutputError } from '../errors/OutputError.js';
import type { OutputTarget } from './outputTargets.js';
import { outputTempPath, removeStaleOutputTemps } from './outputTempPath.js';

// Temporary files of this process, removed if it exits (or is interrupted) before committing them.
const pending = new Set<string>();
let cleanupInstalled = false;

/**
 * One output file of a run, written so that a failed or interrupted run never leaves a file that
 * looks complete and never destroys one it did not create: a regular-file destination is written to
 * a new temporary file in the same folder (see `outputTempPath`: one left by a killed run is removed
 * when the same output is written next) and renamed into place by {@link commit}; a destination
 * that is not a regular file (`/dev/stdout`, `/dev/null`, a FIFO) is written directly and never
 * removed. {@link discard} removes only the temporary file this run created.
 */
export class OutputFile {
  readonly target: OutputTarget;
  /** The path to write the content to. */
  readonly path: string;
  #open = true;

  /** @throws {OutputError} when the temporary file cannot be created */
  constructor(target: OutputTarget) {
    this.target = target;
    if (!target.regular) {
      this.path = target.destination;
      return;
    }
    // A lossflow killed while writing this output (SIGKILL runs no clean-up) left its temporary file.
    removeStaleOutputTemps(target.destination);
    this.path = outputTempPath(target.destination);
    try {
      // `wx`: a file of that name that is not ours is never truncated.
      closeSync(openSync(this.path, 'wx', 0o666));
    } catch (e) {
      throw this.error(e);
    }
    installCleanup();
    pending.add(this.path);
  }

  /**
   * Puts the written content in place (a regular-file destination: renames the temporary file over
   * it, keeping the replaced file's permissions).
   *
   * @throws {OutputError} when the rename fails (the temporary file is then removed)
   */
  commit(): void {
    if (!this.#open) return;
    this.#open = false;
    if (!this.target.regular) return;
    try {
      if (this.target.mode !== undefined) chmodSync(this.path, this.target.mode);
      renameSync(this.path, this.target.destination);
      pending.delete(this.path);
    } catch (e) {
      removePending(this.path);
      throw this.error(e);
    }
  }

  /** After a failure: removes the temporary file (never the destination, never a non-regular file). */
  discard(): void {
    if (!this.#open) return;
    this.#open = false;
    if (this.target.regular) removePending(this.path);
  }

  /** A write failure of this output as an {@link OutputError}, saying what the destination holds now. */
  error(cause: unknown): OutputError {
    const t = this.target;
    const outcome = !t.regular
      ? `What reached '${t.path}' is incomplete.`
      : t.existed
        ? `'${t.path}' was left as it was.`
        : 'No file was created.';
    return new OutputError(t.what, t.path, cause, outcome);
  }
}

function removePending(path: string): void {
  pending.delete(path);
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing of ours is left.
  }
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const path of [...pending]) removePending(path);
  });
  // Node's default for these signals ends the process without its `exit` event.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      if (pending.size > 0 || process.listenerCount(signal) === 1) process.exit(code);
    });
  }
}
