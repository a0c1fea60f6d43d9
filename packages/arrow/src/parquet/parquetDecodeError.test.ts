import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { parquetDecodeError } from './parquetDecodeError.js';

describe('parquetDecodeError', () => {
  it('a damaged footer that names a missing codec field is CORRUPT, not an unsupported codec', () => {
    const error = parquetDecodeError(new Error('Required field codec is missing'), 'log.parquet', undefined);
    expect(error).toMatchObject({ code: 'CORRUPT', file: 'log.parquet' });
    expect(error.hint).toMatch(/damaged/);
  });

  it('a feature the decoder lacks is UNSUPPORTED; data that ends early is CORRUPT; both name the row group', () => {
    expect(parquetDecodeError(new Error('Unknown codec LZO'), 'p', 2)).toMatchObject({
      code: 'UNSUPPORTED',
      rowGroup: 2,
    });
    expect(parquetDecodeError('unexpected end of file', 'p', 1)).toMatchObject({
      code: 'CORRUPT',
      rowGroup: 1,
    });
  });

  it('a decoder that does not load is DECODER_UNAVAILABLE naming the module, not a damaged file', () => {
    let missing: unknown;
    try {
      createRequire(import.meta.url)('parquet-wasm-not-installed');
    } catch (e) {
      missing = e;
    }
    const error = parquetDecodeError(missing, 'log.parquet', 0);
    expect(error).toMatchObject({ code: 'DECODER_UNAVAILABLE', file: 'log.parquet', rowGroup: 0 });
    expect(error.message).toMatch(/'parquet-wasm-not-installed' could not be loaded/);
    expect(error.message).not.toMatch(/Require stack/);
    expect(error.hint).toMatch(/Install 'parquet-wasm-not-installed'/);
    expect(error.hint).not.toMatch(/damaged/);
    // As a worker thread reports it (its message only), and as ESM import says it.
    const message = (missing as Error).message;
    expect(parquetDecodeError(message, 'p', undefined).code).toBe('DECODER_UNAVAILABLE');
    expect(
      parquetDecodeError("Cannot find package 'parquet-wasm' imported from /app/bin.js", 'p', undefined),
    ).toMatchObject({ code: 'DECODER_UNAVAILABLE', message: expect.stringMatching(/'parquet-wasm'/) });
    expect(
      parquetDecodeError(new Error('WebAssembly.Module(): Compiling function #3 failed'), 'p', undefined),
    ).toMatchObject({ code: 'DECODER_UNAVAILABLE', message: expect.stringMatching(/'parquet-wasm'/) });
  });

  it('an error already typed keeps its code', () => {
    const truncated = new ArrowReadError('TRUNCATED', 'the footer ends early', { file: 'p' });
    expect(parquetDecodeError(truncated, 'p', undefined)).toBe(truncated);
  });
});
