import { describe, expect, it } from 'vitest';
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
});
