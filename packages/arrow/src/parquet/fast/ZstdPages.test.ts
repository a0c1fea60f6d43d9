import { describe, expect, it } from 'vitest';
import { PageCorruption } from './PageCorruption.js';
import { ZstdPages } from './ZstdPages.js';
import { ZSTD_WASM_BASE64 } from './zstdWasm.js';

// Frames written by the zstd 1.5 command line (with content checksums): 1000 bytes i % 7
// (level 19), and 300,000 bytes ((i * 31) % 251) ^ ((i >> 9) % 3) (level 3).
const SMALL = 'KLUv/WToAnUAADgAAQIDBAUGAQDeVRUj5KSE6A==';
const BIG =
  'KLUv/aTgkwQAtCIAFC8AHz5dfJu62fgcO1p5mLfW9Rk4V3aVtNPyFjVUc5Kx0O8TMlFwj67N7BAvTm2Mq8rpDSxLaomox+YKKUhnhqXE4wcmRWSDosHgBCNCYYCfvt0BID9efZy72vkdPFt6mbjX9ho5WHeWtdTzFzZVdJOy0fAUM1JxkK/O7REwT26NrMvqDi1Ma4qpyOcLKkloh6bF5AgnRmWEo8LhBSRDYoGgv94CIUBffp282/oePVx7mrnY9xs6WXiXttX0GDdWdZSz0vEVNFNykbDP7hIxUG+OrczrDy5NbIuqyegMK0ppiKfG5QkoR2aFpMPiBiVEY4KhwN8DIkFgf5693DpbeJm21/QYOVZ3lLXS8xc0VXKTsNHuEjNQcY6vzO0RLk9sjarL6AwtSmuIqcbnCyhJZoekxeIGJ0RlgqPA4QUiQ2CBnr/cACE+X3ydutv4HD1ae5i51vcbOFl2l7TV8hY3VHWSs9DxFTJTcJGuz+wQMU5vjK3K6w8sTWqLqMnmCitIaYanxOUJJkdkhaLD4AQlQmOAob7fAyBBXn+cvdr7Hzxdepu42fYaO1h5lrfU9Rk2V3SVstPwFDVSc5Cxzu8TMFFuj6zN6g4vTG2Kq8jpDSpLaImmx+QIKUZnhKXC4wckRWKDoMHeAiNAYX6fvN0BHj9cfZq72PkddJe20fAUN1ZxkLPS7REwU3KNrM/uEi1Mb46pyOsPLkloi6rF5AgrSmWEp8bhBSRHZoGgw+IGIUBjgp283wMiPVx/nrnY+x8+WXibutX0GDtadZS31vEVNFd2kbDT8hYxUHOSrczvEzJNbI+uyegML05piKvK5QkoS2qFpMfmCiVEZ4ahwOMHJkFgg6K93AAjQl18n77Z+Bw/XnmYu9r1GThbepW01/YaNVR3lrHQ8xc2UXCTss3sEDNSbYyvzukNLE9uiajL6g4pSGuKpcTnCypFZIemweAEJ0ZhgKPC3QEgQ2J9nL/eAh08X36ZuNv6HjlYe5q11PcbOlWB/ajh7/+fAfFrrQES+P8XGPzPH999991333333Xfffffd77777rvvvvvuu+++8933vvvuu+++++6777777rvffffdd9999913vvvuu+99991333333Xfffffdd7/77rvvvvvOd99999133/vuu+++++6777777rvvfvfdd9/57rvvvvvuu+++991333333Xfffffdd9/97jvffffdd9999913333vu+++++6777777rvvvvO777777rvvvvvuu++++95333333Xfffffdd7777nfffffdd99999133333ve++++677777znfffffd77777rvvvvvuu+++++5733333Xff+e6777777rvffffdd999991333333fe+++4733333Xfffffdd7/77rvvvvvuu+++++67733nu+++++6777777rvvfvfdd999991333333Xfy7/IGe4HVXmBT7QX8bLUK3BoABCAoSWaBn77b+Bg7VXSRrsnoCypHZIOivNv2GjVUcpGszeoOKEdig5y/2fgYOVZxj67L6AgrRWSBnrnY9ho3VHOSrMvmCiVEYoGcvdr1GDdSc4yvyegIKUZhf5672PcbNVRxjqnI5gonRGOCnLvW9xU0UnGMrcrlCCdCY3yfudj1GTZRb46ryOcLJURhfpm41vUXNFNyjKvG5wUkQmF8nbrV8xcyU2yPqcjlCSZBX36buNf2FTRRbomoxuUHJENifJu21/AUMlFsjarF4wciQ1x/mbjV8hYxT26LqMfmBSRBXnmYttXwFDNSbIumx+AEIkFcfZq10/ISM0xviajF4gYhP157mLfW8BQxTmmIpsXgBCNCXHuWt9DzEjFMbYqlw+ICIzxfeZi10u0RL05riKfG4AQhPll4lrXQ8RMyTGuGp8DjAiE8XXqVs9LvEyxPaYilwt0BHz5beJe20O8RLklohqXA4QMiPFt2l7DT7REsTWqFo8LfAxw/WXiVss3sDy5LaIemwN8BHjlYdpWw0e4SLEtmh6DD3QEcPVp1k7LP7AwvSWiFor3c+h47WHeWsM/qDilIZoWgwd4CHDtWd5CzzewMLUplg6K/3PsfOVh1kq3M6g4rSGeGoL/a+xk4VnWQsc7pDCtGZ4Cjvdz5HTpVc5KvzOsPKUhlgp282vkbOIEQqFEEftH37wES+P83EfzPH/v7+/v7+/v7+/f37d/f39/f37+/v79v//7+/v79/f39/X37+/fv7+/v7+/v79u/f39/f39/f3///v39/fv7+/v79/f37+/v39/fv7+/v79/f39///39/f39/f37+/f37+/v7+/v77+/v7+/f39/f//+/v39/f39+/v39/f37+/v7+/fv7+/v79/f3///v7+/f39/f379/f39/f37+/v37+/v7+/v79///7+/v39/f39/fv79/f37+/v79/f39+/v79/f//+/v7+/v7+/f339/f39/f39/ff37+/v7+/v79/f3///v39/f39+/v7+/v37+/v39/f39/f399///7+/v7+/v7+/v339wk8QJIexi/robizHk5H6yExtR7WXuuhqbYeXnbrISK4HuaN66GauR5upeshE7se9rzroYu8Hn7U6yEE/lMBAUUHADQJWld2kK/K6wkoRmWAob7Z9xs2V3CTrczpDSpFY4KfvNv6GThVco2syukLKEdmgJ+62/QYNlVwka7J5wsmR2CDnbzZ9ho1U3KPrMvqCShFYn2cutn0GDdWcI+qy+QIJkVggZ651/YWN1BzjazJ5golQ2J/nLva9Bg1Um2MqsnkCCdGYH+au9T3FjVQcY6px+YGJ0BjSpQQED8ALN37+/v7+/v7+/v7+/v7+/v39/f39/f39/f39/f39/f37+/v7+/v7+/v7+/v7+/v79/f39/f39/f39/f39/f39+/v7+/v7+/v78f9UHZ02Xl';
