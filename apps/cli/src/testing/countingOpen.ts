import { readBatches } from '@lossflow/arrow';
import type { OpenBatches } from '../batchSource.js';

/** A file opener that counts the files opened and the batches pulled, to prove a file is read once. */
export function countingOpen(): { open: OpenBatches; opens: string[]; batches: () => number } {
  const opens: string[] = [];
  let batches = 0;
  const open: OpenBatches = (file, options) => {
    opens.push(file);
    const reader = readBatches(file, options);
    return {
      get progress() {
        return reader.progress;
      },
      close: () => reader.close(),
      async *[Symbol.asyncIterator]() {
        for await (const batch of reader) {
          batches++;
          yield batch;
        }
      },
    };
  };
  return { open, opens, batches: () => batches };
}
