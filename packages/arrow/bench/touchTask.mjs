// The task of read.bench.mjs's block-reader rows: touches every logit and target of a batch.
import { touchTensors } from './touchTensors.mjs';

let columns;

export function setup(data) {
  columns = data.columns;
}

export function run(batch) {
  const { tensors, rows } = batch.tensors(columns, { nulls: 'error' });
  return { rows, ...touchTensors(tensors) };
}