const small = new Uint8Array(1000).map((_, i) => i % 7);
const big = new Uint8Array(300_000).map((_, i) => ((i * 31) % 251) ^ ((i >> 9) % 3));
interface WasmModule {
  new (code: Uint8Array): object;
  imports(module: object): { name: string }[];
  exports(module: object): { name: string }[];
}
const bytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

/**
 * A zstd frame of raw (stored) blocks holding `data`: compressed as large as the data, the worst
 * case for decompressing in place.
 */
function rawFrame(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 131_072));
  const frame = new Uint8Array(9 + 3 * blocks + data.length);
  // Magic, a single-segment header with a 4-byte content size.
  frame.set([0x28, 0xb5, 0x2f, 0xfd, 0xa0]);
  new DataView(frame.buffer).setUint32(5, data.length, true);
  let at = 9;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * 131_072, (b + 1) * 131_072);
    const header = (part.length << 3) | (b === blocks - 1 ? 1 : 0);
    frame.set([header & 0xff, (header >> 8) & 0xff, header >> 16], at);
    frame.set(part, at + 3);
    at += 3 + part.length;
  }
  return frame;
}

/** A skippable frame of `n` bytes of content (zstd skips it; it widens the in-place margin). */
function skippableFrame(n: number): Uint8Array {
  const frame = new Uint8Array(8 + n).fill(0x55);
  frame.set([0x50, 0x2a, 0x4d, 0x18]);
  new DataView(frame.buffer).setUint32(4, n, true);
  return frame;
}

