import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './decodeBase64.js';

describe('decodeBase64', () => {
  it('decodes every length and padding as Node does', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 255);
      const text = Buffer.from(bytes).toString('base64');
      expect(decodeBase64(text)).toEqual(bytes);
      expect(decodeBase64(text.replace(/=+$/, ''))).toEqual(bytes);
    }
  });
});
