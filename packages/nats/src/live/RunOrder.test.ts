import { describe, expect, it } from 'vitest';
import { LiveRunError } from './LiveRunError.js';
import { RunOrder } from './RunOrder.js';

const context = { subject: 's.r', stream: 'S', run: 'r' };
const message = (streamSequence: number, bytes = 10) => ({
  data: new Uint8Array(bytes),
  info: { streamSequence },
});
const seqs = (due: { seq: number }[]) => due.map((d) => d.seq);

describe('RunOrder', () => {
  it('hands out messages in sequence order, holding one that came early until its turn', () => {
    const order = new RunOrder(context, 1000);
    expect(seqs(order.take(message(1), 0))).toEqual([0]);
    expect(seqs(order.take(message(2), 2))).toEqual([]);
    expect(seqs(order.take(message(3), 3))).toEqual([]);
    expect(seqs(order.take(message(4), 1))).toEqual([1, 2, 3]);
    expect(order.taken).toBe(4);
    expect(() => order.end(4, 5)).not.toThrow();
  });

  it('drops a repeat of a sequence already taken or held', () => {
    const order = new RunOrder(context, 1000);
    order.take(message(1), 0);
    expect(order.take(message(2), 0)).toEqual([]);
    order.take(message(3), 2);
    expect(order.take(message(4), 2)).toEqual([]);
    expect(seqs(order.take(message(5), 1))).toEqual([1, 2]);
  });

  it('names the missing message at the end-of-run marker, by the first message held after it', () => {
    const order = new RunOrder(context, 1000);
    order.take(message(1), 0);
    order.take(message(3), 2);
    const error = (() => {
      try {
        order.end(3, 4);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LiveRunError);
    expect(error).toMatchObject({ code: 'GAP', batch: 1, streamSequence: 3, subject: 's.r' });
  });

  it('fails with GAP once the held messages pass the byte bound, and when the marker counts more', () => {
    const order = new RunOrder(context, 25);
    order.take(message(1, 10), 1);
    order.take(message(2, 10), 2);
    expect(() => order.take(message(3, 10), 3)).toThrow(expect.objectContaining({ code: 'GAP', batch: 0 }));
    const short = new RunOrder(context, 25);
    short.take(message(1), 0);
    expect(() => short.end(2, 2)).toThrow(expect.objectContaining({ code: 'GAP', streamSequence: 2 }));
  });
});