describe('ZstdPages', () => {
  it('embeds a decompressor that needs no imports (it runs in browsers as in Node)', () => {
    // Typed here: the package has no DOM types.
    const { Module } = (globalThis as unknown as { WebAssembly: { Module: WasmModule } }).WebAssembly;
    const module = new Module(bytes(ZSTD_WASM_BASE64));
    expect(Module.imports(module)).toEqual([]);
    expect(
      Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['decompress', 'heap', 'margin', 'memory']);
  });

  it('decompresses page after page into one reused memory, concatenated frames too', () => {
    const zstd = new ZstdPages();
    const a = zstd.decompress(bytes(SMALL), small.length);
    expect([...a]).toEqual([...small]);
    const b = zstd.decompress(bytes(BIG), big.length);
    expect(b.every((v, i) => v === big[i])).toBe(true);
    expect(b.byteOffset % 8).toBe(0);
    const two = new Uint8Array([...bytes(SMALL), ...bytes(SMALL)]);
    const c = zstd.decompress(two, 2 * small.length);
    expect(c.buffer).toBe(b.buffer); // the same memory, grown once
    expect(c.every((v, i) => v === small[i % small.length])).toBe(true);
  });

  it('refuses a page of another size than its header says, a damaged frame and a cut one', () => {
    const zstd = new ZstdPages();
    expect(() => zstd.decompress(bytes(SMALL), small.length + 1)).toThrow(PageCorruption);
    expect(() => zstd.decompress(bytes(SMALL), small.length - 1)).toThrow(PageCorruption);
    expect(() => zstd.decompress(bytes(BIG).subarray(0, 1000), big.length)).toThrow(PageCorruption);
    const flipped = bytes(BIG);
    flipped[flipped.length - 2]! ^= 0x10; // the checksum
    expect(() => zstd.decompress(flipped, big.length)).toThrow(PageCorruption);
    expect(() => zstd.decompress(new Uint8Array(0), 8)).toThrow(PageCorruption);
    expect(() => zstd.decompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 8)).toThrow(PageCorruption);
    // Still decodes after the failures.
    expect([...zstd.decompress(bytes(SMALL), small.length)]).toEqual([...small]);
  });

  it('decompresses in place: a stored page needs one page of memory plus the margin, not two pages', () => {
    const data = new Uint8Array(1_000_000).map((_, i) => (i * 2_654_435_761) >>> 24);
    const frame = rawFrame(data);
    const zstd = new ZstdPages();
    const page = zstd.readAndDecompress(
      (into) => {
        into.set(frame);
        return frame.length;
      },
      frame.length,
      data.length,
    );
    expect(page.every((v, i) => v === data[i])).toBe(true);
    // Input and output side by side would need 2 MB; in place it is the page, zstd's margin of
    // one 128 KiB block and the module's own memory, rounded up to 64 KiB pages.
    expect(page.buffer.byteLength).toBeLessThan(page.byteOffset + data.length + 131_072 + 2 * 65_536);
  });

  it('moves the frames further along when they need more margin than one frame (a skippable frame)', () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 40_503) >>> 8);
    const parts = [rawFrame(data), skippableFrame(200_000), bytes(SMALL)];
    const input = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      input.set(part, at);
      at += part.length;
    }
    const zstd = new ZstdPages();
    const page = zstd.decompress(input, data.length + small.length);
    expect(page.subarray(0, data.length).every((v, i) => v === data[i])).toBe(true);
    expect([...page.subarray(data.length)]).toEqual([...small]);
  });
});
