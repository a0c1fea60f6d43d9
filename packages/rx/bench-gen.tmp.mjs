import { writeIpcStream } from '@lossflow/arrow';
import { Field, FixedSizeList, Float32, Int32, makeData, RecordBatch, Schema, Struct } from 'apache-arrow';

const C = 10,
  N = 1_000_000,
  B = 65_536;
const logits = new FixedSizeList(C, new Field('item', new Float32(), false));
const fields = [
  new Field('logits', logits, false),
  new Field('target', new Int32(), false),
  new Field('key', new Int32(), false),
];
const schema = new Schema(fields);
for (const [name, keyOf] of [
  ['alt', (i) => i % 2],
  ['sorted', (i) => Math.floor(i / (N / 4))],
]) {
  const out = writeIpcStream(`/tmp/rxbench/${name}.arrows`, schema);
  for (let s = 0; s < N; s += B) {
    const n = Math.min(B, N - s);
    const x = Float32Array.from({ length: n * C }, (_, i) => Math.sin(s * C + i));
    const t = Int32Array.from({ length: n }, (_, i) => (s + i) % C);
    const k = Int32Array.from({ length: n }, (_, i) => keyOf(s + i));
    await out.write(
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: n,
          children: [
            makeData({
              type: logits,
              length: n,
              child: makeData({ type: new Float32(), length: n * C, data: x }),
            }),
            makeData({ type: new Int32(), length: n, data: t }),
            makeData({ type: new Int32(), length: n, data: k }),
          ],
        }),
      ),
    );
  }
  await out.close();
}
