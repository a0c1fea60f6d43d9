import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import type { FileFormat } from '../format/detectFormat.js';
import { writeTrainingLog } from '../write/writeTrainingLog.js';
import { fileParts } from './fileParts.js';

const dir = mkdtempSync(join(tmpdir(), 'lossflow-parts-'));

describe('fileParts', () => {
  for (const format of ['arrow-stream', 'arrow-file', 'parquet'] as FileFormat[]) {
    it(`cuts ${format} into consecutive parts of whole batches covering every row`, async () => {
      const path = join(dir, `log.${format}`);
      // 12 batches (row groups) of 500 rows × 10 float32 logits: about 24 kB each.
      await writeTrainingLog(path, format, { rows: 2_000, classes: 10, epochs: 3, batchRows: 500 });
      const parts = await fileParts(path, { targetBytes: 60_000 });
      expect(parts.length).toBeGreaterThan(2);
      expect(parts[0]!.first).toBe(0);
      for (let i = 1; i < parts.length; i++) expect(parts[i]!.first).toBe(parts[i - 1]!.end);
      expect(parts.at(-1)!.end).toBe(12);
      expect(parts.reduce((n, p) => n + p.rows, 0)).toBe(6_000);
      for (const p of parts.slice(0, -1)) expect(p.bytes).toBeGreaterThanOrEqual(60_000);
      for (const p of parts) expect(p.format).toBe(format);
      // Where each part's headers start: a stream's message offset, a file's block index.
      if (format === 'parquet') expect(parts[1]!.seek).toBeUndefined();
      else if (format === 'arrow-file') expect(parts[1]!.seek).toBe(parts[1]!.first);
      else expect(parts[1]!.seek).toBeGreaterThan(0);
      // One part for everything when the target is bigger than the file.
      expect(await fileParts(path, { targetBytes: 1e12 })).toHaveLength(1);
    });
  }

  it('is CORRUPT for bytes that are neither Arrow IPC nor Parquet', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello, not a table');
    await expect(fileParts(path)).rejects.toSatisfy(
      (e) => e instanceof ArrowReadError && e.code === 'CORRUPT' && e.file === path,
    );
  });
});
