import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ArrowReadError } from './ArrowReadError.js';

/**
 * What identifies one version of an open regular file: its device and inode, size, and
 * modification and change times in nanoseconds (and link count, to read the change time right). Rewriting the file's bytes in place (`dd
 * conv=notrunc`, a write at offset 0) or appending to it changes the size or the times; renaming
 * another file over the path does not touch it (the descriptor still names the old inode).
 */
export interface FileVersion {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** Links to the inode: renaming another file over the path unlinks it, which changes `ctimeNs` only. */
  readonly nlink: bigint;
}

/**
 * The version of the file behind `handle` now (an `fstat` of the descriptor, not the path).
 *
 * @example
 * const before = await fileVersion(handle);
 */
export async function fileVersion(handle: FileHandle): Promise<FileVersion> {
  return versionOf(await handle.stat({ bigint: true }));
}

/** The {@link FileVersion} part of `stat({ bigint: true })`. */
export function versionOf(s: BigIntStats): FileVersion {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, nlink: s.nlink };
}

/**
 * Fails with `CHANGED` when the file behind `handle` is no longer the version `before`: the bytes
 * read so far may come from two versions, so no result from them may be reported. Readers call it
 * after reading a batch and before reporting their end. The times come from the kernel's clock,
 * which on Linux may advance only every few milliseconds: a rewrite of the same size within that
 * tick of the previous write cannot be seen.
 *
 * @example
 * await checkFileVersion(handle, before, 'log.arrows');
 */
export async function checkFileVersion(handle: FileHandle, before: FileVersion, file: string): Promise<void> {
  let now: FileVersion;
  try {
    now = await fileVersion(handle);
  } catch (e) {
    throw new ArrowReadError('CHANGED', 'the file cannot be checked for changes while it was read', {
      file,
      cause: e,
      hint: 'Read it again.',
    });
  }
  const error = fileChangedError(before, now, file);
  if (error !== undefined) throw error;
}

/** The `CHANGED` error when `now` is another version than `before`, else `undefined`. */
export function fileChangedError(
  before: FileVersion,
  now: FileVersion,
  file: string,
): ArrowReadError | undefined {
  const what: string[] = [];
  if (now.dev !== before.dev || now.ino !== before.ino) what.push('its identity');
  if (now.size !== before.size) what.push(`its size (${before.size} → ${now.size} bytes)`);
  // The change time also tells a rewrite whose writer put the modification time back (`rsync
  // --inplace`, `touch -r`); but renaming a new file over the path (how logs are published, and
  // safe: every read goes through this descriptor) unlinks this inode, which changes its change
  // time too, so after a change of the link count only the modification time and size count.
  const ctimeCounts = now.nlink === before.nlink;
  if (now.mtimeNs !== before.mtimeNs || (ctimeCounts && now.ctimeNs !== before.ctimeNs))
    what.push('its modification time');
  if (what.length === 0) return undefined;
  return new ArrowReadError(
    'CHANGED',
    `the file changed while it was read (${what.join(', ')} changed): the result would mix two versions`,
    {
      file,
      hint: 'Wait until the writer has finished, or copy the file first (or publish it by renaming a finished file over the path).',
    },
  );
}
