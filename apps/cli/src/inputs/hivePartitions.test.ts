import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { hivePartitions } from './hivePartitions.js';

const ALL = ['run', 'epoch', 'lr', 'f', 'e', 's', 'k', 'x'];

describe('hivePartitions', () => {
  it('types keys over all files as pyarrow infers integers; any other value keeps its text', () => {
    const keys = hivePartitions(
      ['logs/run=a%20b/epoch=2/lr=0.1/part-0.parquet', 'logs/run=c/epoch=10/lr=1/part-0.parquet'],
      ALL,
    );
    expect(keys.get('run')).toEqual(['a b', 'c']);
    expect(keys.get('epoch')).toEqual([2, 10]);
    expect(keys.get('lr')).toEqual(['0.1', '1']);
  });

  it('keeps distinct folders distinct: f=1 and f=1.0, lr=1e-3 and lr=0.001, e=1 and e=01 do not merge', () => {
    expect(hivePartitions(['f=1/a.arrows', 'f=1.0/b.arrows'], ALL).get('f')).toEqual(['1', '1.0']);
    expect(hivePartitions(['lr=1e-3/a.arrows', 'lr=0.001/b.arrows'], ALL).get('lr')).toEqual([
      '1e-3',
      '0.001',
    ]);
    expect(hivePartitions(['e=1/a.arrows', 'e=01/b.arrows'], ALL).get('e')).toEqual(['1', '01']);
    expect(hivePartitions(['e=0/a.arrows', 'e=-0/b.arrows', 'e=+0/c.arrows'], ALL).get('e')).toEqual([
      '0',
      '-0',
      '+0',
    ]);
    expect(hivePartitions(['e=-3/a.arrows', 'e=0/b.arrows'], ALL).get('e')).toEqual([-3, 0]);
  });

  it('keeps integers past 2^53 exact as decimal strings, and a null partition makes the key a string key', () => {
    expect(hivePartitions(['s=9007199254740993/a.arrows'], ALL).get('s')).toEqual(['9007199254740993']);
    expect(hivePartitions(['e=1/a.arrows', 'e=__HIVE_DEFAULT_PARTITION__/b.arrows'], ALL).get('e')).toEqual([
      '1',
      '__HIVE_DEFAULT_PARTITION__',
    ]);
  });

  it('reads folders only, not the file name', () => {
    const keys = hivePartitions(['k=2/x=1.arrows', 'k=1/a.arrows'], ALL);
    expect(keys.has('x')).toBe(false);
    expect(keys.get('k')).toEqual([2, 1]);
  });

  it('refuses a used key in some files and not others, naming one of each (either first)', () => {
    const used = ['epoch'];
    expect(() => hivePartitions(['dir/epoch=1/a.parquet', 'other/b.parquet'], used)).toThrow(UsageError);
    expect(() => hivePartitions(['dir/epoch=1/a.parquet', 'other/b.parquet'], used)).toThrow(
      /mix Hive-partitioned and unpartitioned files: dir\/epoch=1\/a.parquet is under partition folders \(epoch=…\) and other\/b.parquet is not/,
    );
    expect(() => hivePartitions(['other/b.parquet', 'dir/epoch=1/a.parquet'], used)).toThrow(
      /dir\/epoch=1\/a.parquet is under partition folders \(epoch=…\) and other\/b.parquet is not/,
    );
    // Errors name the files as the user sees them.
    expect(() =>
      hivePartitions(['epoch=1/a.parquet', 'b.parquet'], used, ['logs/epoch=1/a.parquet', 'b.parquet']),
    ).toThrow(/logs\/epoch=1\/a.parquet is under/);
  });

  it('refuses files whose partition keys differ when a key is used, naming both files and their keys', () => {
    expect(() => hivePartitions(['d/epoch=1/a.parquet', 'd/run=x/b.parquet'], ['epoch'])).toThrow(
      /partition keys differ: d\/epoch=1\/a.parquet has epoch and d\/run=x\/b.parquet has run/,
    );
    expect(() => hivePartitions(['d/run=x/epoch=1/a.parquet', 'd/run=y/b.parquet'], ['epoch'])).toThrow(
      /has run, epoch and d\/run=y\/b.parquet has run, so it has no 'epoch'/,
    );
    // The same keys in another order are the same keys.
    expect(
      hivePartitions(['d/run=x/epoch=1/a.parquet', 'd/epoch=2/run=y/b.parquet'], ['epoch']).get('epoch'),
    ).toEqual([1, 2]);
    // Only the keys used are checked and returned.
    expect([...hivePartitions(['d/run=x/epoch=1/a.parquet', 'd/run=y/b.parquet'], ['run'])]).toEqual([
      ['run', ['x', 'y']],
    ]);
  });

  it('a KEY=VALUE folder whose key the run does not use is no partition: files are read as any others', () => {
    expect(hivePartitions(['/exp/lr=0.1/log.arrows', '/shards/e0.arrows'], []).size).toBe(0);
    expect(hivePartitions(['/exp/lr=0.1/log.arrows', '/shards/e0.arrows'], ['epoch']).size).toBe(0);
  });
});
