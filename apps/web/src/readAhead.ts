/**
 * The items of `source`, pulled up to `depth` ahead of the consumer: the source runs on while the
 * consumer waits for something else (a free worker), so its own waits (a `File` read per message
 * header, a round trip to the browser's process each) no longer sit between one job and the next.
 * Items come in order; a failure of the source is thrown after the items before it, where the
 * source threw it. Leaving the loop early (`break`, a throw) stops the source.
 *
 * @example
 * for await (const block of readAhead(ipcBlocks(file, names, layouts), 64)) send(block);
 */
export async function* readAhead<T>(source: AsyncIterator<T>, depth: number): AsyncGenerator<T> {
  const queue: T[] = [];
  let ended = false;
  let failed = false;
  let failure: unknown;
  let stopped = false;
  /** Wakes the consumer (an item or the end came) or the producer (room in the queue). */
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const produce = async (): Promise<void> => {
    try {
      while (!stopped) {
        if (queue.length >= depth) {
          await new Promise<void>((resolve) => {
            wakeProducer = resolve;
          });
          wakeProducer = undefined;
          continue;
        }
        const next = await source.next();
        if (next.done === true) break;
        queue.push(next.value);
        wakeConsumer?.();
      }
    } catch (e) {
      failed = true;
      failure = e;
    } finally {
      ended = true;
      wakeConsumer?.();
    }
  };
  const producing = produce();
  try {
    for (;;) {
      if (queue.length > 0) {
        const item = queue.shift() as T;
        wakeProducer?.();
        yield item;
        continue;
      }
      if (ended) {
        if (failed) throw failure;
        return;
      }
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve;
      });
      wakeConsumer = undefined;
    }
  } finally {
    stopped = true;
    wakeProducer?.();
    await producing;
    if (!failed) await source.return?.();
  }
}
