import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeBase64Js } from './decodeBase64.js';

describe('decodeBase64', () => {
  it('decodes every length and padding as Node does', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 255);
      const text = Buffer.from(bytes).toString('base64');
      for (const decode of [decodeBase64, decodeBase64Js]) {
        expect(decode(text)).toEqual(bytes);
        expect(decode(text.replace(/=+$/, ''))).toEqual(bytes);
      }
    }
  });

  it('gives a Uint8Array of its own (no view of a shared pool)', () => {
    const bytes = decodeBase64('AAECAw==');
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(4);
  });
});
