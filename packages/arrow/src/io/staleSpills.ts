import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { machineTag, processAlive, removeRegularFile } from './processTag.js';

/** Prefix of every spill file's name (see {@link spillFileName}). */
const SPILL_PREFIX = 'lossflow-spill-';

/** `lossflow-spill-PID-UUID.HOST`; names from before the machine was added have no `.HOST`. */
const SPILL_NAME =
  /^lossflow-spill-(\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.([A-Za-z0-9-]+)$/;

/**
 * The name of a spill file of process `pid` on machine `host`: `lossflow-spill-PID-UUID.HOST`, so
 * one left by a process killed with SIGKILL (which runs no clean-up) can be told from one in use,
 * by this or another machine sharing the folder (see {@link removeStaleSpills}).
 */
export function spillFileName(uuid: string, pid = process.pid, host = hostname()): string {
  return `${SPILL_PREFIX}${pid}-${uuid}.${machineTag(host)}`;
}

/**
 * Removes the spill files in `folder` that processes of this machine which no longer run left
 * behind. One of a running process (a spill being read now, or a reused process id: left alone,
 * erring on the safe side), of another machine (a shared temporary folder: its processes cannot be
 * seen from here), without a machine in its name, or that is not a regular file is never touched.
 * Failures are ignored: the file stays, as it would have without this.
 *
 * @returns the paths removed
 */
export function removeStaleSpills(
  folder: string,
  alive: (pid: number) => boolean = processAlive,
  host = hostname(),
): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const tag = machineTag(host);
  for (const name of names) {
    if (!name.startsWith(SPILL_PREFIX)) continue;
    const match = SPILL_NAME.exec(name);
    if (match === null || match[2] !== tag) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || alive(pid)) continue;
    const path = join(folder, name);
    if (removeRegularFile(path)) removed.push(path);
  }
  return removed;
}
