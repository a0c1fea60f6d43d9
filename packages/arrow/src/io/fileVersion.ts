import { type BigIntStats, fstatSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ArrowReadError } from '../errors/ArrowReadError.js';

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

/**
 * How long a file must have gone unmodified before its version is taken. The kernel stamps a
 * write with a clock that advances only every few milliseconds (a tick): writes that land in the
 * same tick as the version taken leave its modification time as it was, so a file still being
 * written when it is opened could change unseen. Past this age, any later write is stamped with a
 * later time.
 */
const QUIET_NS = 20_000_000n;

/** How long, at most, {@link settledStat} waits for a file that keeps being written. */
const MAX_SETTLE_MS = 1_000;

/**
 * The `stat({ bigint: true })` of the file behind `handle` once it has been quiet for a clock tick
 * (see {@link QUIET_NS}): a file modified in the last few milliseconds is stat'ed again after
 * waiting, up to a second (a file written on and on is then read as it is, and its next write is
 * seen as a change). Files not written just now (nearly all) are stat'ed once.
 *
 * @example
 * const version = versionOf(await settledStat(handle));
 */
export async function settledStat(
  handle: { stat(options: { bigint: true }): Promise<BigIntStats> },
  now: () => number = Date.now,
): Promise<BigIntStats> {
  const deadline = now() + MAX_SETTLE_MS;
  for (;;) {
    const stat = await handle.stat({ bigint: true });
    const age = BigInt(now()) * 1_000_000n - stat.mtimeNs;
    // A modification time well ahead of this clock (another machine's, on a network file system)
    // says nothing about ticks: read as it is. A little ahead is this clock's millisecond rounding.
    // Pipes and devices are not versioned (their times move with every write): no wait for them.
    if (!stat.isFile() || age >= QUIET_NS || age < -1_000_000_000n || now() >= deadline) return stat;
    await new Promise((resolve) => setTimeout(resolve, Number((QUIET_NS - age) / 1_000_000n) + 1));
  }
}

/** The {@link FileVersion} part of `stat({ bigint: true })`. */
export function versionOf(s: BigIntStats): FileVersion {
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, nlink: s.nlink };
}

/**
 * Fails with `CHANGED` when the file behind the descriptor `fd` is no longer the version `before`:
 * the bytes read so far may come from two versions, so no result from them may be reported.
 * Readers call it after reading a batch and before reporting their end. The times come from the
 * kernel's clock, which on Linux may advance only every few milliseconds: a rewrite of the same
 * size within that tick of the previous write cannot be seen. Synchronous on purpose: an `fstat`
 * of a local file takes microseconds, where the promise API's goes through libuv's thread pool and
 * back (a round trip per batch of a reader that checks after every batch, which left its thread
 * idle).
 *
 * @example
 * checkFileVersionSync(handle.fd, before, 'log.arrows');
 */
export function checkFileVersionSync(fd: number, before: FileVersion, file: string): void {
  let now: FileVersion;
  try {
    now = versionOf(fstatSync(fd, { bigint: true }));
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
