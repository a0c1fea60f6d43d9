import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../errors/OutputError.js';
import { CheckedOutput, flushOutput } from './checkedOutput.js';

/** A stream whose writes fail with `code` after `okWrites` writes, as a full disk does. */
function failingStream(code: string, okWrites = 0): Writable {
  let n = 0;
  return new Writable({
    write(_chunk, _encoding, callback) {
      if (n++ < okWrites) callback();
      else callback(Object.assign(new Error(`${code}: write failed`), { code, syscall: 'write' }));
    },
  });
}

describe('CheckedOutput', () => {
  it('passes text through and flushes when every write arrives', async () => {
    let text = '';
    const out = new CheckedOutput(
      new Writable({
        write(chunk, _encoding, callback) {
          text += String(chunk);
          callback();
        },
      }),
    );
    out.write('a');
    out.write('b\n');
    await flushOutput(out);
    expect(text).toBe('ab\n');
  });

  it('rejects the flush after a failed write, and throws on the next write, with the system code', async () => {
    const out = new CheckedOutput(failingStream('ENOSPC', 1), 'the results');
    out.write('fine\n');
    out.write('lost\n');
    const flushed = out.flush();
    await expect(flushed).rejects.toBeInstanceOf(OutputError);
    await expect(flushed).rejects.toMatchObject({ code: 'ENOSPC', what: 'the results', path: undefined });
    expect(() => out.write('more')).toThrow(/cannot write the results to standard output/);
  });

  it('never lets an error event escape (which would crash the process)', async () => {
    const stream = failingStream('EPIPE');
    const out = new CheckedOutput(stream);
    out.write('x');
    await expect(out.flush()).rejects.toMatchObject({ code: 'EPIPE' });
  });
});
