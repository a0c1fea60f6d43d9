import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  Float32,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../args/evalArgs.js';
import { FIXTURES } from '../testing/runCli.js';
import { reportStep } from './reportStep.js';

const FILES = ['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'].map((f) => join(FIXTURES, f));

/** A one-batch IPC stream with a float `pred` column and a Utf8 `step` column. */
function textSteps(path: string): string {
  const step = vectorFromArray(['a', 'b'], new Utf8()).data[0]!;
  const pred = makeData({ type: new Float32(), length: 2, data: Float32Array.of(1, 2) });
  const fields = [new Field('pred', new Float32(), false), new Field('step', new Utf8(), false)];
  const batch = new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: 2, children: [pred, step] }),
  );
  writeFileSync(path, RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
  return path;
}

describe('reportStep', () => {
  it.each(FILES)(
    "takes the file's step column by default, and --step when the file has it: %s",
    async (file) => {
      expect(await reportStep(parseEvalArgs([file]))).toBe('step');
      expect(await reportStep(parseEvalArgs([file, '--step', 'epoch']))).toBe('epoch');
    },
  );

  it('fails with MISSING_COLUMN, naming the columns, when --step is not in a file', async () => {
    const error = await reportStep(parseEvalArgs([FILES[0]!, '--step', 'iteration'])).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MISSING_COLUMN', column: 'iteration', file: FILES[0] });
    expect((error as Error).message).toMatch(/one of: epoch, step, logits, target, pred, y/);
  });

  it('plots against rows when a file has no numeric step column, unless --step asks for it', async () => {
    const text = textSteps(join(mkdtempSync(join(tmpdir(), 'lossflow-step-')), 'text-steps.arrows'));
    expect(await reportStep(parseEvalArgs([text]))).toBeUndefined();
    expect(await reportStep(parseEvalArgs([FILES[0]!, text]))).toBeUndefined();
    const error = await reportStep(parseEvalArgs([FILES[0]!, text, '--step', 'step'])).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'BAD_COLUMN_TYPE', column: 'step', file: text });
    const missing = await reportStep(parseEvalArgs([FILES[0]!, text, '--step', 'epoch'])).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ code: 'MISSING_COLUMN', column: 'epoch', file: text });
  });
});
