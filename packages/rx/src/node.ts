// `@lossflow/rx/node`: what needs Node — files by path and worker threads. Everything else is in
// the universal root, `@lossflow/rx`.
export { FileBatches } from './sources/FileBatches.js';
export { type FromFileOptions, fromFile } from './sources/fromFile.js';
export { prestartLossWorkers } from './threads/prestartLossWorkers.js';
