#!/bin/sh
# Builds zstd's decompressor to wasm32 with Debian's clang and lld (apt-get install clang lld), no
# libc and no emscripten, and writes it as base64 into src/parquet/fast/zstdWasm.ts.
#   ZSTD_SRC=/path/to/zstd/checkout sh vendor/zstd/build.sh    (from packages/arrow)
# Built from facebook/zstd commit 2dddf0905619b70c25faeca7f1a39601dc97616f (1.5.7 development,
# the single-file decoder amalgamation) with Debian clang 14.0.6, patched (below).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
: "${ZSTD_SRC:?set ZSTD_SRC to a zstd source checkout}"
# A copy of the sources, patched: wasm32-bit-containers.patch gives wasm32 (32-bit size_t, native
# 64-bit integers) zstd's 64-bit bitstream containers and so its fast 4-stream Huffman loops, which
# decode most of a page of float values (about 1.45x faster on DuckDB's ZSTD pages of float32
# logits than zstd as it is on wasm32, where size_t and so the containers are 32 bits).
mkdir -p "$out/zstd/build"
cp -R "$ZSTD_SRC/lib" "$out/zstd/lib"
cp -R "$ZSTD_SRC/build/single_file_libs" "$out/zstd/build/single_file_libs"
patch -s -p1 -d "$out/zstd" <"$here/wasm32-bit-containers.patch"
(cd "$out/zstd/build/single_file_libs" &&
  python3 combine.py -r ../../lib -x legacy/zstd_legacy.h -o "$out/zstddeclib.c" zstddeclib-in.c)
# Bulk memory: memcpy/memset become memory.copy/memory.fill (every current engine has them).
clang --target=wasm32 -O3 -nostdlib -ffreestanding -mbulk-memory -msign-ext -mnontrapping-fptoint \
  -DNDEBUG -I"$here/include" -I"$out" \
  -Wl,--no-entry -Wl,--strip-all -Wl,--gc-sections \
  -o "$out/zstd_pages.wasm" "$here/zstd_pages.c"
license=$(sed 's/^/ * /; s/ *$//' "$here/LICENSE")
cat >"$here/../../src/parquet/fast/zstdWasm.ts" <<TS
/**
 * The Zstandard decompressor of zstd (https://github.com/facebook/zstd), compiled to WebAssembly
 * by vendor/zstd/build.sh (no libc, no imports, one static decompression context; 64-bit bit
 * containers on wasm32 by vendor/zstd/wasm32-bit-containers.patch), as base64.
 * Vendored so that pages decompress into one reused memory, as the Snappy ones do.
 *
 * zstd is used under its BSD licence (kept in bundles as a legal comment):
 *
 * @license BSD-3-Clause
 *
$license
 */
export const ZSTD_WASM_BASE64 =
  '$(base64 -w0 "$out/zstd_pages.wasm")';
TS
