import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { nllLoss } from '../losses/nllLoss.js';
import { classLayout, classTargets, shareClassTargets } from './classOperands.js';
import { tensor } from './tensor.js';

// torch's ignore_index is an int64 compared with int64 targets: a target equal to it is skipped
// wherever it lies, and an ignore_index no target equals ignores nothing (never an error).
const x = tensor(new Float32Array([0.2, 1.5, -0.3, 0.9, 0.1, 0.4, -1.2, 0.7, 2.1]), [3, 3]);
const kept = tensor(new Float32Array([0.2, 1.5, -0.3, -1.2, 0.7, 2.1]), [2, 3]);
const BIG = 3_000_000_000;

describe.each([
  ['crossEntropy', crossEntropy],
  ['nllLoss', nllLoss],
] as const)('%s with an ignoreIndex beyond int32', (_, loss) => {
  it('skips int64 targets equal to it, as torch', () => {
    const t = new BigInt64Array([0n, BigInt(BIG), 2n]);
    expect(loss(x, t, { ignoreIndex: BIG })).toBe(loss(kept, new Int32Array([0, 2])));
    expect(loss(x, t, { ignoreIndex: BIG, reduction: 'sum' })).toBe(
      loss(kept, new Int32Array([0, 2]), { reduction: 'sum' }),
    );
    const none = loss(x, t, { ignoreIndex: BIG, reduction: 'none' });
    expect(Array.from(none.data)[1]).toBe(0);
  });

  it('skips uint32 targets equal to it', () => {
    expect(loss(x, new Uint32Array([0, BIG, 2]), { ignoreIndex: BIG })).toBe(
      loss(kept, new Int32Array([0, 2])),
    );
  });

  it('ignores nothing when no target equals it', () => {
    const t = new Int32Array([0, 1, 2]);
    expect(loss(x, t, { ignoreIndex: BIG })).toBe(loss(x, t));
    expect(loss(x, new BigInt64Array([0n, 1n, 2n]), { ignoreIndex: -BIG })).toBe(loss(x, t));
  });

  it('compares a bigint beyond 2^53 exactly', () => {
    const huge = 2n ** 62n + 1n;
    expect(loss(x, new BigInt64Array([0n, huge, 2n]), { ignoreIndex: huge })).toBe(
      loss(kept, new Int32Array([0, 2])),
    );
    // 2^62 rounds to the same float64 as 2^62 + 1, but is another int64: out of range.
    expect(() => loss(x, new BigInt64Array([0n, 2n ** 62n, 2n]), { ignoreIndex: huge })).toThrow(
      expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', row: 1 }),
    );
  });

  it('still rejects other targets outside [0, C), -1 included', () => {
    expect(() => loss(x, new BigInt64Array([0n, -1n, 2n]), { ignoreIndex: BIG })).toThrow(
      expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', row: 1 }),
    );
    expect(() => loss(x, new BigInt64Array([0n, 2n ** 40n, 2n]), { ignoreIndex: BIG })).toThrow(LossError);
  });

  it('asks for a bigint when a number is beyond 2^53', () => {
    expect(() => loss(x, new Int32Array([0, 1, 2]), { ignoreIndex: 2 ** 60 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        argument: 'ignoreIndex',
        hint: expect.stringContaining('bigint'),
      }),
    );
  });

  it('takes a small bigint as the number it is', () => {
    const t = new Int32Array([0, 1, 2]);
    expect(loss(x, t, { ignoreIndex: 1n })).toBe(loss(x, t, { ignoreIndex: 1 }));
  });
});

describe('shareClassTargets', () => {
  const x = tensor(new Float32Array(12), [4, 3]);
  const layout = classLayout('accuracy', x);
  const t = tensor(BigInt64Array.from([0n, 2n, -100n, 1n]), [4]);

  it('checks a target column once for every loss and metric of the scope, afresh outside', () => {
    const [a, b, c, d] = shareClassTargets(() => [
      classTargets('crossEntropy', t, layout, x.shape, -100),
      classTargets('accuracy', t, layout, x.shape, -100),
      // Another ignoreIndex, another check (here -100 is out of range).
      (() => {
        try {
          return classTargets('accuracy', t, layout, x.shape, -1);
        } catch (e) {
          return e;
        }
      })(),
      classTargets('accuracy', tensor(t.data.slice(), [4]), layout, x.shape, -100),
    ]);
    expect(b).toBe(a);
    expect(c).toBeInstanceOf(LossError);
    expect(c).toMatchObject({ code: 'TARGET_OUT_OF_RANGE', loss: 'accuracy', row: 2 });
    expect(d).not.toBe(a);
    expect(d).toMatchObject({ stride: a.stride, ignore: a.ignore });
    expect(classTargets('accuracy', t, layout, x.shape, -100)).not.toBe(
      classTargets('accuracy', t, layout, x.shape, -100),
    );
  });

  it('remembers only the latest target columns: a by key with many groups checks each slice once, not against every earlier one', () => {
    // 10,000 one-row groups of one column, as keyGroups hands them to a metric.
    const column = new BigInt64Array(10_000);
    const one = classLayout('accuracy', tensor(new Float32Array(3), [1, 3]));
    shareClassTargets(() => {
      const first = tensor(column.subarray(0, 1), [1]);
      const kept = classTargets('accuracy', first, one, [1, 3], -100);
      expect(classTargets('accuracy', first, one, [1, 3], -100)).toBe(kept);
      for (let g = 1; g < column.length; g++)
        classTargets('accuracy', tensor(column.subarray(g, g + 1), [1]), one, [1, 3], -100);
      // The first group's slice was let go long ago: it is checked afresh (here: it changed, and
      // the new check sees it), not looked up among 10,000 remembered slices.
      column[0] = 7n;
      expect(() => classTargets('accuracy', first, one, [1, 3], -100)).toThrow(
        expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', row: 0 }),
      );
    });
  });

  it('still rejects a bad target in the scope, naming the loss and row', () => {
    const bad = tensor(BigInt64Array.from([0n, 2n, 3n, 1n]), [4]);
    expect(() => shareClassTargets(() => classTargets('topKAccuracy', bad, layout, x.shape, -100))).toThrow(
      expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', loss: 'topKAccuracy', row: 2 }),
    );
  });
});

describe('classTargets over a batch long enough to be optimized mid-loop', () => {
  // Long enough for V8 to compile the check loop on the stack: the first bad target is still the
  // one reported (its row and value, through the int64 words at stride 2), and good targets pass.
  const rows = 200_000;
  const x = tensor(new Float32Array(rows * 3), [rows, 3]);
  const layout = classLayout('nllLoss', x);

  it.each([
    ['int64', (v: number[]) => BigInt64Array.from(v, BigInt)],
    ['int32', (v: number[]) => Int32Array.from(v)],
  ] as const)('names the first bad %s target and its row, after ones it ignores', (_, make) => {
    const values = Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? -100 : i % 3));
    const good = tensor(make(values), [rows]);
    expect(classTargets('nllLoss', good, layout, x.shape, -100).ignore).toBe(-100);
    values[rows - 5] = 3;
    values[rows - 2] = -1;
    const bad = tensor(make(values), [rows]);
    expect(() => classTargets('nllLoss', bad, layout, x.shape, -100)).toThrow(
      expect.objectContaining({
        code: 'TARGET_OUT_OF_RANGE',
        row: rows - 5,
        detail: 'target 3 is out of bounds for 3 classes',
      }),
    );
  });
});
