import { isAbsolute, resolve } from 'node:path';
import { EVAL_FLAGS } from '../args/evalArgs.js';
import type { PartitionValue } from '../inputs/hivePartitions.js';

/** What every item of a CLI run carries for its worker: how to compute, as `lossflow eval` was told. */
export interface ItemSpec {
  /** The eval arguments (without the coordinator's own flags; paths made absolute). */
  readonly args: readonly string[];
  /** The step column the report and `--every` use (resolved by the coordinator), if any. */
  readonly step: string | undefined;
}

/**
 * Flags that only shape what the coordinator prints or writes (or how fast it reads nothing), never
 * what a worker computes: left out of the spec, so a run resumed with `--run` after only these
 * changed (`-q`, another `--format`, a `--report` elsewhere, `--every`) has the same plan. `--step`
 * matters only to the report, whose step column the spec carries as `step`.
 */
const OUTPUT_ONLY_FLAGS = new Set(['format', 'report', 'every', 'quiet', 'threads', 'step']);

/**
 * The spec of a run from the coordinator's eval arguments: `--weight-file` is read by each worker,
 * so its path is made absolute, as the files' are; output-only flags ({@link OUTPUT_ONLY_FLAGS})
 * are left out, as they are not part of what the run computes (its plan identity).
 */
export function itemSpecOf(args: readonly string[], step: string | undefined): ItemSpec {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      for (let j = i; j < args.length; j++) out.push(args[j]!);
      break;
    }
    const output = outputOnlyFlag(arg);
    if (output !== undefined) {
      // A value follows unless the flag is boolean or given as --flag=value.
      if (EVAL_FLAGS[output]?.type === 'string' && !arg.includes('=')) i++;
      continue;
    }
    if (arg === '--weight-file' && i + 1 < args.length) {
      out.push(arg, absolute(args[++i]!));
    } else if (arg.startsWith('--weight-file=')) {
      out.push(`--weight-file=${absolute(arg.slice('--weight-file='.length))}`);
    } else out.push(arg);
  }
  return { args: out, step };
}

/** The name of the output-only flag `arg` is (`--format`, `--format=json`, `-q`), if it is one. */
function outputOnlyFlag(arg: string): string | undefined {
  if (arg === '-q') return 'quiet';
  if (!arg.startsWith('--')) return undefined;
  const eq = arg.indexOf('=');
  const name = arg.slice(2, eq === -1 ? undefined : eq);
  return OUTPUT_ONLY_FLAGS.has(name) ? name : undefined;
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
