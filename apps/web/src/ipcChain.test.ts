/**
 * Workers that each walk a region of an Arrow IPC stream from the first message they find there
 * (walkIpcChain), their walks taken only along the stream's true chain (ChainRegions), find exactly
 * the batches a reader from the start finds, with the same bytes, for any region size, any order
 * of replies, empty batches between, and bytes inside batches that look like messages (a copy of
 * a real batch message in a binary column).
 */
import { type PositionalFile, scanIpcStream, type TensorLayout, tensorLayout } from '@lossflow/arrow';
import {
  Binary,
  Field,
  FixedSizeList,
  Float32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChainEnd, ChainRegions, type ChainReply } from './ChainRegions.js';
import { type ChainRegion, walkIpcChain } from './ipcChain.js';
import { SpanReader } from './SpanReader.js';

const CLASSES = 3;
const schema = new Schema([
  new Field('logits', new FixedSizeList(CLASSES, new Field('item', new Float32(), false)), false),
  new Field('target', new Int64(), false),
  new Field('blob', new Binary(), false),
]);
const NAMES = ['logits', 'target'];
const LAYOUTS = NAMES.map((n) => tensorLayout(schema.fields.find((f) => f.name === n)!)) as TensorLayout[];

/** A batch of `rows` rows (values from `seed`), its binary column holding `blob` in each row. */
function batch(rows: number, seed: number, blob: Uint8Array): RecordBatch {
  const values = Float32Array.from({ length: rows * CLASSES }, (_, i) => Math.sin(seed * 31 + i));
  const logits = makeData({
    type: schema.fields[0]!.type,
    length: rows,
    nullCount: 0,
    child: makeData({ type: new Float32(), length: values.length, data: values }),
  });
  const target = makeData({
    type: new Int64(),
    length: rows,
    nullCount: 0,
    data: BigInt64Array.from({ length: rows }, (_, i) => BigInt((seed + i) % CLASSES)),
  });
  const blobs = vectorFromArray(
    Array.from({ length: rows }, () => blob),
    new Binary(),
  );
  return new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length: rows,
      nullCount: 0,
      children: [logits, target, blobs.data[0]!],
    }),
  );
}

/** A file's bytes read at positions. */
const positional = (bytes: Uint8Array): PositionalFile => ({
  async read(buffer, offset, length, position) {
    const part = bytes.subarray(position, Math.min(bytes.length, position + length));
    buffer.set(part, offset);
    return { bytesRead: part.length };
  },
});

/** The non-empty batches a reader from the start finds: where each message starts, its rows and where its body ends. */
async function truth(bytes: Uint8Array): Promise<{ seek: number; rows: number; end: number }[]> {
  const scan = await scanIpcStream(positional(bytes), bytes.length, 'log.arrows', false);
  const found = [];
  for await (const at of scan.batches())
    found.push({ seek: at.seek, rows: at.header.rows, end: at.bodyOffset + at.bodyLength });
  return found;
}

/** A stream of batches of `rows` rows each, binary columns holding `blob`. */
function stream(rows: readonly number[], blob: Uint8Array): Uint8Array<ArrayBuffer> {
  return tableToIPC(new Table(rows.map((r, i) => batch(r, i, blob))), 'stream') as Uint8Array<ArrayBuffer>;
}

interface Walked {
  rows: number;
  end: number;
  bytes: Uint8Array;
}

/** Walks `region` of `bytes` as a worker does, with a window of `windowBytes`. */
async function walk(
  bytes: Uint8Array<ArrayBuffer>,
  region: ChainRegion,
  windowBytes: number,
): Promise<ChainReply<Walked, unknown>> {
  const file = new Blob([bytes]);
  const spans = new SpanReader(windowBytes);
  const size = bytes.length - region.start;
  spans.open(file, { segments: [region.start, size, 0], bytes: size, sequential: true, items: [] });
  const batches: Walked[] = [];
  const { error, ...outcome } = await walkIpcChain(file, spans, region, NAMES, LAYOUTS, (item, end) => {
    const io = new Uint8Array(item.plan.ioBytes);
    spans.copy(item, io, 'log.arrows');
    batches.push({ rows: item.plan.rows, end, bytes: io });
  });
  await spans.close();
  return { ...outcome, batches, error };
}

