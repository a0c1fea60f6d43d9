import { describe, expect, it } from 'vitest';
import { pageHint } from './pageHint.js';
import type { ErrorData } from './workerMessages.js';

const base: ErrorData = {
  name: 'ArrowReadError',
  code: undefined,
  message: '',
  hint: undefined,
  loss: undefined,
  file: undefined,
  batch: undefined,
  row: undefined,
  column: undefined,
  detail: undefined,
};

describe('pageHint', () => {
  it("names the CLI's flag for a stream without its end-of-stream marker", () => {
    const hint = pageHint({ ...base, code: 'TRUNCATED', hint: 'If … pass allowMissingEndOfStream: true.' });
    expect(hint).toContain('lossflow eval --allow-missing-end-of-stream');
    expect(hint).not.toContain('allowMissingEndOfStream');
  });

  it("names the CLI's flag for a null", () => {
    const hint = pageHint({ ...base, code: 'NULL_VALUE', hint: "… or pass nulls: 'skip' …" });
    expect(hint).toContain('lossflow eval --nulls skip');
    expect(hint).not.toContain("nulls: 'skip'");
  });

  it("keeps any other hint, a cut-off file's included", () => {
    expect(pageHint({ ...base, code: 'TRUNCATED', hint: 'Copy it again.' })).toBe('Copy it again.');
    expect(pageHint({ ...base, code: 'MISSING_COLUMN', hint: 'Did you mean epoch?' })).toBe(
      'Did you mean epoch?',
    );
    expect(pageHint(base)).toBeUndefined();
  });

  it("gives a damaged file's error without a hint the CLI's fix", () => {
    expect(pageHint({ ...base, code: 'CORRUPT' })).toBe(
      'The bytes are damaged: write or copy the file again.',
    );
    expect(pageHint({ ...base, code: 'CORRUPT', hint: 'Export it again.' })).toBe('Export it again.');
    expect(pageHint({ ...base, name: 'LossError', code: 'CORRUPT' })).toBeUndefined();
  });
});
