/**
 * Runs whatever their grouping, on the built page: a run without a key (the default for a log
 * with no `epoch` column) draws the running total and gives the CLI's values, a batch whose key
 * changes on every row gives the CLI's values however the workers' memory grows under it, and a
 * failure's fix names what a page user can do, not a library option the page has no control for.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Data,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliFailure, downloaded, type PageHarness, runFiles, startHarness } from './pageHarness.js';

let dir: string;
let harness: PageHarness;

/** The CLI's JSON without the files' paths (the page knows only their names). */
function values(json: string): unknown {
  const doc = JSON.parse(json) as { files?: { path: string; bytes: number }[] };
  return { ...doc, files: doc.files?.map((f) => ({ bytes: f.bytes })) };
}

/** What the CLI says on stderr for `args` (run in the files' folder), without its prefix and ending. */
function cliSays(args: readonly string[]): string {
  const said = cliFailure(args, dir);
  if (said === '') throw new Error(`lossflow ${args.join(' ')} did not fail`);
  return said.replace(/^lossflow eval: /, '').replace(/ No result was written\.$/, '');
}

/** One record batch of `rows` rows: logits of `classes` float32, int64 targets, and an int32 `epoch` of `epoch(row)` unless undefined. */
function logBatch(
  rows: number,
  classes: number,
  epoch: ((row: number) => number) | undefined,
  targetNulls = false,
): RecordBatch {
  const list = new FixedSizeList(classes, new Field('item', new Float32(), false));
  const fields: Field[] = [];
  const children: Data[] = [];
  if (epoch !== undefined) {
    fields.push(new Field('epoch', new Int32(), false));
    children.push(
      makeData({
        type: new Int32(),
        length: rows,
        data: Int32Array.from({ length: rows }, (_, i) => epoch(i)),
      }),
    );
  }
  fields.push(new Field('logits', list, false), new Field('target', new Int64(), targetNulls));
  const logits = Float32Array.from({ length: rows * classes }, (_, i) => ((i * 7919) % 13) / 5 - 1);
  children.push(
    makeData({
      type: list,
      length: rows,
      child: makeData({ type: new Float32(), length: rows * classes, data: logits }),
    }),
  );
  const targets = BigInt64Array.from({ length: rows }, (_, i) => BigInt((i * 31) % classes));
  // Every other row's target null, from the middle on.
  const validity = Uint8Array.from({ length: Math.ceil(rows / 8) }, (_, b) =>
    b * 8 >= rows / 2 ? 0x55 : 0xff,
  );
  children.push(
    makeData({
      type: new Int64(),
      length: rows,
      data: targets,
      ...(targetNulls ? { nullBitmap: validity } : {}),
    }),
  );
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: rows, children }));
}

function writeStream(name: string, batches: readonly RecordBatch[], endOfStream = true): string {
  const writer = new RecordBatchStreamWriter();
  for (const b of batches) writer.write(b);
  writer.finish();
  const bytes = writer.toUint8Array(true);
  const path = join(dir, name);
  // Without its end-of-stream marker: the 8 bytes (continuation, zero length) a closed stream ends with.
  writeFileSync(path, endOfStream ? bytes : bytes.subarray(0, bytes.length - 8));
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lossflow-web-grouping-'));
  writeStream('noepoch.arrows', [logBatch(10, 3, undefined), logBatch(10, 3, undefined)]);
  // One batch whose key changes on every row: the workers' grouped kernels grow their memory
  // while the task builds its views over the batch.
  writeStream('mixed.arrows', [logBatch(20_000, 4, (i) => i % 3)]);
  writeStream('noeos.arrows', [logBatch(300, 4, (i) => (i < 150 ? 0 : 1)), logBatch(300, 4, () => 1)], false);
  writeStream('nulls.arrows', [logBatch(400, 4, () => 0, true)]);
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('grouping on the page', () => {
  it("runs without a key: the running total's curve and the CLI's values", async () => {
    const file = join(dir, 'noepoch.arrows');
    const { page, problems } = await harness.open(1280, 900);
    await page.setInputFiles('#files', [file]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    // "(no grouping)": the default for a log without an `epoch` column.
    expect(await page.inputValue('#col-by')).toBe('');
    expect(await runFiles(page, undefined)).toBe('done');
    expect(values(await downloaded(page, '#download-json'))).toEqual(
      values(cli(['eval', file, '--format', 'json'])),
    );
    expect(await downloaded(page, '#download-csv')).toBe(cli(['eval', file, '--format', 'csv']));
    // One curve, the running total over all rows, ending at the result.
    expect(await page.locator('#epoch-chart path.series').count()).toBe(1);
    expect(await page.textContent('#epoch-chart')).toContain('all rows');
    expect(await page.locator('#epochs tbody tr').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  for (const threads of [1, 2]) {
    it(`gives the CLI's values for a batch whose key changes on every row (${threads} worker${threads === 1 ? '' : 's'})`, async () => {
      const file = join(dir, 'mixed.arrows');
      const { page, problems } = await harness.open(1280, 900);
      await page.setInputFiles('#files', [file]);
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      await page.selectOption('#col-by', 'epoch');
      expect(await runFiles(page, undefined, threads)).toBe('done');
      expect(values(await downloaded(page, '#download-json'))).toEqual(
        values(cli(['eval', file, '--by', 'epoch', '--format', 'json'])),
      );
      expect(await downloaded(page, '#download-csv')).toBe(
        cli(['eval', file, '--by', 'epoch', '--format', 'csv']),
      );
      expect(await page.locator('#epoch-chart path.series').count()).toBe(3);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }
});

describe("a failure's fix on the page", () => {
  it('names the CLI flag, not a library option, for a stream without its end-of-stream marker', async () => {
    const { page } = await harness.open(1280, 900);
    const said = await runFiles(page, [join(dir, 'noeos.arrows')]);
    const cliMessage = cliSays(['eval', 'noeos.arrows', '--by', 'epoch']);
    expect(cliMessage).toContain('pass --allow-missing-end-of-stream');
    // The same failure, place and code as the CLI's; only the way out is the page's.
    const failure = cliMessage.slice(0, cliMessage.indexOf('[TRUNCATED].') + '[TRUNCATED].'.length);
    expect(said.startsWith(`error: ${failure} `)).toBe(true);
    expect(said).not.toContain('allowMissingEndOfStream');
    expect(said).toContain('lossflow eval --allow-missing-end-of-stream');
    expect(await page.isDisabled('#download-json')).toBe(true);
    await page.context().close();
  });

  it('names no option the page lacks for a null in a used column', async () => {
    const { page } = await harness.open(1280, 900);
    const said = await runFiles(page, [join(dir, 'nulls.arrows')]);
    const cliMessage = cliSays(['eval', 'nulls.arrows', '--by', 'epoch']);
    const failure = cliMessage.slice(0, cliMessage.indexOf('[NULL_VALUE].') + '[NULL_VALUE].'.length);
    expect(failure).toMatch(/column 'target'/);
    expect(said.startsWith(`error: ${failure} `)).toBe(true);
    expect(said).not.toContain("nulls: 'skip'");
    expect(said).toContain('lossflow eval --nulls skip');
    await page.context().close();
  });
});