/** Every region walked (in the order `order` picks replies) until the chain ends; the batches accepted. */
async function walkAll(
  bytes: Uint8Array<ArrayBuffer>,
  start: number,
  regionBytes: number,
  windowBytes: number,
  order: (n: number) => number,
): Promise<{ batches: Walked[]; end: ChainEnd | undefined; resent: number; error: unknown }> {
  const chain = new ChainRegions<Walked, unknown>(start, bytes.length, regionBytes);
  const out: ChainRegion[] = [];
  for (let r = chain.take(); r !== undefined; r = chain.take()) out.push(r);
  const pending: { region: ChainRegion; reply: ChainReply<Walked, unknown> }[] = [];
  for (const region of out) pending.push({ region, reply: await walk(bytes, region, windowBytes) });
  const batches: Walked[] = [];
  let resent = 0;
  let error: unknown;
  while (pending.length > 0 && chain.end === undefined) {
    const [next] = pending.splice(order(pending.length) % pending.length, 1);
    const { accepted, resend } = chain.settle(next!.region.key, next!.reply);
    for (const r of accepted) {
      batches.push(...r.batches);
      error ??= r.error;
    }
    for (const region of resend) {
      resent++;
      pending.push({ region, reply: await walk(bytes, region, windowBytes) });
    }
  }
  return { batches, end: chain.end, resent, error };
}

