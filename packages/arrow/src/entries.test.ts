import { describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as node from './node.js';
import * as prestart from './prestart.js';
import * as worker from './worker.js';

describe('the entries of @lossflow/arrow', () => {
  it('the root keeps the universal API and leaves files, threads and writers to /node', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'ArrowReadError',
        'DEFAULT_INPUT_COLUMNS',
        'DEFAULT_TARGET_COLUMNS',
        'MAX_THREADS',
        'batchTensors',
        'blobReadFailure',
        'columnTensor',
        'describeSchema',
        'detectFormat',
        'RANGE_BYTES',
        'ipcBatchPlans',
        'rangeRows',
        'readBatches',
        'readTensors',
        'resolveColumns',
        'rowShapes',
        'scanIpcFile',
        'scanIpcStream',
        'tensorLayout',
        'trainingLogBatches',
        'trainingLogSchema',
      ].sort(),
    );
    expect(Object.keys(node).sort()).toEqual(
      [
        'endWaitingWorkers',
        'fileParts',
        'machineTag',
        'mapBatchesInWorkers',
        'PAGE_MEMORY_BUDGET',
        'processAlive',
        'PART_BYTES',
        'parquetChunkReport',
        'prestartWorkers',
        'readFile',
        'readFileTensors',
        'removeRegularFile',
        'writeIpcFile',
        'writeIpcStream',
        'writeParquet',
        'writeTrainingLog',
      ].sort(),
    );
    // The queue's own functions (takeWorker, parkWorker, …) stay the pool's.
    expect(Object.keys(prestart).sort()).toEqual([
      'MAX_THREADS',
      'endWaitingWorkers',
      'prestartWorkers',
      'traceMark',
      'tracing',
    ]);
    expect(Object.keys(worker).sort()).toEqual([
      'ArrowReadError',
      'IoRegionBatch',
      'rebaseListOffsets',
      'regionRun',
      'registerErrorCodec',
    ]);
  });
});
