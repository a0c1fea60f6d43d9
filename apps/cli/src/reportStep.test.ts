import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs } from './evalArgs.js';
import { reportStep } from './reportStep.js';
import { FIXTURES } from './testing/runCli.js';

const FILES = ['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'].map((f) => join(FIXTURES, f));

describe('reportStep', () => {
  it.each(FILES)(
    "takes the file's step column by default, and --step when the file has it: %s",
    async (file) => {
      expect(await reportStep(parseEvalArgs([file]))).toBe('step');
      expect(await reportStep(parseEvalArgs([file, '--step', 'epoch']))).toBe('epoch');
    },
  );

  it('fails with MISSING_COLUMN, naming the columns, when --step is not in the file', async () => {
    const error = await reportStep(parseEvalArgs([FILES[0]!, '--step', 'iteration'])).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MISSING_COLUMN', column: 'iteration', file: FILES[0] });
    expect((error as Error).message).toMatch(/one of: epoch, step, logits, target, pred, y/);
  });
});
