import type { BatchReadPlan } from '@lossflow/arrow';
import { truncated } from './ipcBlocks.js';

/**
 * Reads the byte ranges of read plans (`BatchReadPlan.reads`) from a `File` into one buffer that is
 * reused from plan to plan and grown rarely (fresh memory is slow to touch): each range through the
 * slice's byte stream with a BYOB reader, which fills the buffer in place. In Chromium that reads a
 * file several times faster than `slice().arrayBuffer()` or `FileReaderSync`, which allocate a new
 * buffer for every read.
 *
 * @example
 * const bytes = await reader.read(file, plan); // bytes.subarray(0, plan.ioBytes) is the plan's IO region
 */
export class PlanReader {
  #buffer = new ArrayBuffer(0);

  /** The plan's IO region: its ranges at their places, valid until the next `read`. */
  async read(file: Blob, plan: BatchReadPlan, name: string): Promise<Uint8Array> {
    if (this.#buffer.byteLength < plan.ioBytes)
      this.#buffer = new ArrayBuffer(Math.max(plan.ioBytes, 2 * this.#buffer.byteLength));
    const reads = plan.reads;
    for (let i = 0; i < reads.length; i += 3) {
      const position = reads[i]!;
      const length = reads[i + 1]!;
      const at = reads[i + 2]!;
      const reader = file
        .slice(position, position + length)
        .stream()
        .getReader({ mode: 'byob' });
      let done = 0;
      try {
        while (done < length) {
          // The stream takes the buffer and hands it back filled (a transfer, not a copy).
          const next = await reader.read(new Uint8Array(this.#buffer, at + done, length - done));
          if (next.value !== undefined) {
            this.#buffer = next.value.buffer as ArrayBuffer;
            done += next.value.byteLength;
          }
          if (next.done) break;
        }
      } finally {
        reader.releaseLock();
      }
      if (done < length) throw truncated(name, position + done);
    }
    return new Uint8Array(this.#buffer, 0, plan.ioBytes);
  }
}
