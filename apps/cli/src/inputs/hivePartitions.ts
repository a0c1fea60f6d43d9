import type { GroupKey } from '@lossflow/rx';
import { UsageError } from '../errors/UsageError.js';

/** The value of a Hive partition key in one file's path, typed over all files (see {@link hivePartitions}). */
export type PartitionValue = GroupKey;

/**
 * The Hive-style partition keys of a list of files (`…/epoch=3/run=a/part-0.parquet`): for each key
 * found in any file's folders, its value per file. Values are percent-decoded and typed over all
 * files as pyarrow's partition discovery infers integers: a key whose every value is a canonical
 * integer (`3`, `-12`; not `03`, `+3` or `-0`) is a number (past 2^53 a decimal string, as `--by`
 * keys are), else every value is the folder's text as it is: `f=1` and `f=1.0`, or `lr=1e-3` and
 * `lr=0.001`, are different folders and stay different groups (as numbers they would merge).
 * DuckDB's and Spark's null partition `__HIVE_DEFAULT_PARTITION__` stays that string (and makes the
 * key a string key).
 *
 * @throws {UsageError} when the files do not all have the same keys: some under partition folders
 *   and some not, or with other keys (`epoch=` and `run=`); DuckDB refuses such a set too, and a
 *   file without a key would be grouped under a value it does not have.
 * @example
 * hivePartitions(['d/epoch=2/a.parquet', 'd/epoch=10/b.parquet']); // Map { 'epoch' => [2, 10] }
 */
export function hivePartitions(paths: readonly string[]): Map<string, PartitionValue[]> {
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
  checkSameKeys(paths, keysOf);
  const out = new Map<string, PartitionValue[]>();
  for (const [key, values] of raw) out.set(key, typed(values));
  return out;
}

/** Every file must have the first file's partition keys (in any order), as DuckDB requires. */
function checkSameKeys(paths: readonly string[], keysOf: readonly string[][]): void {
  const first = keysOf[0];
  if (first === undefined) return;
  const same = (keys: readonly string[]) =>
    keys.length === first.length && keys.every((k) => first.includes(k));
  const i = keysOf.findIndex((keys) => !same(keys));
  if (i === -1) return;
  const other = keysOf[i]!;
  const [withKeys, withKeysAt, without] = first.length > 0 ? [first, 0, i] : [other, i, 0];
  if (first.length === 0 || other.length === 0) {
    throw new UsageError(
      `the files mix Hive-partitioned and unpartitioned files: ${paths[withKeysAt]} is under partition folders (${withKeys.map((k) => `${k}=…`).join('/')}) and ${paths[without]} is not. Evaluate them in separate runs, or put every file under the same KEY=VALUE folders.`,
      'eval',
    );
  }
  const list = (keys: readonly string[]) => keys.join(', ');
  throw new UsageError(
    `the files' Hive partition keys differ: ${paths[0]} has ${list(first)} and ${paths[i]} has ${list(other)}. Evaluate them in separate runs, or put every file under folders of the same keys.`,
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
