import { join } from 'node:path';
import { ArrowReadError } from '@lossflow/arrow';
import { readFile as readBatches } from '@lossflow/arrow/node';
import { Field, Float32, Int32, Schema } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEvalArgs } from '../args/evalArgs.js';
import { FIXTURES } from '../testing/runCli.js';
import { evalColumns } from './evalColumns.js';

let schema: Schema;
beforeAll(async () => {
  const reader = readBatches(join(FIXTURES, 'epoch-log.parquet'));
  schema = await reader.schema();
  await reader.close();
});

const columnsOf = (...args: string[]) => evalColumns(parseEvalArgs(['f', ...args]), schema);

describe('evalColumns', () => {
  it('reads only the auto-detected input and target of a lone loss', () => {
    expect(columnsOf()).toEqual(['logits', 'target']);
  });

  it('adds the grouping column, every loss’s columns and the report’s step, in schema order', () => {
    expect(
      columnsOf('--loss', 'mse', '--input', 'pred', '--target', 'y', '--loss', 'nll', '--by', 'epoch'),
    ).toEqual(['epoch', 'logits', 'target', 'pred', 'y']);
    expect(columnsOf('--report', 'r.html')).toEqual(['step', 'logits', 'target']);
    expect(columnsOf('--per-row', 'o.arrows', '--keys', 'step,epoch')).toEqual([
      'epoch',
      'step',
      'logits',
      'target',
    ]);
  });

  it("adds each metric's columns, auto-detected or given (a metrics-only eval reads them too)", () => {
    expect(columnsOf('--metric', 'accuracy')).toEqual(['logits', 'target']);
    expect(
      columnsOf('--loss', 'mse', '--input', 'pred', '--target', 'y', '--metric', 'accuracy', '--by', 'epoch'),
    ).toEqual(['epoch', 'logits', 'target', 'pred', 'y']);
  });

  it("reads a role's registry default column, as the operator does (ctc: input_lengths)", () => {
    const ctc = new Schema(
      ['log_probs', 'target', 'input_lengths', 'target_lengths'].map(
        (n) => new Field(n, n === 'log_probs' ? new Float32() : new Int32()),
      ),
    );
    expect(evalColumns(parseEvalArgs(['f', '--loss', 'ctc', '--input', 'log_probs']), ctc)).toEqual([
      'log_probs',
      'target',
      'input_lengths',
      'target_lengths',
    ]);
  });

  it('fails listing the columns when a named column is missing', () => {
    expect(() => columnsOf('--input', 'scores')).toThrow(ArrowReadError);
    expect(() => columnsOf('--input', 'scores')).toThrow(
      /available: epoch \(Int32\), step \(Int64\), logits/,
    );
  });
});