describe('walkIpcChain with ChainRegions', () => {
  it('finds every batch a reader from the start finds, with its bytes, for any region size and reply order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 8, max: 20_000 }),
        fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        async (rows, regionBytes, picks) => {
          const bytes = stream(rows, new Uint8Array([1, 2, 3]));
          const expected = (await truth(bytes)).filter((b) => b.rows > 0);
          const first = (await truth(bytes))[0]!.seek;
          let pick = 0;
          const got = await walkAll(bytes, first, regionBytes, 4096, () => picks[pick++ % picks.length]!);
          expect(got.end).toEqual({ kind: 'eos' });
          expect(got.batches.map((b) => [b.rows, b.end])).toEqual(expected.map((b) => [b.rows, b.end]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('passes over a copy of a real batch message inside a batch, walking that region again from the true start', async () => {
    // A first stream's batch message, copied into the binary column of every row of the real one:
    // each copy starts 8-byte aligned in some rows, and frames and checks as a message.
    const model = stream([5], new Uint8Array(0));
    const [at] = await truth(model);
    const message = model.slice(at!.seek, at!.end);
    const bytes = stream([40, 40, 40, 40, 40, 40], message);
    const found = await truth(bytes);
    let resentAny = 0;
    for (const regionBytes of [1000, 3000, 7000, 20_000]) {
      const got = await walkAll(bytes, found[0]!.seek, regionBytes, 1 << 16, () => 0);
      expect(got.end).toEqual({ kind: 'eos' });
      expect(got.batches.map((b) => [b.rows, b.end])).toEqual(found.map((b) => [b.rows, b.end]));
      resentAny += got.resent;
    }
    // The copies were taken for starts at least once, and those regions walked again.
    expect(resentAny).toBeGreaterThan(0);
  });

  it('gives up a region full of bytes that only look like message starts, which is then walked exactly', async () => {
    // Every 8 bytes of the binary column look like a message's prefix (the continuation marker,
    // a small length) and none frames as a message.
    const fake = new Uint8Array(8 * 4096);
    const view = new DataView(fake.buffer);
    for (let k = 0; k < fake.length; k += 8) {
      view.setUint32(k, 0xffffffff, true);
      view.setInt32(k + 4, 8 * ((k / 8) % 5), true);
    }
    const bytes = stream([20, 20, 20], fake);
    const found = await truth(bytes);
    // A region from inside the first batch's body: thousands of false starts before the next message.
    const region: ChainRegion = {
      key: 0,
      start: found[0]!.seek + 512,
      limit: found[1]!.seek + 8,
      exact: false,
      batchesBefore: undefined,
    };
    expect((await walk(bytes, region, 1 << 20)).first).toBeUndefined();
    const got = await walkAll(bytes, found[0]!.seek, 60_000, 1 << 16, () => 0);
    expect(got.end).toEqual({ kind: 'eos' });
    expect(got.batches.map((b) => [b.rows, b.end])).toEqual(found.map((b) => [b.rows, b.end]));
  });

  it('loads each batch with the bytes its own plan reads', async () => {
    const bytes = stream([7, 0, 9, 300, 1], new Uint8Array([9, 9]));
    const found = await truth(bytes);
    const got = await walkAll(bytes, found[0]!.seek, 512, 1024, () => 0);
    // Each batch's logits start its IO region: the float32 values of that batch.
    got.batches.forEach((b, i) => {
      const seed = [0, 2, 3, 4][i]!;
      const floats = new Float32Array(b.bytes.buffer, 0, b.rows * CLASSES);
      expect(Array.from(floats)).toEqual(
        Array.from(Float32Array.from({ length: b.rows * CLASSES }, (_, k) => Math.sin(seed * 31 + k))),
      );
    });
  });

  it('ends with the error of a stream cut short, after the batches before the cut', async () => {
    const whole = stream([50, 50, 50, 50], new Uint8Array([1]));
    const found = await truth(whole);
    const cut = whole.slice(0, found[2]!.end - 16);
    const chain = new ChainRegions<Walked, unknown>(found[0]!.seek, cut.length, 700);
    const accepted: ChainReply<Walked, unknown>[] = [];
    const regions: ChainRegion[] = [];
    for (let r = chain.take(); r !== undefined; r = chain.take()) regions.push(r);
    while (regions.length > 0 && chain.end === undefined) {
      const region = regions.shift()!;
      const settled = chain.settle(region.key, await walk(cut, region, 4096));
      accepted.push(...settled.accepted);
      regions.push(...settled.resend);
    }
    expect(chain.end).toEqual({ kind: 'error' });
    expect(accepted.flatMap((r) => r.batches).map((b) => b.rows)).toEqual([50, 50]);
    expect(accepted.at(-1)!.error).toMatchObject({ code: 'TRUNCATED' });
  });

  it("counts the stream's record batches from its start in an error that counts them, whichever region fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 8, max: 6000 }),
        fc.boolean(),
        async (rows, regionBytes, after) => {
          const whole = stream(rows, new Uint8Array([7]));
          // Without the end-of-stream marker, or with bytes after it.
          const bytes = after ? new Uint8Array(whole.length + 8) : whole.slice(0, whole.length - 8);
          if (after) bytes.set(whole);
          const found = await truth(whole);
          const got = await walkAll(bytes, found[0]!.seek, regionBytes, 4096, () => 0);
          expect(got.end).toEqual({ kind: 'error' });
          expect(got.batches.map((b) => b.rows)).toEqual(rows.filter((r) => r > 0));
          expect((got.error as { detail: string }).detail).toMatch(
            new RegExp(
              `after ${rows.length} record batch(es)?(, at byte \\d+, without the end-of-stream marker)?$`,
            ),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('ChainRegions', () => {
  const reply = (
    first: number | undefined,
    end: number | undefined,
    eos = false,
  ): ChainReply<number, string> => ({
    first,
    end,
    big: undefined,
    eos,
    recordBatches: 0,
    batches: [],
    error: undefined,
  });

  it('walks a region again from the verified start when its walk began elsewhere, and passes over one inside a message', () => {
    const chain = new ChainRegions<number, string>(100, 400, 100);
    const [a, b, c] = [chain.take()!, chain.take()!, chain.take()!];
    expect([a, b, c].map((r) => [r.start, r.limit, r.exact])).toEqual([
      [100, 200, true],
      [200, 300, false],
      [300, 400, false],
    ]);
    expect(chain.take()).toBeUndefined();
    // c answers first: nothing can be taken before a.
    expect(chain.settle(c.key, reply(304, undefined, true))).toEqual({ accepted: [], resend: [] });
    // b began at a false start.
    expect(chain.settle(b.key, reply(208, 300))).toEqual({ accepted: [], resend: [] });
    // a ran past b's whole region: b is passed over, c begins where a ended.
    const settled = chain.settle(a.key, reply(100, 304));
    expect(settled.accepted).toHaveLength(2);
    expect(settled.resend).toEqual([]);
    expect(chain.end).toEqual({ kind: 'eos' });
  });

  it('sends a region again when its walk began past the verified start, and drops replies that come late', () => {
    const chain = new ChainRegions<number, string>(0, 300, 100);
    const [a, b, c] = [chain.take()!, chain.take()!, chain.take()!];
    expect(chain.settle(b.key, reply(120, 216)).accepted).toEqual([]);
    const settled = chain.settle(a.key, reply(0, 104));
    expect(settled.accepted).toHaveLength(1);
    expect(settled.resend).toEqual([{ key: 3, start: 104, limit: 200, exact: true, batchesBefore: 0 }]);
    // The old walk of b is not taken again.
    expect(chain.settle(b.key, reply(104, 216))).toEqual({ accepted: [], resend: [] });
    expect(chain.settle(c.key, reply(216, undefined, true)).accepted).toEqual([]);
    expect(chain.settle(3, reply(104, 216)).accepted).toHaveLength(2);
    expect(chain.end).toEqual({ kind: 'eos' });
  });

  it('ends at a batch left to the page, and after a failure', () => {
    const big = new ChainRegions<number, string>(0, 200, 100);
    const a = big.take()!;
    big.take();
    big.settle(a.key, { ...reply(0, undefined), big: 48 });
    expect(big.end).toEqual({ kind: 'big', at: 48, batchesBefore: 0 });
    expect(big.take()).toBeUndefined();
    const failed = new ChainRegions<number, string>(0, 200, 100);
    const f = failed.take()!;
    expect(failed.settle(f.key, { ...reply(0, undefined), error: 'CORRUPT' }).accepted).toHaveLength(1);
    expect(failed.end).toEqual({ kind: 'error' });
  });
});
