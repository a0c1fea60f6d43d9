import { accessSync, constants, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors/UsageError.js';

/** An output the user asked for: the flag that named it, what it holds and the path given. */
export interface OutputRequest {
  /** `--report`, `--per-row`, `--out`. */
  readonly flag: string;
  /** What it holds, for messages: `the report`, `the per-row losses`. */
  readonly what: string;
  readonly path: string;
}

/** A destination checked before anything is read or started (see {@link checkOutputTargets}). */
export interface OutputTarget extends OutputRequest {
  /**
   * Where the output goes: the file a symbolic link points to, so replacing the file keeps the link;
   * for a new file, the path as given.
   */
  readonly destination: string;
  /**
   * False for a destination that is not a regular file (`/dev/stdout`, `/dev/null`, a FIFO): it is
   * written directly and never replaced or removed.
   */
  readonly regular: boolean;
  /** Whether a file was there before the run (it is left as it was when the run fails). */
  readonly existed: boolean;
  /** The permission bits of the file being replaced, which its replacement keeps. */
  readonly mode: number | undefined;
}

/**
 * Checks every output path of a command before it reads or starts anything, as usage errors:
 * a directory, a missing folder, a path that is one of the `inputs` or another output (compared by
 * device and inode, so symbolic links, hard links and `./` spellings are caught too), a path
 * through a file (`in.arrows/`), and a place this process may not write (the folder a file is
 * created or replaced in, or the device written directly), so a read-only folder fails at once and
 * not after the whole computation. `access` is `fs.accessSync`, replaceable in tests.
 *
 * @throws {UsageError} naming the flag and the path
 */
export function checkOutputTargets(
  requests: readonly OutputRequest[],
  inputs: readonly string[],
  command: string,
  access: (path: string, mode: number) => void = accessSync,
): OutputTarget[] {
  const inputStats = inputs.map((path) => ({ path, stat: statOrUndefined(path) }));
  const targets: OutputTarget[] = [];
  const seen: { target: OutputTarget; stat: Stats | undefined }[] = [];
  for (const request of requests) {
    const { flag, path } = request;
    const usage = (message: string): never => {
      throw new UsageError(`${flag} ${path} ${message}`, command);
    };
    const writable = (where: string, what: string): void => {
      try {
        access(where, constants.W_OK);
      } catch {
        usage(`cannot be written: this user may not write ${what} '${where}'. Choose another path.`);
      }
    };
    if (notADirectory(path)) usage('goes through a file as if it were a folder; give a file path.');
    const stat = statOrUndefined(path);
    let target: OutputTarget;
    if (stat === undefined) {
      const folder = dirname(resolve(path));
      const parent = statOrUndefined(folder);
      if (parent === undefined) usage(`is in a folder that does not exist ('${dirname(path)}').`);
      if (!parent!.isDirectory()) usage(`is in '${dirname(path)}', which is not a folder.`);
      writable(folder, 'in the folder');
      target = { ...request, destination: path, regular: true, existed: false, mode: undefined };
    } else {
      if (stat.isDirectory()) {
        usage(`is a directory; give a file path, e.g. ${flag} ${join(path, defaultName(flag))}.`);
      }
      const input = inputStats.find((i) => i.stat !== undefined && sameFile(i.stat, stat));
      if (input !== undefined) {
        usage(
          `is the input file '${input.path}'; writing it would destroy the data being read. Choose another path.`,
        );
      }
      // `/dev/stdout` redirected to a file is a regular file, but renaming over it would leave the
      // shell's open file behind: a path under /dev or /proc is always written directly.
      const regular = stat.isFile() && !/^\/(dev|proc)\//.test(resolve(path));
      // A regular file is replaced by a temporary file renamed in its folder; anything else is written directly.
      if (regular) writable(dirname(realpathSync(path)), 'in the folder');
      else writable(path, 'to');
      target = {
        ...request,
        destination: regular ? realpathSync(path) : path,
        regular,
        existed: true,
        mode: regular ? stat.mode & 0o7777 : undefined,
      };
    }
    const twin = seen.find(
      (s) =>
        // Two outputs may both go to a device (`/dev/null`): it keeps no file to damage.
        (s.stat !== undefined && stat !== undefined && !stat.isCharacterDevice() && sameFile(s.stat, stat)) ||
        (s.stat === undefined && stat === undefined && samePath(s.target.destination, target.destination)),
    );
    if (twin !== undefined) usage(`is also the path of ${twin.target.flag}; give each output its own file.`);
    seen.push({ target, stat });
    targets.push(target);
  }
  return targets;
}

function defaultName(flag: string): string {
  return flag === '--report' ? 'report.html' : flag === '--per-row' ? 'losses.arrows' : 'log.arrows';
}

/** Whether `path` names a file as if it were a folder (`in.arrows/`, `in.arrows/x`): `ENOTDIR`. */
function notADirectory(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOTDIR';
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => join(realpathSync(dirname(resolve(p))), basename(p));
  return real(a) === real(b);
}
