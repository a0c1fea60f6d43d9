import type { GroupKey } from '@lossflow/rx';
import { UsageError } from '../errors/UsageError.js';

/** The value of a Hive partition key in one file's path, typed over all files (see {@link hivePartitions}). */
export type PartitionValue = GroupKey;

/**
 * The Hive-style partition keys of a list of files (`…/epoch=3/run=a/part-0.parquet`) that the run
 * uses (`used`: the `--by` and `--keys` names): for each such key found in a file's folders, its
 * value per file. `paths` are each file's partition path (see `InputFile.partitionPath`: below the
 * folder or pattern the user gave, or the whole resolved path of a file named directly), so a key
 * comes only from folders the file really is under. A `KEY=VALUE` folder whose key is not used is
 * not a partition: such files are read as any others. Values are percent-decoded and typed over all
 * files as pyarrow's partition discovery infers integers: a key whose every value is a canonical
 * integer (`3`, `-12`; not `03`, `+3` or `-0`) is a number (past 2^53 a decimal string, as `--by`
 * keys are), else every value is the folder's text as it is: `f=1` and `f=1.0`, or `lr=1e-3` and
 * `lr=0.001`, are different folders and stay different groups (as numbers they would merge).
 * DuckDB's and Spark's null partition `__HIVE_DEFAULT_PARTITION__` stays that string (and makes the
 * key a string key).
 *
 * `names` are the files as errors name them (default: `paths`).
 *
 * @throws {UsageError} when a used key is in some files' folders and not in others' (some under
 *   partition folders and some not, or under folders of other keys): a file without the key would
 *   be grouped under a value it does not have; DuckDB refuses such a set too.
 * @example
 * hivePartitions(['epoch=2/a.parquet', 'epoch=10/b.parquet'], ['epoch']); // Map { 'epoch' => [2, 10] }
 */
export function hivePartitions(
  paths: readonly string[],
  used: readonly string[],
  names: readonly string[] = paths,
): Map<string, PartitionValue[]> {
  const raw = new Map<string, string[]>();
  const keysOf: string[][] = paths.map(() => []);
  paths.forEach((path, i) => {
    const folders = path.split(/[\\/]/).slice(0, -1);
    for (const folder of folders) {
      const eq = folder.indexOf('=');
      if (eq <= 0) continue;
      const key = decoded(folder.slice(0, eq));
      if (!keysOf[i]!.includes(key)) keysOf[i]!.push(key);
      let values = raw.get(key);
      if (values === undefined) {
        values = paths.map(() => '');
        raw.set(key, values);
      }
      // The innermost folder wins, as in DuckDB, when a key comes twice in one path.
      values[i] = decoded(folder.slice(eq + 1));
    }
  });
  const out = new Map<string, PartitionValue[]>();
  for (const key of used) {
    const values = raw.get(key);
    if (values === undefined || out.has(key)) continue;
    checkEveryFileHas(key, names, keysOf);
    out.set(key, typed(values));
  }
  return out;
}

/** Every file must be under a folder of the used key `key`, as DuckDB requires. */
function checkEveryFileHas(key: string, paths: readonly string[], keysOf: readonly string[][]): void {
  const without = keysOf.findIndex((keys) => !keys.includes(key));
  if (without === -1) return;
  const withKey = keysOf.findIndex((keys) => keys.includes(key));
  const keys = keysOf[withKey]!;
  const other = keysOf[without]!;
  if (other.length === 0) {
    throw new UsageError(
      `the files mix Hive-partitioned and unpartitioned files: ${paths[withKey]} is under partition folders (${keys.map((k) => `${k}=…`).join('/')}) and ${paths[without]} is not, so it has no '${key}'. Evaluate them in separate runs, or put every file under the same KEY=VALUE folders.`,
      'eval',
    );
  }
  const list = (names: readonly string[]) => names.join(', ');
  throw new UsageError(
    `the files' Hive partition keys differ: ${paths[withKey]} has ${list(keys)} and ${paths[without]} has ${list(other)}, so it has no '${key}'. Evaluate them in separate runs, or put every file under folders of the same keys.`,
    'eval',
  );
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function typed(values: readonly string[]): PartitionValue[] {
  // Only canonical integers (no sign, leading zero or -0 to drop): two folders then never read as
  // one number, so distinct folders stay distinct groups.
  if (values.every((v) => /^(?:0|-?[1-9]\d*)$/.test(v))) {
    return values.map((v) => {
      const n = BigInt(v);
      return n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n.toString();
    });
  }
  return [...values];
}
