import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { machineTag, processAlive, removeRegularFile } from '@lossflow/arrow/node';

const SUFFIX = '.lossflow-tmp';

/** `.NAME.PID-RANDOM.HOST.lossflow-tmp`; names written before the machine was added have no `.HOST`. */
const TEMP_NAME = /^\.(.+?)\.(\d+)-[a-z0-9]+(?:\.([A-Za-z0-9-]+))?\.lossflow-tmp$/;

/**
 * The temporary file an output is written to before it is renamed over `destination`, in the same
 * folder: `.NAME.PID-RANDOM.HOST.lossflow-tmp`. Hidden, named after its target, and carrying the
 * writing process and machine, so a file left by a process that was killed (SIGKILL runs no clean-up)
 * is recognisable, and {@link removeStaleOutputTemps} can tell it from one still being written.
 *
 * @example
 * outputTempPath('/runs/losses.arrows'); // '/runs/.losses.arrows.4242-k3j2l1m0.node1.lossflow-tmp'
 */
export function outputTempPath(destination: string, pid = process.pid, host = hostname()): string {
  const random = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return join(
    dirname(destination),
    `.${basename(destination)}.${pid}-${random}.${machineTag(host)}${SUFFIX}`,
  );
}

/**
 * Removes the temporary files (see {@link outputTempPath}) that processes of this machine which no
 * longer run left in `destination`'s folder: a lossflow killed while writing this output or any
 * other output of that folder (SIGKILL, the OOM killer: no clean-up runs). A file of a process
 * still running (another lossflow writing an output now, or a reused process id: left alone,
 * erring on the safe side), of another machine (a shared folder: its processes cannot be seen from
 * here), or that is not a regular file is never touched; a name from before temporary files carried
 * their machine is removed only for `destination` itself. Called before an output is written;
 * failures to remove are ignored (the file stays, as it would have without this).
 *
 * @returns the paths removed
 * @example
 * removeStaleOutputTemps('/runs/losses.arrows');
 */
export function removeStaleOutputTemps(
  destination: string,
  alive: (pid: number) => boolean = processAlive,
  host = hostname(),
): string[] {
  const folder = dirname(destination);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const ours = machineTag(host);
  for (const name of names) {
    if (!name.startsWith('.') || !name.endsWith(SUFFIX)) continue;
    // .NAME.PID-RANDOM.HOST: the shortest NAME, so the last two parts are the process and machine.
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const [, target, pid, tag] = match;
    if (tag === undefined ? target !== basename(destination) : tag !== ours) continue;
    if (Number(pid) === process.pid || alive(Number(pid))) continue;
    const path = join(folder, name);
    if (removeRegularFile(path)) removed.push(path);
  }
  return removed;
}
