const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;

/**
 * The bytes of a standard base64 string (padding optional): Node's native decoder where there is
 * one (the loop of {@link decodeBase64Js} runs cold, once per process, and cost ~7 ms of every
 * CLI start on the kernel module), else {@link decodeBase64Js}.
 */
export function decodeBase64(text: string): Uint8Array {
  // A copy: Buffer.from may hand out a view of its shared pool.
  return nodeBuffer === undefined ? decodeBase64Js(text) : new Uint8Array(nodeBuffer.from(text, 'base64'));
}

/**
 * {@link decodeBase64} written out, because `atob` and `Buffer` are not in every runtime the
 * package supports, and the embedded module needs neither.
 */
export function decodeBase64Js(text: string): Uint8Array {
  const lookup = new Uint8Array(128);
  for (let i = 0; i < ALPHABET.length; i++) lookup[ALPHABET.charCodeAt(i)] = i;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const v =
      (lookup[text.charCodeAt(i)]! << 18) |
      (lookup[text.charCodeAt(i + 1)]! << 12) |
      (lookup[text.charCodeAt(i + 2)]! << 6) |
      lookup[text.charCodeAt(i + 3)]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const v = (lookup[text.charCodeAt(i)]! << 18) | (lookup[text.charCodeAt(i + 1)]! << 12);
    const w = rest === 3 ? v | (lookup[text.charCodeAt(i + 2)]! << 6) : v;
    out[o++] = w >> 16;
    if (rest === 3) out[o++] = (w >> 8) & 255;
  }
  return out;
}
