import { describe, expect, it } from 'vitest';
import { detectFormat } from './detectFormat.js';

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);

describe('detectFormat', () => {
  it('recognises the three magic numbers', () => {
    expect(detectFormat(text('PAR1\u0015\u0004'))).toBe('parquet');
    expect(detectFormat(text('ARROW1\u0000\u0000'))).toBe('arrow-file');
    expect(detectFormat(bytes(0xff, 0xff, 0xff, 0xff, 0x10, 0x01, 0, 0))).toBe('arrow-stream');
  });

  it('recognises nothing else, and too few bytes', () => {
    expect(detectFormat(text('a,b,c\n1,2,3'))).toBeUndefined();
    expect(detectFormat(text('{"x":1}'))).toBeUndefined();
    expect(detectFormat(bytes(0x10, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff))).toBeUndefined();
    expect(detectFormat(text('PAR'))).toBeUndefined();
    expect(detectFormat(bytes())).toBeUndefined();
  });
});
