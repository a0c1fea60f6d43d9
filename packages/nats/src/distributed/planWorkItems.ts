import { resolve } from 'node:path';
import { type FilePart, fileParts } from '@lossflow/arrow/node';
import { NATS_PROTOCOL_VERSION } from '../protocol.js';
import { fileIdentity } from './fileIdentity.js';
import type { WorkItem } from './WorkItem.js';

/** Options of {@link planWorkItems}. */
export interface PlanOptions {
  /** Bytes per item, about (default 64 MiB): whole batches or row groups, never split. */
  readonly itemBytes?: number;
  /** Batches (or row groups) per item at most (default 512), so an item's states fit in one message. */
  readonly maxUnits?: number;
  readonly allowMissingEndOfStream?: boolean;
  /**
   * Rows over all files at most (`--limit`): items past it are left out and the item it ends in
   * gets its `limit`. That item is not cut by `maxUnits` (its pieces' rows are not known exactly).
   */
  readonly limit?: number;
  /**
   * One item per file (whole files, never cut), for all files or for the formats this returns
   * true for: for callers whose workers can only read such a file from its start.
   */
  readonly wholeFiles?: boolean | ((format: FilePart['format']) => boolean);
  /**
   * Never cut a part by `maxUnits`, so every item starts where its part does and carries its
   * `seek`: for callers whose workers read an item's batches from that offset themselves (the
   * CLI's `--by file`, Hive keys and several keys key an Arrow IPC stream's part in one thread).
   */
  readonly wholeParts?: boolean;
  /** Each file's {@link WorkItem.fileSpec}, by file index. */
  readonly fileSpecs?: readonly unknown[];
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
  let rowsBefore = 0;
  for (const [file, name] of files.entries()) {
    const fileSpec = options.fileSpecs?.[file];
    // Taken before the headers are read, so a change while planning shows too.
    const identity = await fileIdentity(name);
    let parts: FilePart[] = await fileParts(name, {
      ...(options.itemBytes === undefined ? {} : { targetBytes: options.itemBytes }),
      ...(options.allowMissingEndOfStream === true ? { allowMissingEndOfStream: true } : {}),
    });
    const whole =
      typeof options.wholeFiles === 'function'
        ? parts[0] !== undefined && options.wholeFiles(parts[0].format)
        : options.wholeFiles === true;
    if (whole && parts.length > 1) parts = [wholeFile(parts)];
    for (const part of parts) {
      if (options.limit !== undefined && rowsBefore >= options.limit) return items;
      const limit =
        options.limit !== undefined && rowsBefore + part.rows > options.limit
          ? options.limit - rowsBefore
          : undefined;
      rowsBefore += part.rows;
      const units = part.end - part.first;
      const pieces =
        limit === undefined && !whole && options.wholeParts !== true ? Math.ceil(units / maxUnits) : 1;
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
          rows: limit ?? Math.round(part.rows / pieces),
          bytes: Math.round(part.bytes / pieces),
          ...(limit === undefined ? {} : { limit }),
          spec,
          ...(fileSpec === undefined ? {} : { fileSpec }),
          identity,
        });
      }
    }
  }
  return items;
}

/** The parts of one file as one part. */
function wholeFile(parts: readonly FilePart[]): FilePart {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  return {
    ...first,
    end: last.end,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
  };
}
