// Decode-only speed of the vendored ZSTD decompressor (vendor/zstd) on every ZSTD page of a Parquet
// file, and whether other builds of it decode each page to the same bytes.
//   node bench/zstdPages.bench.mjs FILE.parquet [OTHER.wasm ...] [--repeats N]
// The first decoder is the one built into dist (run `pnpm build` first); each .wasm given (a
// vendor/zstd/build.sh output, e.g. before and after a change) is compared with it: every page's
// output byte for byte, then interleaved repeats of decoding all pages (CPU time and wall time,
// medians). Pages are decompressed in place as ZstdPages does (frames at the end of the output).
// Benchmarks measure; they never assert.
import { readFileSync } from 'node:fs';
import { parquetMetadata } from 'hyparquet';
import { ZSTD_WASM_BASE64 } from '../dist/parquet/fast/zstdWasm.js';

// hyparquet's Thrift reader (not among its exports): page headers are Thrift compact structs.
const { deserializeTCompactProtocol } = await import(
  new URL('src/thrift.js', import.meta.resolve('hyparquet').replace(/src\/[^/]+$/, '')).href
);

const args = process.argv.slice(2);
const repeatsAt = args.indexOf('--repeats');
const repeats = repeatsAt >= 0 ? Number(args.splice(repeatsAt, 2)[1]) : 5; // 0: only compare
const [file, ...wasmFiles] = args;
if (file === undefined) {
  console.error('usage: node bench/zstdPages.bench.mjs FILE.parquet [OTHER.wasm ...] [--repeats N]');
  process.exit(2);
}

const bytes = readFileSync(file);
const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
/** Every ZSTD-compressed part of a page: `{ input, size }` (V2 pages keep their levels plain). */
const pages = [];
for (const group of meta.row_groups) {
  for (const column of group.columns) {
    const m = column.meta_data;
    if (m === undefined || m.codec !== 'ZSTD') continue;
    const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
    const end = start + Number(m.total_compressed_size);
    let at = start;
    while (at < end) {
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset), offset: at };
      const header = deserializeTCompactProtocol(reader);
      const compressed = header.field_3;
      let size = header.field_2;
      let from = reader.offset;
      const v2 = header.field_8;
      if (v2 !== undefined) {
        // Levels first, never compressed; is_compressed (field 7) defaults to true.
        const levels = v2.field_5 + v2.field_6;
        from += levels;
        size -= levels;
        if (v2.field_7 === false) size = -1;
      }
      if (size >= 0) pages.push({ input: bytes.subarray(from, reader.offset + compressed), size });
      at = reader.offset + compressed;
    }
  }
}
const totalOut = pages.reduce((s, p) => s + p.size, 0);
const totalIn = pages.reduce((s, p) => s + p.input.length, 0);
console.log(
  `${file}: ${pages.length} ZSTD pages, ${(totalIn / 1e6).toFixed(1)} MB -> ${(totalOut / 1e6).toFixed(1)} MB`,
);

/** A decoder over one instance of `wasm`: `decode(page)` is a view of its memory until the next. */
function decoder(name, wasm) {
  const { memory, decompress, margin, heap } = new WebAssembly.Instance(new WebAssembly.Module(wasm)).exports;
  const start = (heap() + 15) & ~7;
  const decode = ({ input, size }) => {
    let end = start + Math.max(size + 18 + 4 + 3 * Math.ceil(size / 131072) + 131072, input.length);
    grow(end);
    new Uint8Array(memory.buffer).set(input, end - input.length);
    const need = margin(end - input.length, input.length);
    if (need < 0) throw new Error(`${name}: damaged page`);
    if (start + size + need > end) {
      const from = end - input.length;
      end = start + size + need;
      grow(end);
      new Uint8Array(memory.buffer).copyWithin(end - input.length, from, from + input.length);
    }
    const n = decompress(start, end - start, end - input.length, input.length);
    if (n !== size) throw new Error(`${name}: a page decoded to ${n} bytes, not ${size}`);
    return new Uint8Array(memory.buffer, start, size);
  };
  const grow = (bytes) => {
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  };
  return { name, decode };
}

const decoders = [decoder('dist', Buffer.from(ZSTD_WASM_BASE64, 'base64'))];
for (const path of wasmFiles) decoders.push(decoder(path, readFileSync(path)));

// Byte identity: every page through every decoder, compared with the first.
for (const other of decoders.slice(1)) {
  let differ = 0;
  for (const page of pages) {
    const a = Buffer.from(decoders[0].decode(page)); // copied: the next call reuses the memory
    const b = other.decode(page);
    if (Buffer.compare(a, b) !== 0) differ++;
  }
  console.log(`${other.name}: ${differ === 0 ? 'every page identical to dist' : `${differ} pages DIFFER`}`);
}

// Interleaved repeats: dist, other, ..., dist, other, ... so that load on the machine hits each alike.
const samples = decoders.map(() => ({ cpu: [], wall: [] }));
if (repeats > 0) for (const d of decoders) for (const page of pages) d.decode(page); // warm-up
for (let r = 0; r < repeats; r++) {
  decoders.forEach((d, i) => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const page of pages) d.decode(page);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    samples[i].cpu.push((cpu.user + cpu.system) / 1e6);
    samples[i].wall.push(wall);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (repeats > 0)
  console.log(
    `medians of ${repeats} interleaved repeats (GB/s of decompressed output), and the least CPU time:`,
  );
decoders.forEach((d, i) => {
  if (repeats === 0) return;
  const cpu = median(samples[i].cpu);
  const wall = median(samples[i].wall);
  console.log(
    `  ${d.name}: cpu ${cpu.toFixed(3)} s (${(totalOut / cpu / 1e9).toFixed(3)} GB/s), wall ${wall.toFixed(3)} s (${(totalOut / wall / 1e9).toFixed(3)} GB/s); least cpu ${(totalOut / Math.min(...samples[i].cpu) / 1e9).toFixed(3)} GB/s; cpu runs ${samples[i].cpu.map((x) => x.toFixed(2)).join(' ')}`,
  );
});
