import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { byteSize, durationMs } from './streamLimitFlags.js';

describe('stream limit flags', () => {
  it('reads durations with s, m, h, d or plain seconds', () => {
    expect(durationMs('90s', '--max-age', 'publish')).toBe(90_000);
    expect(durationMs('30m', '--max-age', 'publish')).toBe(1_800_000);
    expect(durationMs('36h', '--max-age', 'publish')).toBe(129_600_000);
    expect(durationMs('7d', '--max-age', 'publish')).toBe(604_800_000);
    expect(durationMs('120', '--max-age', 'publish')).toBe(120_000);
  });

  it('reads decimal and binary sizes', () => {
    expect(byteSize('512MB', '--max-bytes', 'publish')).toBe(512e6);
    expect(byteSize('2GiB', '--max-bytes', 'publish')).toBe(2 * 2 ** 30);
    expect(byteSize('1.5kb', '--max-bytes', 'publish')).toBe(1500);
    expect(byteSize('4096', '--max-bytes', 'publish')).toBe(4096);
  });

  it('refuses what is not a duration or a size, naming the flag', () => {
    for (const bad of ['', 'soon', '-5s', '0', '10w']) {
      expect(() => durationMs(bad, '--max-age', 'publish')).toThrow(UsageError);
    }
    expect(() => durationMs('10w', '--max-age', 'publish')).toThrow(/--max-age/);
    for (const bad of ['', 'lots', '-1MB', '0', '5PB']) {
      expect(() => byteSize(bad, '--max-bytes', 'publish')).toThrow(UsageError);
    }
  });
});
