/**
 * The in-thread Arrow IPC stream reader reads a record batch's body only when the batch is read:
 * its schema alone (how a command line probes a file's columns) costs the headers, not the first
 * batch (a million-row batch is hundreds of MB).
 */
import { RecordBatchStreamWriter } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryByteReader } from '../io/MemoryByteReader.js';
import { batchOf, floats } from '../testing/batches.js';
import { readIpcStream } from './readIpcStream.js';

const ROWS = 1 << 18;

function stream(batches: number): Uint8Array {
  const batch = batchOf({ x: floats(ROWS) });
  return RecordBatchStreamWriter.writeAll(Array.from({ length: batches }, () => batch)).toUint8Array(true);
}

describe('readIpcStream', () => {
  it('reads the schema without reading the first batch body', async () => {
    const bytes = new MemoryByteReader(stream(2));
    const reader = await readIpcStream(bytes);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['x']);
    // The schema message and the first batch's metadata: well under one body (1 MiB).
    expect(reader.bytesRead()).toBeLessThan(64 * 1024);
    await reader.close();
  });

  it('still reads every batch, whole, once it is asked for', async () => {
    const bytes = new MemoryByteReader(stream(3));
    const reader = await readIpcStream(bytes);
    const seen: number[] = [];
    for (let b = await reader.next(); b !== undefined; b = await reader.next()) {
      const x = b.getChild('x')!.data[0]!.values as Float32Array;
      seen.push(b.numRows);
      expect(x[ROWS - 1]).toBe(ROWS - 1);
    }
    expect(seen).toEqual([ROWS, ROWS, ROWS]);
    expect(reader.bytesRead()).toBeGreaterThan(3 * 4 * ROWS);
  });

  it('is TRUNCATED when a body is cut short, after the batches before it', async () => {
    const whole = stream(2);
    const bytes = new MemoryByteReader(whole.subarray(0, whole.length - 4 * ROWS + 100));
    const reader = await readIpcStream(bytes);
    expect((await reader.next())?.numRows).toBe(ROWS);
    await expect(reader.next()).rejects.toMatchObject({ code: 'TRUNCATED' });
  });
});
