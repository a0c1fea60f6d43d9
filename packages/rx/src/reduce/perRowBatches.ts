import { LossError } from '@lossflow/core';
import { Field, Float32, Float64, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { map, type OperatorFunction } from 'rxjs';
import type { LossChunk } from '../chunks/LossChunk.js';

/**
 * Per-row losses as record batches: the chosen key columns of the source batch (zero-copy) plus a
 * float column `column` (default `'loss'`), ready for `@lossflow/arrow`'s `writeIpcStream`. The loss
 * operator must run with `perRow: true`, and its per-row loss must be one number per row.
 *
 * @example
 * import { writeIpcStream } from '@lossflow/arrow/node';
 * import { crossEntropy, perRowBatches } from '@lossflow/rx';
 * import { fromFile } from '@lossflow/rx/node';
 * import { concatMap } from 'rxjs';
 *
 * const writer = writeIpcStream('losses.arrows');
 * fromFile('log.arrow')
 *   .pipe(crossEntropy({ perRow: true }), perRowBatches(['epoch', 'step']), concatMap((b) => writer.write(b)))
 *   .subscribe({ complete: () => writer.close() });
 */
export function perRowBatches(
  keys: readonly string[] = [],
  column = 'loss',
): OperatorFunction<LossChunk, RecordBatch> {
  return map((chunk) => {
    const fail = (detail: string, hint: string): never => {
      throw new LossError('INVALID_OPTION', detail, { loss: chunk.loss, batch: chunk.batch, hint });
    };
    const losses =
      chunk.perRow ?? fail('per-row losses were not computed', 'Pass `perRow: true` to the loss operator.');
    if (losses.shape.length !== 1)
      fail(
        `per-row losses have shape [${losses.shape.join(', ')}], not one value per row`,
        'Use a loss whose unreduced output has one value per row.',
      );
    if (chunk.skipped > 0)
      fail(
        `${chunk.skipped} rows were skipped for nulls, so losses no longer line up with the key columns`,
        "Use `nulls: 'error'` when writing per-row losses.",
      );
    // Per-row output is never computed in worker threads, so the chunk has its batch.
    const source = chunk.source!;
    const fields: Field[] = [];
    const children = [];
    for (const k of keys) {
      const vector = source.getChild(k);
      const field = source.schema.fields.find((f) => f.name === k);
      if (vector === null || field === undefined) {
        fail(
          `key column '${k}' is not in the batch`,
          `Use one of: ${source.schema.fields.map((f) => f.name).join(', ')}.`,
        );
      } else {
        fields.push(field);
        children.push(vector.data[0]!); // a batch's column is one Data: zero-copy
      }
    }
    const type = losses.data instanceof Float32Array ? new Float32() : new Float64();
    fields.push(new Field(column, type, false));
    children.push(
      makeData({ type, length: losses.data.length, data: losses.data as Float32Array | Float64Array }),
    );
    const schema = new Schema(fields);
    return new RecordBatch(
      schema,
      makeData({ type: new Struct(fields), length: losses.data.length, children }),
    );
  });
}
