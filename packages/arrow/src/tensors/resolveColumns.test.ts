import { Field, FixedSizeList, Float32, Int64, Schema, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ArrowReadError } from '../errors/ArrowReadError.js';
import { projectSchema } from '../schema/projectSchema.js';
import { DEFAULT_INPUT_COLUMNS, DEFAULT_TARGET_COLUMNS, resolveColumns } from './resolveColumns.js';

const schema = (...fields: [string, Field['type']][]) => new Schema(fields.map(([n, t]) => new Field(n, t)));
const logits = new FixedSizeList(10, new Field('item', new Float32()));

describe('resolveColumns', () => {
  it('fills input and target from the default names, in order', () => {
    expect(DEFAULT_INPUT_COLUMNS).toEqual(['logits', 'input', 'pred', 'prediction']);
    expect(DEFAULT_TARGET_COLUMNS).toEqual(['target', 'label', 'labels', 'y']);
    expect(
      resolveColumns(schema(['pred', new Float32()], ['logits', logits], ['y', new Int64()]), {}),
    ).toEqual({
      input: 'logits',
      target: 'y',
    });
  });

  it('a default column the columns option leaves out is MISSING_COLUMN whose hint names the option', () => {
    const file = schema(['logits', logits], ['target', new Int64()]);
    let error: unknown;
    try {
      resolveColumns(projectSchema(file, ['logits']), {});
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'MISSING_COLUMN' });
    expect((error as ArrowReadError).hint).toBe(
      "The file has 'target', but the columns option leaves it out: add it to columns, or name the target column explicitly (option 'target', or --target on the command line).",
    );
    expect(() => resolveColumns(schema(['logits', logits]), {})).toThrow(
      expect.objectContaining({
        hint: "Name the target column explicitly (option 'target', or --target on the command line).",
      }),
    );
  });

  it('takes given names, keeps other roles, drops undefined ones', () => {
    const s = schema(['scores', logits], ['label', new Int64()], ['w', new Float32()]);
    expect(resolveColumns(s, { input: 'scores', weight: 'w', extra: undefined })).toEqual({
      input: 'scores',
      weight: 'w',
      target: 'label',
    });
  });

  it('defaulted limits the roles filled from the default names', () => {
    const s = schema(['anchor', logits], ['positive', logits], ['negative', logits]);
    expect(resolveColumns(s, { anchor: 'anchor', positive: 'positive', negative: 'negative' }, [])).toEqual({
      anchor: 'anchor',
      positive: 'positive',
      negative: 'negative',
    });
    expect(() => resolveColumns(s, { anchor: 'anchor' }, ['input'])).toThrow(/no input column/);
  });

  it('falls back to a default name differing only in case', () => {
    expect(resolveColumns(schema(['Logits', logits], ['Label', new Int64()]), {})).toEqual({
      input: 'Logits',
      target: 'Label',
    });
  });

  it('a missing column is MISSING_COLUMN listing the available columns and their types', () => {
    const s = schema(['scores', logits], ['label', new Int64()]);
    expect(() => resolveColumns(s, {})).toThrow(ArrowReadError);
    expect(() => resolveColumns(s, {})).toThrow(
      /no input column: none of logits, input, pred, prediction is present; available: scores \(FixedSizeList\[10\]<Float32>\), label \(Int64\)/,
    );
    expect(() => resolveColumns(s, { input: 'scores', target: 'tgt' })).toThrow(
      expect.objectContaining({ code: 'MISSING_COLUMN', column: 'tgt' }),
    );
  });

  it('a column of an unusable type is BAD_COLUMN_TYPE listing the columns', () => {
    const s = schema(['logits', logits], ['target', new Utf8()]);
    expect(() => resolveColumns(s, {})).toThrow(
      expect.objectContaining({ code: 'BAD_COLUMN_TYPE', column: 'target' }),
    );
    expect(() => resolveColumns(s, {})).toThrow(/available: logits/);
  });
});
