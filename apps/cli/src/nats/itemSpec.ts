import { isAbsolute, resolve } from 'node:path';
import type { PartitionValue } from '../inputs/hivePartitions.js';

/** What every item of a CLI run carries for its worker: how to compute, as `lossflow eval` was told. */
export interface ItemSpec {
  /** The eval arguments (without the coordinator's own flags; paths made absolute). */
  readonly args: readonly string[];
  /** The step column the report and `--every` use (resolved by the coordinator), if any. */
  readonly step: string | undefined;
}

/**
 * The spec of a run from the coordinator's eval arguments: `--weight-file` is read by each worker,
 * so its path is made absolute, as the files' are.
 */
export function itemSpecOf(args: readonly string[], step: string | undefined): ItemSpec {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--weight-file' && i + 1 < args.length) {
      out.push(arg, absolute(args[++i]!));
    } else if (arg.startsWith('--weight-file=')) {
      out.push(`--weight-file=${absolute(arg.slice('--weight-file='.length))}`);
    } else out.push(arg);
  }
  return { args: out, step };
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * What a worker needs to know of an item's file to add the `--by file` and Hive partition key
 * columns a local eval adds (`GroupKeys`): the file's name as the outputs show it and its
 * partition values (the `fileSpec` of a `WorkItem`).
 */
export interface ItemFile {
  readonly name: string;
  readonly partitions: Readonly<Record<string, PartitionValue>>;
}

/** Each file's {@link ItemFile}: its name and its values of the Hive partition keys. */
export function itemFilesOf(
  files: readonly string[],
  partitions: ReadonlyMap<string, readonly PartitionValue[]>,
): ItemFile[] {
  return files.map((name, i) => ({
    name,
    partitions: Object.fromEntries([...partitions].map(([key, values]) => [key, values[i]!])),
  }));
}
