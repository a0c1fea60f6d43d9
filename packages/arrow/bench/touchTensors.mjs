/**
 * Sums every logit and target of a batch's tensors: the least work a loss does, for the read
 * benchmark's readBatches rows and its block-reader task alike.
 */
export function touchTensors(tensors) {
  const x = tensors.input.data;
  // Four accumulators, as a loss kernel would, so the sum is not one long dependency chain.
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const n = x.length & ~3;
  for (let i = 0; i < n; i += 4) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
  }
  for (let i = n; i < x.length; i++) a0 += x[i];
  let targets = 0;
  const t = tensors.target.data;
  for (let i = 0; i < t.length; i++) targets += Number(t[i]);
  return { sum: a0 + a1 + a2 + a3, targets };
}
