import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { hasFlag, lastValue, parseArgv, wantsHelp } from './argv.js';

const specs = {
  loss: { type: 'string' },
  'ignore-index': { type: 'string' },
  weight: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

describe('parseArgv', () => {
  it('keeps flags in order and collects positionals anywhere', () => {
    const p = parseArgv(['a.arrow', '--loss', 'nll', 'b.arrow', '--weight=1,2', '-q'], specs, 'eval');
    expect(p.positionals).toEqual(['a.arrow', 'b.arrow']);
    expect(p.flags).toEqual([
      { name: 'loss', value: 'nll' },
      { name: 'weight', value: '1,2' },
      { name: 'quiet', value: true },
    ]);
    expect(hasFlag(p, 'quiet')).toBe(true);
  });

  it('takes a negative number as the value of a string flag', () => {
    const p = parseArgv(['--ignore-index', '-100'], specs, 'eval');
    expect(lastValue(p, 'ignore-index')).toBe('-100');
  });

  it('treats everything after -- as positional', () => {
    const p = parseArgv(['--', '--weird-name.arrow'], specs, 'eval');
    expect(p.positionals).toEqual(['--weird-name.arrow']);
    expect(p.flags).toEqual([]);
  });

  it('takes 300,000 paths after -- without overflowing the call stack', () => {
    const paths = Array.from({ length: 300_000 }, (_, i) => `f${i}.arrows`);
    const p = parseArgv(['--', ...paths], specs, 'eval');
    expect(p.positionals).toHaveLength(300_000);
    expect(p.positionals[299_999]).toBe('f299999.arrows');
  });

  it('rejects an unknown flag and suggests the closest one', () => {
    expect(() => parseArgv(['--wieght', '1'], specs, 'eval')).toThrow(
      /unknown flag --wieght .*Did you mean --weight\?/,
    );
    expect(() => parseArgv(['-x'], specs, 'eval')).toThrow(UsageError);
  });

  it('rejects a missing value, and a value given to a boolean flag', () => {
    expect(() => parseArgv(['--loss'], specs, 'eval')).toThrow(/--loss needs a value/);
    expect(() => parseArgv(['--loss', '--quiet'], specs, 'eval')).toThrow(/--loss needs a value/);
    expect(() => parseArgv(['--quiet=yes'], specs, 'eval')).toThrow(/takes no value/);
  });

  it('takes the last value of a repeated flag', () => {
    expect(lastValue(parseArgv(['--loss', 'a', '--loss', 'b'], specs, 'eval'), 'loss')).toBe('b');
  });
});

describe('wantsHelp', () => {
  it('finds -h or --help before --, whatever else is there', () => {
    expect(wantsHelp(['--bogus', '-h'])).toBe(true);
    expect(wantsHelp(['x', '--help'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['x'])).toBe(false);
  });
});
