import { describe, expect, it } from 'vitest';
import { hivePartitions } from './hivePartitions.js';

describe('hivePartitions', () => {
  it('types keys over all files as DuckDB and pyarrow infer them: integers, floats, else strings', () => {
    const keys = hivePartitions([
      'logs/run=a%20b/epoch=2/lr=0.1/part-0.parquet',
      'logs/run=c/epoch=10/lr=1/part-0.parquet',
    ]);
    expect(keys.get('run')).toEqual(['a b', 'c']);
    expect(keys.get('epoch')).toEqual([2, 10]);
    expect(keys.get('lr')).toEqual([0.1, 1]);
  });

  it('keeps integers past 2^53 exact as decimal strings, and a null partition makes the key a string key', () => {
    expect(hivePartitions(['s=9007199254740993/a.arrows']).get('s')).toEqual(['9007199254740993']);
    expect(hivePartitions(['e=1/a.arrows', 'e=__HIVE_DEFAULT_PARTITION__/b.arrows']).get('e')).toEqual([
      '1',
      '__HIVE_DEFAULT_PARTITION__',
    ]);
  });

  it('reads folders only, not the file name; a file without the key has the empty string', () => {
    const keys = hivePartitions(['x=1.arrows', 'k=1/a.arrows']);
    expect(keys.has('x')).toBe(false);
    expect(keys.get('k')).toEqual(['', '1']);
  });
});
