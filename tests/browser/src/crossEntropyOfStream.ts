import { batchTensors, readBatches } from '@lossflow/arrow';
import { crossEntropyPartial, finalize, type LossState } from '@lossflow/core';

/**
 * Mean cross-entropy of the `logits` and `target` columns of an Arrow IPC input, through the
 * universal entries only: the browser bundle's entry, and what the test runs in Node to compare.
 *
 * @example
 * const value = await crossEntropyOfStream(fileInput.files[0]);
 */
export async function crossEntropyOfStream(source: Blob | ReadableStream<Uint8Array>): Promise<number> {
  let state: LossState | undefined;
  for await (const batch of readBatches(source)) {
    const { tensors } = batchTensors(batch, { input: 'logits', target: 'target' });
    if (tensors.input === undefined || tensors.target === undefined) throw new Error('missing columns');
    state = crossEntropyPartial(tensors.input, tensors.target, {}, state);
  }
  if (state === undefined) throw new Error('no batches');
  return finalize(state);
}
