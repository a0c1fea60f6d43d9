/* A Zstandard frame decompressor for Parquet pages, for wasm32 without a libc: one static
 * decompression context, no allocation; JS puts the input and output in this module's memory. */
#include "zstddeclib.c"

/* The context lives in static memory: ZSTD_initStaticDCtx never allocates. */
static unsigned char workspace[1 << 18];
static ZSTD_DCtx *context;

/* Never called (the context is static, one-shot decompression needs no window buffer), but the
 * library refers to them. */
void *malloc(size_t n) { (void)n; return 0; }
void *calloc(size_t n, size_t s) { (void)n; (void)s; return 0; }
void free(void *p) { (void)p; }

/* Lowered to memory.copy / memory.fill by -mbulk-memory. */
void *memcpy(void *d, const void *s, size_t n) { __builtin_memcpy(d, s, n); return d; }
void *memmove(void *d, const void *s, size_t n) { __builtin_memmove(d, s, n); return d; }
void *memset(void *p, int v, size_t n) { __builtin_memset(p, v, n); return p; }

/* The decompressed size, or -1 when the frames are damaged or do not fit in `capacity`. */
__attribute__((export_name("decompress")))
int decompress(void *output, size_t capacity, const void *input, size_t length) {
  if (context == 0) context = ZSTD_initStaticDCtx(workspace, sizeof workspace);
  if (context == 0) return -2;
  size_t n = ZSTD_decompressDCtx(context, output, capacity, input, length);
  return ZSTD_isError(n) ? -1 : (int)n;
}

/* The room zstd needs past a page's decompressed size to decompress it in place (the compressed
 * frames at the end of the output buffer, so a thread holds one page-sized buffer, not two), or -1
 * when the frames are damaged. */
__attribute__((export_name("margin")))
int margin(const void *input, size_t length) {
  size_t n = ZSTD_decompressionMargin(input, length);
  return ZSTD_isError(n) ? -1 : (int)n;
}

/* Where free memory starts: input and output go from here on. */
extern unsigned char __heap_base;
__attribute__((export_name("heap"))) size_t heap(void) { return (size_t)&__heap_base; }
