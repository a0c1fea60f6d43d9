import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../errors/UsageError.js';
import { STDIN, STDIN_PATH } from '../eval/standardInput.js';
import { isGlob, segmentMatcher } from './globPattern.js';
import { isLogFileName, LOG_FILE_EXTENSIONS } from './logFileExtensions.js';
import { naturalOrder } from './naturalOrder.js';

/** One file to read, as the command line named it (directly, through a folder or a glob). */
export interface InputFile {
  /** The path to open (`/dev/stdin` for `-`). */
  readonly path: string;
  /** The name shown in outputs and errors: the path as found, `-` for standard input. */
  readonly name: string;
  /**
   * The part of the path whose `KEY=VALUE` folders are Hive partitions: below the folder or the
   * pattern's fixed prefix the user gave (`runs` for `runs/run=a/log.arrows`: `run=a/log.arrows`);
   * for a file named directly its whole path resolved (`..` and `.` gone, so a spelling through
   * another folder gives no key); empty for standard input.
   */
  readonly partitionPath: string;
}

/**
 * The files of `lossflow eval FILE…`, in order: `-` is standard input; a folder is every
 * `.arrow`/`.arrows`/`.feather`/`.parquet` file under it, at any depth; a pattern with `*`, `?` or
 * `[…]` is expanded here, so a quoted pattern (or one from a shell that does not expand them) works;
 * a folder a pattern matches is read as a folder. A folder's or a pattern's files come sorted by
 * path with digit runs compared as numbers (`epoch=2` before `epoch=10`); names starting with `.` or
 * `_` (`_SUCCESS`, `.part.crc`) are skipped, as pyarrow and Spark skip them, unless a pattern's
 * segment itself starts with that character; a pattern's wildcard matches only log files (by
 * extension) in its last segment. Other arguments, and literal paths, are passed on as given (a
 * missing file is reported when it is opened).
 *
 * @throws {UsageError} when a file comes twice (`a.arrow a.arrow`, a file and its folder, two
 *   patterns that overlap, two spellings or links of one file): its rows would be counted twice;
 *   when a folder holds no log file or a pattern matches nothing.
 */
export function expandInputs(args: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  const seen = new Map<string, string>();
  const add = (file: InputFile, via: string): void => {
    const id = identity(file.path);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new UsageError(
        `${file.name} is given twice (${earlier === via ? `as ${via}` : `through ${earlier} and through ${via}`}); its rows would be counted twice. Name each file once.`,
        'eval',
      );
    }
    seen.set(id, via);
    out.push(file);
  };
  for (const arg of args) {
    if (arg === STDIN) {
      add({ path: STDIN_PATH, name: STDIN, partitionPath: '' }, STDIN);
      continue;
    }
    const kind = kindOf(arg);
    if (kind === 'folder') {
      const files = folderFiles(arg);
      if (files.length === 0) throw emptyFolder(arg);
      for (const f of files) add({ path: f, name: f, partitionPath: below(arg, f) }, arg);
    } else if (kind === 'missing' && isGlob(arg)) {
      const { root, matches } = globMatches(arg);
      if (matches.length === 0) {
        throw new UsageError(`no file matches ${arg}.`, 'eval');
      }
      for (const m of matches) {
        if (kindOf(m) === 'folder')
          for (const f of folderFiles(m)) add({ path: f, name: f, partitionPath: below(root, f) }, arg);
        else add({ path: m, name: m, partitionPath: below(root, m) }, arg);
      }
    } else add({ path: arg, name: arg, partitionPath: resolve(arg) }, arg);
  }
  return out;
}

function kindOf(path: string): 'folder' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/** One file's identity: device and inode (links, `./` spellings), or the path when it cannot be stat'ed. */
function identity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    // A pipe (standard input) has an inode too, but naming it twice is still one reader.
    return `${s.dev}:${s.ino}`;
  } catch {
    return `path:${path}`;
  }
}

function hidden(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/**
 * Every log file under `folder`, at any depth, in {@link naturalOrder}. Symbolic links to folders
 * are followed, as a glob follows them (the same tree gives the same files either way); a folder
 * reached again (a link back up, two links to one folder) is walked once.
 */
function folderFiles(folder: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string): void => {
    const real = realPath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (hidden(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && kindOf(path) === 'folder')) walk(path);
      else if (isLogFileName(entry.name) && (entry.isFile() || kindOf(path) === 'other')) out.push(path);
    }
  };
  walk(folder);
  return out.sort(naturalOrder);
}

/** `path` from inside `root` (a folder the user gave, or a pattern's fixed prefix). */
function below(root: string, path: string): string {
  return relative(resolve(root === '' ? '.' : root), resolve(path));
}

/**
 * Paths matching a glob pattern, segment by segment from its literal prefix (`root`, '' for the
 * current folder); `**` is any depth of folders.
 */
function globMatches(pattern: string): { root: string; matches: string[] } {
  const segments = pattern.split(/[\\/]/);
  let i = 0;
  while (i < segments.length - 1 && !isGlob(segments[i]!)) i++;
  // '' for a relative pattern whose first segment is a pattern; '/' for one at the root.
  let root = segments.slice(0, i).join('/');
  if (root === '' && i > 0) root = '/';
  const rest = segments.slice(i);
  const out: string[] = [];
  // Folders a `**` has walked: a link back up would otherwise be walked until the path is too long.
  const walked = new Set<string>();
  const visit = (dir: string, at: number): void => {
    const seg = rest[at]!;
    const last = at === rest.length - 1;
    const list = entries(dir);
    if (seg === '**') {
      // Zero folders, then each folder deeper.
      if (last) {
        for (const f of folderFiles(dir === '' ? '.' : dir))
          out.push(dir === '' ? f.replace(/^\.\//, '') : f);
        return;
      }
      const key = `${at}:${realPath(dir === '' ? '.' : dir)}`;
      if (walked.has(key)) return;
      walked.add(key);
      visit(dir, at + 1);
      for (const e of list) if (e.dir && !hidden(e.name)) visit(joined(dir, e.name), at);
      return;
    }
    const re = segmentMatcher(seg);
    // A wildcard picks only log files (`dir/*` skips `x.crc`, `notes.txt`); a name spelled out
    // in full is read whatever it is called.
    const logFilesOnly = isGlob(seg);
    for (const e of list) {
      if (!re.test(e.name)) continue;
      const path = joined(dir, e.name);
      if (last) {
        if (e.dir || !logFilesOnly || isLogFileName(e.name)) out.push(path);
      } else if (e.dir) visit(path, at + 1);
    }
  };
  visit(root, 0);
  return { root, matches: [...new Set(out)].sort(naturalOrder) };
}

/** The path with links resolved, or the path itself when it cannot be resolved. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function joined(dir: string, name: string): string {
  return dir === '' ? name : dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

function entries(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir === '' ? '.' : dir, { withFileTypes: true }).map((e) => ({
      name: e.name,
      dir: e.isDirectory() || (e.isSymbolicLink() && kindOf(joined(dir, e.name)) === 'folder'),
    }));
  } catch {
    return [];
  }
}

function emptyFolder(folder: string): UsageError {
  return new UsageError(
    `${folder} is a folder with no log file in it (lossflow reads ${LOG_FILE_EXTENSIONS.join(', ')} files under a folder).`,
    'eval',
  );
}
