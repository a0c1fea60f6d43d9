// The task of read.bench.mjs's block-reader rows: sums every logit and target of a batch through
// its tensor views (the least work a loss does), as readAndTouch does for readBatches.
let columns;

export function setup(data) {
  columns = data.columns;
}

export function run(batch) {
  const { tensors, rows } = batch.tensors(columns, { nulls: 'error' });
  const x = tensors.input.data;
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
  return { rows, sum: a0 + a1 + a2 + a3, targets };
}
