// Baselines: the least work a loss over the same arrays could do — read and sum every value once,
// the read ceiling of JS on this machine. One monomorphic loop per array type, as the kernels are:
// give each function only the array type in its name.

/** Σ a[i] over a Float32Array. */
export function sumFloat32(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Σ a[i] over an Int32Array. */
export function sumInt32(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
