import { LossError, type Tensor } from '@lossflow/core';
import type { LossChunk, RowShapes } from './LossChunk.js';

/**
 * The row shape (the shape without dimension 0) of each role's column in a batch, by column name:
 * `{ logits: [3], label: [] }`. Plain data, so a worker thread can post it.
 *
 * @example
 * rowShapesOf(['input', 'target'], { input: 'logits', target: 'label' }, tensors);
 */
export function rowShapesOf(
  roles: readonly string[],
  columns: Readonly<Record<string, string>>,
  tensors: Readonly<Record<string, Tensor>>,
): RowShapes {
  const shapes: Record<string, readonly number[]> = {};
  for (const role of roles) {
    const column = columns[role];
    const t = tensors[role];
    if (column !== undefined && t !== undefined) shapes[column] = t.shape.slice(1);
  }
  return shapes;
}

/**
 * Checks that the row shape of every column stays the one of the stream's first batch with rows:
 * a `List<Float32>` logits column of 3 values per row in one batch and 2 in the next (or in the
 * next row group, or the next file of a concatenated stream) would otherwise merge into a blended
 * value. One per subscription (of a loss operator, of each reduction). Chunks without
 * `rowShapes` (batches without rows) neither set nor check the shape.
 */
export class RowShapeCheck {
  readonly #first = new Map<string, { shape: readonly number[]; batch: number; file: string | undefined }>();

  /**
   * Throws `SHAPE_CHANGED` naming the loss, column, batch (and file) where a row shape changed,
   * the batch the earlier shape was first seen in (`firstBatch`), and both shapes.
   */
  check(chunk: LossChunk): void {
    const shapes = chunk.rowShapes;
    if (shapes === undefined) return;
    for (const column in shapes) {
      const shape = shapes[column]!;
      const seen = this.#first.get(column);
      if (seen === undefined) {
        this.#first.set(column, { shape, batch: chunk.batch, file: chunk.file });
        continue;
      }
      if (sameShape(seen.shape, shape)) continue;
      // Where each shape was seen is context (batch, file, firstBatch, firstFile), not detail, so
      // a layer that numbers batches differently (the CLI, across files) can name them its way.
      throw new LossError(
        'SHAPE_CHANGED',
        `the rows of column '${column}' have shape [${shape.join(', ')}] but [${seen.shape.join(', ')}] in the batches before`,
        {
          loss: chunk.loss,
          column,
          batch: chunk.batch,
          firstBatch: seen.batch,
          ...(chunk.file === undefined ? {} : { file: chunk.file }),
          ...(seen.file === undefined ? {} : { firstFile: seen.file }),
          hint: 'Every batch, row group and file of one evaluation must have the same row shape (e.g. the same number of classes): evaluate logs of different shapes separately.',
        },
      );
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
