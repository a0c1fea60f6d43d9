import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { snappyCompress } from 'hysnappy';
import { describe, expect, it } from 'vitest';
import { PageCorruption } from './PageCorruption.js';
import { SnappyPages } from './SnappyPages.js';
import { SNAPPY_WASM_BASE64 } from './snappyWasm.js';

describe('SnappyPages', () => {
  it('embeds the decompressor hysnappy publishes', async () => {
    const source = await readFile(
      createRequire(import.meta.url).resolve('hysnappy/js/uncompress.js'),
      'utf8',
    );
    expect(source).toContain(`const wasm64 = '${SNAPPY_WASM_BASE64}'`);
  });

  it('decompresses page after page into one reused memory, and refuses a wrong size or a damaged stream', () => {
    const snappy = new SnappyPages();
    const small = new Uint8Array(1000).map((_, i) => i % 7);
    const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
    const a = snappy.decompress(snappyCompress(small), small.length);
    expect([...a]).toEqual([...small]);
    const b = snappy.decompress(snappyCompress(big), big.length);
    expect(b.every((v, i) => v === big[i])).toBe(true);
    const c = snappy.decompress(snappyCompress(small), small.length);
    expect(c.buffer).toBe(b.buffer); // the same memory, grown once
    expect(() => snappy.decompress(snappyCompress(small), small.length + 1)).toThrow(PageCorruption);
    const damaged = snappyCompress(big).slice(0, 100);
    expect(() => snappy.decompress(damaged, big.length)).toThrow(PageCorruption);
  });
});
