import type { LossChunk } from '@lossflow/rx';

/** Tag of a number JSON cannot carry exactly (NaN, ±Infinity, -0). */
const SPECIAL = '$num';

/** JSON's number text round-trips every finite float64 exactly, except -0 (and NaN/±Infinity, which it drops). */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [SPECIAL]: Object.is(value, -0) ? '-0' : String(value) };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SPECIAL) {
      const text = (value as Record<string, string>)[SPECIAL];
      return text === '-0' ? -0 : Number(text);
    }
  }
  return value;
}

/**
 * The chunks of an item (per batch, one per loss), as bytes that decode to the same states bit for
 * bit: every float64 survives (JSON's shortest round-trip number text, with -0, NaN and ±Infinity
 * tagged), so the coordinator's merge is the local one. Per-row tensors and source batches are not
 * carried (distributed runs do not produce per-row output).
 *
 * @example
 * const bytes = encodeChunks(batches); // decodeChunks(bytes) deep-equals batches (without source/perRow)
 */
export function encodeChunks(batches: readonly (readonly LossChunk[])[]): Uint8Array {
  const plain = batches.map((chunks) =>
    chunks.map((c) => ({
      loss: c.loss,
      batch: c.batch,
      rows: c.rows,
      skipped: c.skipped,
      state: c.state,
      groups: c.groups,
      steps: c.steps,
      rowShapes: c.rowShapes,
      rowDtypes: c.rowDtypes,
    })),
  );
  return new TextEncoder().encode(JSON.stringify(plain, replacer));
}

/** The chunks {@link encodeChunks} encoded (`source`, `perRow` and `file` unset). */
export function decodeChunks(bytes: Uint8Array): LossChunk[][] {
  const plain = JSON.parse(new TextDecoder().decode(bytes), reviver) as Omit<
    LossChunk,
    'source' | 'perRow' | 'file'
  >[][];
  return plain.map((chunks) => chunks.map((c) => ({ ...c, source: undefined, perRow: undefined })));
}
