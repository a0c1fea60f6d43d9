import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
} from 'apache-arrow';

/** Options of {@link trainingLogBatches}. */
export interface TrainingLogOptions {
  /** Rows (samples) per epoch; the same samples, with the same targets, every epoch. */
  rows: number;
  /** Number of classes C (the length of each `logits` row). */
  classes: number;
  epochs: number;
  /** Seed of the generator (default 1): the same options give the same bytes. */
  seed?: number;
  /** Share of samples whose target is `-100` (ignored by `crossEntropy`'s default `ignoreIndex`); default 0. */
  ignoreShare?: number;
  /** Rows per record batch (default 8192); an epoch's last batch may be shorter, batches never span epochs. */
  batchRows?: number;
}

/** The generated log's schema: `epoch` Int32, `step` Int64, `logits` FixedSizeList<Float32>[C], `target` Int64. */
export function trainingLogSchema(classes: number): Schema {
  return new Schema([
    new Field('epoch', new Int32(), false),
    new Field('step', new Int64(), false),
    new Field('logits', new FixedSizeList(classes, new Field('item', new Float32(), false)), false),
    new Field('target', new Int64(), false),
  ]);
}

/**
 * A synthetic classifier training log, generated lazily batch by batch (memory holds one batch,
 * whatever the total size): for each epoch, every sample's `logits` and its `target` class. The
 * model improves visibly: the true class's logit gains a margin that grows from epoch to epoch,
 * so the cross-entropy falls and the accuracy rises. Deterministic for given options (a counter-
 * based generator, so any batch can be produced without the ones before).
 *
 * Columns: `epoch` (Int32, from 0), `step` (Int64, the row's global index across epochs, a unique
 * key), `logits` (`FixedSizeList<Float32>[classes]`), `target` (Int64 in `[0, classes)`, or `-100`
 * for the `ignoreShare` of samples, the same samples each epoch).
 *
 * @example
 * for (const batch of trainingLogBatches({ rows: 10_000, classes: 10, epochs: 3 })) console.log(batch.numRows);
 */
export function* trainingLogBatches(options: TrainingLogOptions): Generator<RecordBatch, void, undefined> {
  const { rows, classes, epochs, seed = 1, ignoreShare = 0, batchRows = 8192 } = options;
  for (const [name, value, min] of [
    ['rows', rows, 0],
    ['classes', classes, 1],
    ['epochs', epochs, 0],
    ['batchRows', batchRows, 1],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`trainingLogBatches: ${name} must be a whole number ≥ ${min}, got ${value}`);
    }
  }
  if (!(ignoreShare >= 0 && ignoreShare <= 1)) {
    throw new RangeError(`trainingLogBatches: ignoreShare must be in [0, 1], got ${ignoreShare}`);
  }
  const schema = trainingLogSchema(classes);
  const logitsType = schema.fields[2]!.type as FixedSizeList<Float32>;
  const structType = new Struct(schema.fields);
  const s = seed >>> 0;
  const ignoreBelow = Math.round(ignoreShare * 2 ** 32);
  for (let epoch = 0; epoch < epochs; epoch++) {
    // The true class's margin grows with training, to 4 in the last epoch (against noise in [-2, 2]).
    const margin = 0.5 + (3.5 * (epoch + 1)) / epochs;
    for (let start = 0; start < rows; start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      const epochs32 = new Int32Array(n).fill(epoch);
      const steps = new BigInt64Array(n);
      const logits = new Float32Array(n * classes);
      const targets = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const sample = start + i;
        steps[i] = BigInt(epoch * rows + sample);
        const h = hash(s, sample);
        const y = h % classes;
        const ignored = hash(s ^ 0x9e3779b9, sample) < ignoreBelow;
        targets[i] = ignored ? -100n : BigInt(y);
        // Noise differs each epoch; the sample's class does not.
        let state = hash(hash(s, epoch + 0x5bd1e995), sample) | 1;
        const base = i * classes;
        for (let c = 0; c < classes; c++) {
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          const u1 = (state >>> 0) / 4294967296;
          state ^= state << 13;
          state ^= state >>> 17;
          state ^= state << 5;
          const u2 = (state >>> 0) / 4294967296;
          // Triangular noise on [-2, 2]: cheap, smooth enough, no transcendental functions.
          logits[base + c] = 2 * (u1 + u2 - 1) + (c === y ? margin : 0);
        }
      }
      const children = [
        makeData({ type: new Int32(), length: n, nullCount: 0, data: epochs32 }),
        makeData({ type: new Int64(), length: n, nullCount: 0, data: steps }),
        makeData({
          type: logitsType,
          length: n,
          nullCount: 0,
          child: makeData({ type: new Float32(), length: n * classes, nullCount: 0, data: logits }),
        }),
        makeData({ type: new Int64(), length: n, nullCount: 0, data: targets }),
      ];
      yield new RecordBatch(schema, makeData({ type: structType, length: n, nullCount: 0, children }));
    }
  }
}

/** A 32-bit mix of (seed, index) (murmur3's finaliser): independent-looking values for consecutive indices. */
function hash(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
