import { resolve } from 'node:path';
import { fileParts } from '@lossflow/arrow/node';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import type { WorkItem } from './WorkItem.js';

/** Options of {@link planWorkItems}. */
export interface PlanOptions {
  /** Bytes per item, about (default 64 MiB): whole batches or row groups, never split. */
  readonly itemBytes?: number;
  /** Batches (or row groups) per item at most (default 512), so an item's states fit in one message. */
  readonly maxUnits?: number;
  readonly allowMissingEndOfStream?: boolean;
}

/**
 * Cuts the files of a run into {@link WorkItem}s, in the order a local evaluation reads them (file
 * after file, batch after batch), reading only message headers and Parquet footers. Paths are made
 * absolute: workers read them by the same path (a shared filesystem).
 *
 * @example
 * const items = await planWorkItems('nightly', ['a.arrows', 'b.parquet'], { args: ['--loss', 'mse'] });
 */
export async function planWorkItems(
  run: string,
  files: readonly string[],
  spec: unknown,
  options: PlanOptions = {},
): Promise<WorkItem[]> {
  const maxUnits = options.maxUnits ?? 512;
  const items: WorkItem[] = [];
  for (const [file, name] of files.entries()) {
    const parts = await fileParts(name, {
      ...(options.itemBytes === undefined ? {} : { targetBytes: options.itemBytes }),
      ...(options.allowMissingEndOfStream === true ? { allowMissingEndOfStream: true } : {}),
    });
    for (const part of parts) {
      const units = part.end - part.first;
      const pieces = Math.ceil(units / maxUnits);
      for (let p = 0; p < pieces; p++) {
        const first = part.first + Math.floor((units * p) / pieces);
        const end = part.first + Math.floor((units * (p + 1)) / pieces);
        items.push({
          v: NATS_PROTOCOL_VERSION,
          run,
          index: items.length,
          path: resolve(name),
          format: part.format,
          file,
          // Only the first piece starts where the part does.
          part: p === 0 && part.seek !== undefined ? { first, end, seek: part.seek } : { first, end },
          // Pieces of a part share its rows and bytes evenly, for progress only.
          rows: Math.round(part.rows / pieces),
          bytes: Math.round(part.bytes / pieces),
          spec,
        });
      }
    }
  }
  return items;
}
