import { lossDescriptor } from '@lossflow/core';

/** A `{ data, shape }` object that is not an array or a typed array: possibly a class instance. */
function isTensorObject(value: unknown): value is { readonly data: unknown; readonly shape: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    'data' in value &&
    'shape' in value
  );
}

/**
 * The loss options of the registry loss `loss` with every tensor-valued option (a `numbers`
 * option: a weight) given as a `{ data, shape }` object copied into a plain one, read once when
 * the operator is created. Worker threads receive options by structured clone, which keeps own
 * data properties only: a class instance whose `data` and `shape` are getters would arrive as `{}`
 * and fail there while this thread computes with it. With the plain copy, both compute with the
 * same values. Other values (arrays, typed arrays, anything the core rejects) are left as given.
 *
 * @example
 * plainTensorOptions('crossEntropy', { weight: new MyWeights() }); // { weight: { data, shape } }
 */
export function plainTensorOptions(
  loss: string,
  options: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const described = lossDescriptor(loss)?.options;
  const out: Record<string, unknown> = { ...options };
  if (described === undefined) return out;
  for (const [key, value] of Object.entries(options)) {
    if (described[key]?.type !== 'numbers' || !isTensorObject(value)) continue;
    const { data, shape } = value;
    out[key] = { data, shape: Array.isArray(shape) ? [...(shape as unknown[])] : shape };
  }
  return out;
}
