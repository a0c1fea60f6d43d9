import type { LossChunk, MetricChunk, PassChunks } from '@lossflow/rx';

/** Tag of a number JSON cannot carry exactly (NaN, ±Infinity, -0). */
const SPECIAL = '$num';
/** Tag of a `Float64Array` (a metric state's counts, sums and moments), its elements as numbers. */
const FLOAT64 = '$f64';

/**
 * JSON's number text round-trips every finite float64 exactly, except -0 (and NaN/±Infinity, which
 * it drops); a typed array would become an object of index keys. The elements of a tagged array
 * pass through here again, so their -0/NaN/±Infinity are tagged too.
 */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [SPECIAL]: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (value instanceof Float64Array) return { [FLOAT64]: Array.from(value) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === SPECIAL) {
      const text = (value as Record<string, string>)[SPECIAL];
      return text === '-0' ? -0 : Number(text);
    }
    if (keys.length === 1 && keys[0] === FLOAT64) {
      return Float64Array.from((value as Record<string, number[]>)[FLOAT64]!);
    }
  }
  return value;
}

/** What a batch's chunks carry on the wire: everything but the source batch, per-row tensors and file. */
interface WireBatch {
  readonly l: Omit<LossChunk, 'source' | 'perRow' | 'file'>[];
  readonly m: Omit<MetricChunk, 'file'>[];
}

/**
 * The chunks of an item (per batch, one per loss and one per metric, as `lossesAndMetrics` of
 * `@lossflow/rx` emits them), as bytes that decode to the same states bit for bit: every float64
 * survives (JSON's shortest round-trip number text, with -0, NaN and ±Infinity tagged; a metric
 * state's `Float64Array`s element by element), so the coordinator's merge is the local one.
 * Per-row tensors and source batches are not carried (distributed runs do not produce per-row
 * output).
 *
 * @example
 * const bytes = encodeChunks(batches); // decodeChunks(bytes) deep-equals batches (without source/perRow)
 */
export function encodeChunks(batches: readonly PassChunks[]): Uint8Array {
  const plain: WireBatch[] = batches.map((chunks) => ({
    l: chunks.losses.map((c) => ({
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
    m: chunks.metrics.map((c) => ({
      metric: c.metric,
      batch: c.batch,
      rows: c.rows,
      skipped: c.skipped,
      state: c.state,
      groups: c.groups,
    })),
  }));
  return new TextEncoder().encode(JSON.stringify(plain, replacer));
}

/** The chunks {@link encodeChunks} encoded (`source`, `perRow` and `file` unset). */
export function decodeChunks(bytes: Uint8Array): PassChunks[] {
  const plain = JSON.parse(new TextDecoder().decode(bytes), reviver) as WireBatch[];
  return plain.map((b) => ({
    losses: b.l.map((c) => ({ ...c, source: undefined, perRow: undefined })),
    metrics: b.m.map((c) => ({ ...c })),
  }));
}
