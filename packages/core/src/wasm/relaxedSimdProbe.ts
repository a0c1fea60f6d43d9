/**
 * The smallest module that uses a relaxed-SIMD instruction: one function returning
 * `f32x4.relaxed_madd` of three zero vectors. `WebAssembly.validate` accepts it exactly where the
 * engine has relaxed SIMD (V8 from Node 22, not Node 20 without `--experimental-wasm-relaxed-simd`),
 * which is cheaper to ask than validating the whole relaxed kernel module.
 */
function probeBytes(): Uint8Array {
  const zero = new Array<number>(16).fill(0);
  const v128Const = [0xfd, 0x0c, ...zero];
  // locals: none; three v128.const; f32x4.relaxed_madd (0xfd 0x105, LEB128 0x85 0x02); end.
  const body = [0x00, ...v128Const, ...v128Const, ...v128Const, 0xfd, 0x85, 0x02, 0x0b];
  const code = [0x01, body.length, ...body];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // type section: () -> v128
    ...[0x03, 0x02, 0x01, 0x00], // function section: one function of type 0
    ...[0x0a, code.length, ...code], // code section
  ]);
}

/** Whether this engine validates relaxed-SIMD instructions (judged by a tiny module, once per call). */
export function relaxedSimdSupported(): boolean {
  const wasm = (globalThis as { WebAssembly?: { validate(code: Uint8Array): boolean } }).WebAssembly;
  try {
    return wasm?.validate(probeBytes()) === true;
  } catch {
    return false;
  }
}
