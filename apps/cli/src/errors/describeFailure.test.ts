import { ArrowReadError } from '@lossflow/arrow';
import { LossError } from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import { describeFailure } from './describeFailure.js';
import { OutputError } from './OutputError.js';
import { UsageError } from './UsageError.js';

describe('describeFailure', () => {
  it('gives bad usage exit code 2 and points to the help', () => {
    const f = describeFailure(new UsageError('unknown flag --x.'), { command: 'eval' });
    expect(f).toEqual({
      exitCode: 2,
      message: "lossflow eval: unknown flag --x. Run 'lossflow eval --help' for usage.",
    });
  });

  it('names the file, batch and fix of a read failure', () => {
    const e = new ArrowReadError('TRUNCATED', 'the stream ends inside a record batch', {
      file: 'log.arrows',
      batch: 7,
    });
    const f = describeFailure(e, { command: 'eval' });
    expect(f.exitCode).toBe(1);
    expect(f.message).toMatch(
      /^lossflow eval: cannot read the data \(file 'log.arrows', batch 7\): the stream ends inside a record batch \[TRUNCATED\]\. The file ends early/,
    );
    expect(f.message).toMatch(/No result was written\.$/);
    expect(f.message).not.toContain('\n');
  });

  it('names the flag, not the library option, for a stream without its end-of-stream marker', () => {
    const e = new ArrowReadError(
      'TRUNCATED',
      'the stream ends after 10 record batches, at byte 9000, without the end-of-stream marker',
      {
        file: 'log.arrows',
        hint: 'The writer may have been killed before it closed the stream: copy the file again once it is complete. If your writer closes streams without the marker, pass allowMissingEndOfStream: true.',
      },
    );
    const f = describeFailure(e, { command: 'eval' });
    expect(f.exitCode).toBe(1);
    expect(f.message).toContain('pass --allow-missing-end-of-stream.');
    expect(f.message).not.toContain('allowMissingEndOfStream');
  });

  it('names the file being read when the error does not, and says which flags choose columns', () => {
    const e = new ArrowReadError('MISSING_COLUMN', "no column 'p'; available: pred (Float32), y (Float32)", {
      column: 'p',
      hint: 'Pick one of the available columns (lossflow inspect lists them).',
    });
    const f = describeFailure(e, { command: 'eval', currentFile: () => 'log.parquet' });
    expect(f.message).toBe(
      "lossflow eval: cannot read the data (file 'log.parquet', column 'p'): no column 'p'; available: pred (Float32), y (Float32) [MISSING_COLUMN]. Choose the columns with --input COL and --target COL (or the flag of the missing role); lossflow inspect lists them. No result was written.",
    );
  });

  it('locates a loss error in its file from the stream-wide batch index', () => {
    const e = new LossError('TARGET_OUT_OF_RANGE', 'target 9 is out of bounds for 5 classes', {
      loss: 'crossEntropy',
      batch: 12,
      row: 3,
      column: 'target',
      hint: 'Check the number of classes.',
    });
    const f = describeFailure(e, { command: 'eval', locate: (b) => ({ file: 'b.arrow', batch: b - 10 }) });
    expect(f.exitCode).toBe(1);
    expect(f.message).toBe(
      "lossflow eval: cannot compute cross-entropy (file 'b.arrow', batch 2, row 3, column 'target'): target 9 is out of bounds for 5 classes [TARGET_OUT_OF_RANGE]. Check the number of classes. No result was written.",
    );
  });

  it('treats an option the core rejects as bad usage', () => {
    const e = new LossError('INVALID_OPTION', 'label_smoothing must be in [0, 1], got 2', {
      loss: 'crossEntropy',
      argument: 'labelSmoothing',
      batch: 0,
    });
    expect(describeFailure(e, { command: 'eval' }).exitCode).toBe(2);
  });

  it('explains file-system errors', () => {
    const e = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: 'nope.arrow' });
    expect(describeFailure(e, { command: 'inspect' })).toEqual({
      exitCode: 1,
      message:
        "lossflow inspect: cannot use 'nope.arrow': no such file or directory (ENOENT). Check the path and its permissions.",
    });
  });

  it('words a failed write of the arrow writer as a write, not a read', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    const e = new ArrowReadError('IO', 'ENOSPC: no space left on device, write', {
      file: 'out.arrows',
      cause,
    });
    expect(describeFailure(e, { command: 'eval' }).message).toMatch(
      /^lossflow eval: cannot write the data \(file 'out.arrows'\)/,
    );
  });

  it("names no '?' for a system error without a path", () => {
    const e = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    const f = describeFailure(e, { command: 'eval' });
    expect(f.exitCode).toBe(1);
    expect(f.message).not.toContain("'?'");
    expect(f.message).toBe(
      'lossflow eval: cannot write a file or stream: no space left on device (ENOSPC). Free some space or write elsewhere.',
    );
  });

  it('says what could not be written where, and why', () => {
    const cause = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', syscall: 'write' });
    expect(describeFailure(new OutputError('the results', undefined, cause), { command: 'eval' })).toEqual({
      exitCode: 1,
      message:
        'lossflow eval: cannot write the results to standard output: no space left on device (ENOSPC). Free some space or write elsewhere. The output is incomplete.',
    });
    const report = new OutputError('the report', 'r.html', cause, "'r.html' was left as it was.");
    expect(describeFailure(report, { command: 'eval' }).message).toBe(
      "lossflow eval: cannot write the report to 'r.html': no space left on device (ENOSPC). Free some space or write elsewhere. 'r.html' was left as it was.",
    );
  });

  it('ends quietly with 141 when the reader of standard output closed the pipe', () => {
    const cause = Object.assign(new Error('EPIPE'), { code: 'EPIPE', syscall: 'write' });
    expect(describeFailure(new OutputError('the results', undefined, cause), { command: 'eval' })).toEqual({
      exitCode: 141,
      message: '',
    });
  });

  it('points a missing --by column at --by, and a missing default column at --input / --target', () => {
    const missing = (column: string) =>
      new ArrowReadError('MISSING_COLUMN', `no column '${column}'`, {
        column,
        hint: 'Pick one of the available columns (lossflow inspect lists them).',
      });
    const flagOfColumn = (c: string) => (c === 'user' ? '--by' : undefined);
    const by = describeFailure(missing('user'), { command: 'eval', flagOfColumn }).message;
    expect(by).toContain('Pass --by one of the available columns (lossflow inspect lists them). No result');
    // Said once: not also the library's generic "Pick one of the available columns".
    expect(by.match(/available columns/g)).toHaveLength(1);
    expect(by).not.toContain('--input');
    const logits = describeFailure(missing('logits'), { command: 'eval', flagOfColumn }).message;
    expect(logits).toContain('--input COL and --target COL');
    expect(logits.match(/available columns|lossflow inspect/g)).toHaveLength(1);
  });

  it('says which types --by takes for a --by column of the wrong type', () => {
    const e = new ArrowReadError('BAD_COLUMN_TYPE', 'Utf8 values cannot become a tensor (type Utf8)', {
      column: 'who',
      hint: 'Cast the column to float32/float64 (inputs) or an integer type (targets) when writing the log.',
    });
    const by = describeFailure(e, { command: 'eval', flagOfColumn: () => '--by' }).message;
    expect(by).toContain('--by takes an integer or floating-point column');
    expect(by).not.toContain('(inputs)');
    const input = describeFailure(e, { command: 'eval', flagOfColumn: () => undefined }).message;
    expect(input).toContain('(inputs)');
  });

  it('keeps a case-only near miss for a missing column', () => {
    const e = new ArrowReadError('MISSING_COLUMN', "no column 'Epoch'", {
      column: 'Epoch',
      hint: "Did you mean 'epoch'? Column names are case-sensitive.",
    });
    const f = describeFailure(e, { command: 'eval', flagOfColumn: () => '--by' });
    expect(f.message).toContain("Did you mean 'epoch'?");
    expect(f.message).not.toContain('Pass --by');
  });
});
