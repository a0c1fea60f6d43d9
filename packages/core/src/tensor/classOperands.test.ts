import { describe, expect, it } from 'vitest';
import { LossError } from '../LossError.js';
import { crossEntropy } from '../losses/crossEntropy.js';
import { nllLoss } from '../losses/nllLoss.js';
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
