import type { BatchTensors, BatchTensorsOptions } from '@lossflow/arrow';

/** Makes the tensors of some columns of one batch (`batchTensors`, or a worker batch's `tensors`). */
export type TensorsOf = (
  columns: Readonly<Record<string, string>>,
  options: BatchTensorsOptions,
) => BatchTensors;

/**
 * `tensorsOf` for one batch, made once per set of columns and options: the losses and metrics of
 * a pass mostly read the same columns (cross-entropy, accuracy, top-k and calibration error all
 * read logits and targets), and each made its own tensors (views, checks and null scans) before.
 * (A loss's `nullable` roles that it reads no column for change nothing, so they are no part of
 * the key: a cross-entropy and its metrics share one build.) The tensors are read only, so sharing them changes no result; an error is not kept, so each
 * caller still gets its own.
 *
 * @example
 * const tensorsOf = tensorsOncePerBatch((columns, o) => batch.tensors(columns, o));
 */
export function tensorsOncePerBatch(tensorsOf: TensorsOf): TensorsOf {
  const made = new Map<string, BatchTensors>();
  return (columns, options) => {
    const key = keyOf(columns, options);
    let tensors = made.get(key);
    if (tensors === undefined) {
      tensors = tensorsOf(columns, options);
      made.set(key, tensors);
    }
    return tensors;
  };
}

function keyOf(columns: Readonly<Record<string, string>>, options: BatchTensorsOptions): string {
  const { nullable, ...rest } = options;
  const used = nullable?.filter((role) => columns[role] !== undefined) ?? [];
  return JSON.stringify([columns, rest, used]);
}
