import type { LossChunk, MetricChunk, PassChunks } from '@lossflow/rx';
import { DistributedRunError } from './DistributedRunError.js';

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

/** Where a stored state came from, for the error when it is not one this build can read. */
export interface StateOrigin {
  /** The item (0-based) whose state it is. */
  readonly item: number;
  readonly file: string;
}

/**
 * The chunks {@link encodeChunks} encoded (`source`, `perRow` and `file` unset).
 *
 * @throws {DistributedRunError} `FOREIGN_STATE` when the bytes are not this build's state (a worker
 *   of another lossflow version wrote them): never a crash or a wrong merge.
 */
export function decodeChunks(bytes: Uint8Array, origin?: StateOrigin): PassChunks[] {
  let plain: unknown;
  try {
    plain = JSON.parse(new TextDecoder().decode(bytes), reviver);
  } catch {
    plain = undefined;
  }
  if (!isWireState(plain)) throw foreignState(origin);
  return plain.map((b) => ({
    losses: b.l.map((c) => ({ ...c, source: undefined, perRow: undefined })),
    metrics: b.m.map((c) => ({ ...c })),
  }));
}

/**
 * A v1 worker stored an array of loss-chunk arrays per batch; the merge would read fields that are
 * not there, so the shape is checked before any state reaches it.
 */
function isWireState(plain: unknown): plain is WireBatch[] {
  return (
    Array.isArray(plain) &&
    plain.every(
      (b: unknown) =>
        typeof b === 'object' &&
        b !== null &&
        !Array.isArray(b) &&
        Array.isArray((b as WireBatch).l) &&
        Array.isArray((b as WireBatch).m) &&
        (b as WireBatch).l.every((c) => isChunk(c, 'loss')) &&
        (b as WireBatch).m.every((c) => isChunk(c, 'metric')),
    )
  );
}

function isChunk(c: unknown, name: 'loss' | 'metric'): boolean {
  if (typeof c !== 'object' || c === null) return false;
  const r = c as Record<string, unknown>;
  return (
    typeof r[name] === 'string' &&
    typeof r.batch === 'number' &&
    typeof r.rows === 'number' &&
    typeof r.state === 'object' &&
    r.state !== null &&
    (r.groups === undefined || Array.isArray(r.groups))
  );
}

function foreignState(origin: StateOrigin | undefined): DistributedRunError {
  const where = origin === undefined ? '' : ` of item ${origin.item} (${origin.file})`;
  return new DistributedRunError(
    'FOREIGN_STATE',
    `the stored state${where} is not in this lossflow version's format: a worker of another lossflow version wrote it`,
    {
      ...(origin === undefined ? {} : { item: origin.item, file: origin.file }),
      hint: 'Upgrade every worker to the lossflow version of the coordinator, then run again with a new run id (or remove this run).',
    },
  );
}
