import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { checkOutputTargets } from './outputTargets.js';

/** An `access` that refuses write access below `readOnly`, as for a user without write permission. */
const denyUnder =
  (readOnly: string) =>
  (path: string): void => {
    if (path === readOnly || path.startsWith(`${readOnly}/`))
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
  };

describe('checkOutputTargets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lossflow-targets-'));
  const input = join(dir, 'in.arrows');
  writeFileSync(input, 'x');

  it('refuses a new file in a folder this user may not write, before anything runs', () => {
    const request = { flag: '--per-row', what: 'the per-row losses', path: join(dir, 'out.arrows') };
    expect(() => checkOutputTargets([request], [input], 'eval', denyUnder(dir))).toThrow(UsageError);
    expect(() => checkOutputTargets([request], [input], 'eval', denyUnder(dir))).toThrow(/cannot be written/);
    expect(checkOutputTargets([request], [input], 'eval', () => {})).toHaveLength(1);
  });

  it('refuses to replace a file whose folder this user may not write', () => {
    const existing = join(dir, 'old.html');
    writeFileSync(existing, 'old');
    const request = { flag: '--report', what: 'the report', path: existing };
    expect(() => checkOutputTargets([request], [input], 'eval', denyUnder(dir))).toThrow(
      /--report .* cannot be written/,
    );
  });

  it('refuses a device this user may not write', () => {
    const request = { flag: '--report', what: 'the report', path: '/dev/null' };
    expect(() => checkOutputTargets([request], [], 'eval', denyUnder('/dev/null'))).toThrow(
      /cannot be written/,
    );
  });

  it('calls a path through a file (in.arrows/) a usage error, not ENOTDIR', () => {
    for (const path of [`${input}/`, join(input, 'out.arrows')]) {
      const request = { flag: '--per-row', what: 'the per-row losses', path };
      expect(() => checkOutputTargets([request], [input], 'eval')).toThrow(UsageError);
      expect(() => checkOutputTargets([request], [input], 'eval')).toThrow(/goes through a file/);
    }
  });
});
