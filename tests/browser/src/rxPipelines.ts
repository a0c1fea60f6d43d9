import {
  type BytesSource,
  crossEntropy,
  fromBytes,
  type GroupValue,
  reduce,
  reduceGroups,
} from '@lossflow/rx';
import { lastValueFrom, toArray } from 'rxjs';

/**
 * Mean cross-entropy (targets `-100` ignored) of the `logits` and `target` columns of an Arrow IPC
 * input, as an `@lossflow/rx` pipeline through the universal root only: the rx browser bundle's
 * entry, and what the test runs in Node from bytes to compare.
 *
 * @example
 * const value = await rxMeanOf(fileInput.files[0]);
 */
export function rxMeanOf(source: BytesSource): Promise<number> {
  return lastValueFrom(fromBytes(source).pipe(crossEntropy({ ignoreIndex: -100 }), reduce('mean')));
}

/**
 * The same cross-entropy by `epoch`, one mean per epoch in the order the epochs first appear.
 *
 * @example
 * for (const { key, value } of await rxEpochMeansOf(blob)) console.log(`epoch ${key}: ${value}`);
 */
export function rxEpochMeansOf(source: BytesSource): Promise<GroupValue[]> {
  return lastValueFrom(
    fromBytes(source).pipe(crossEntropy({ ignoreIndex: -100, by: 'epoch' }), reduceGroups('mean'), toArray()),
  );
}
