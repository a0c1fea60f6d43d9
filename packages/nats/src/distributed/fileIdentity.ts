import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { PassChunks } from '@lossflow/rx';
import { DistributedRunError } from './DistributedRunError.js';
import type { FileIdentity, WorkItem } from './WorkItem.js';

/** Bytes hashed at each end of a file. */
const EDGE_BYTES = 64 * 1024;

/**
 * The {@link FileIdentity} of the file at `path` (two 64 KiB reads and a stat, in nanoseconds).
 *
 * @example
 * const identity = await fileIdentity('/shared/log.arrows');
 */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  const handle = await open(path, 'r');
  try {
    const stat = await handle.stat({ bigint: true });
    const size = Number(stat.size);
    const hash = createHash('sha256');
    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    const tailStart = Math.max(head.length, size - EDGE_BYTES);
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);
    hash.update(tail);
    return {
      size,
      mtimeNs: stat.mtimeNs.toString(),
      ctimeNs: stat.ctimeNs.toString(),
      ino: stat.ino.toString(),
      edges: hash.digest('hex'),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Checks that the file of `item` is still the one its run was planned on (items planned without
 * an identity, by an older coordinator, are not checked).
 *
 * @throws {DistributedRunError} `FILE_CHANGED` naming the item, the file and what differs
 */
export async function checkItemFile(item: WorkItem): Promise<void> {
  const planned = item.identity;
  if (planned === undefined) return;
  const now = await fileIdentity(item.path).catch((e: unknown) => {
    throw fileChanged(item, `cannot be read (${e instanceof Error ? e.message : String(e)})`);
  });
  if (now.size !== planned.size) {
    throw fileChanged(item, `is ${now.size} bytes, planned with ${planned.size}`);
  }
  if (now.mtimeNs !== planned.mtimeNs) throw fileChanged(item, 'was modified after planning');
  if (planned.ino !== undefined && now.ino !== planned.ino) {
    throw fileChanged(item, 'is another file (inode) than when planned');
  }
  // Written (or its metadata changed) with its modification time set back afterwards.
  if (planned.ctimeNs !== undefined && now.ctimeNs !== planned.ctimeNs) {
    throw fileChanged(item, 'was changed after planning (its status change time differs)');
  }
  if (now.edges !== planned.edges) throw fileChanged(item, 'has other contents than when planned');
}

/**
 * Checks that computing `item` read every batch planned for it: a file cut short after planning
 * (read with `allowMissingEndOfStream`) yields fewer batches, never a short result. Parquet row
 * groups and items ending at a row limit have no exact batch count; their file identity covers them.
 *
 * @throws {DistributedRunError} `FILE_CHANGED` naming the item and the batches read and planned
 */
export function checkItemRead(item: WorkItem, chunks: readonly PassChunks[]): void {
  if (item.format === 'parquet' || item.limit !== undefined) return;
  const planned = item.part.end - item.part.first;
  // Large batches may be read as several row ranges, so more passes than batches is fine.
  if (chunks.length < planned) {
    throw fileChanged(
      item,
      `gave ${chunks.length} of the ${planned} ${planned === 1 ? 'batch' : 'batches'} planned`,
    );
  }
}

function fileChanged(item: WorkItem, what: string): DistributedRunError {
  return new DistributedRunError(
    'FILE_CHANGED',
    `FILE_CHANGED: ${item.path} ${what} (item ${item.index} of run ${item.run}): this worker sees another file than the coordinator planned`,
    {
      item: item.index,
      file: item.path,
      hint: 'Every worker must read the same, unchanged file by that path: fix the shared filesystem or leave the file alone until the run ends, then run again.',
    },
  );
}
