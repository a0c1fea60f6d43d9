import { lstatSync, readlinkSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The machine a process runs on, as temporary file names carry it so that only files of processes
 * visible from here are ever judged stale: the host name (letters, digits and dashes, at most 24),
 * then 8 hex digits of a hash of the whole host name and of the process-id namespace. Pods whose
 * names share a long prefix, and containers that share a host name but not their process ids
 * (`--network host`), get different tags, so one never removes a file another is still writing.
 *
 * @example
 * machineTag('node1'); // 'node1-3b1f0c2a' (the hash depends on the PID namespace)
 */
export function machineTag(host: string = hostname(), pidNamespace: string = currentPidNamespace()): string {
  const readable = host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 24) || 'host';
  // FNV-1a, 32 bits: enough to tell machines sharing a folder apart, and stable across versions.
  let hash = 0x811c9dc5;
  for (const char of `${host}\u0000${pidNamespace}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${readable}-${hash.toString(16).padStart(8, '0')}`;
}

/** `pid:[4026531836]` on Linux (one per PID namespace); empty where there is no /proc. */
function currentPidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/**
 * Whether a process of this id runs in this machine's PID namespace (one of another user counts as
 * running: erring on the side of keeping its files).
 *
 * @example
 * processAlive(process.pid); // true
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `path` if it is a regular file (never a directory or a symbolic link named like one of
 * ours); a failure leaves it as it is, as if this had not run.
 *
 * @returns whether it was removed
 * @example
 * if (removeRegularFile(stale)) removed.push(stale);
 */
export function removeRegularFile(path: string): boolean {
  try {
    if (!lstatSync(path).isFile()) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
