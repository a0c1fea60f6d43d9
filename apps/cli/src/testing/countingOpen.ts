import { readFile as readBatches } from '@lossflow/arrow/node';
import type { OpenBatches } from '../eval/LogFiles.js';

/**
 * A file opener that counts the files read (iterated, not merely opened for their schema), the
 * batches pulled and the columns asked for, to prove a file is read once.
 */
export function countingOpen(): {
  open: OpenBatches;
  opens: string[];
  batches: () => number;
  columns: (readonly string[] | undefined)[];
} {
  const opens: string[] = [];
  const columns: (readonly string[] | undefined)[] = [];
  let batches = 0;
  const open: OpenBatches = (file, options) => {
    const reader = readBatches(file, options);
    return {
      get progress() {
        return reader.progress;
      },
      schema: () => reader.schema(),
      close: () => reader.close(),
      async *[Symbol.asyncIterator]() {
        opens.push(file);
        columns.push(options.columns);
        for await (const batch of reader) {
          batches++;
          yield batch;
        }
      },
    };
  };
  return { open, opens, batches: () => batches, columns };
}
