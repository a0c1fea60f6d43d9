import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors/UsageError.js';
import { parseEvalArgs } from './evalArgs.js';

describe('parseEvalArgs', () => {
  it('defaults to one mean cross-entropy, table output, errors on nulls', () => {
    const plan = parseEvalArgs(['log.arrow']);
    expect(plan.files).toEqual(['log.arrow']);
    expect(plan.losses).toHaveLength(1);
    expect(plan.losses[0]).toMatchObject({ reduction: 'mean', options: {}, columns: {} });
    expect(plan.losses[0]!.entry.name).toBe('cross-entropy');
    expect(plan).toMatchObject({ format: 'table', nulls: 'error', quiet: false, by: undefined, keys: [] });
  });

  it('maps the common flags to core options with their types', () => {
    const plan = parseEvalArgs([
      'a.arrow',
      'b.parquet',
      '--loss',
      'cross-entropy',
      '--weight',
      '0.5,1,2',
      '--ignore-index',
      '-1',
      '--label-smoothing',
      '0.1',
      '--reduction',
      'sum',
      '--by',
      'epoch',
      '--format',
      'json',
    ]);
    expect(plan.files).toEqual(['a.arrow', 'b.parquet']);
    expect(plan.losses[0]).toMatchObject({
      reduction: 'sum',
      options: { weight: [0.5, 1, 2], ignoreIndex: -1, labelSmoothing: 0.1 },
    });
    expect(plan).toMatchObject({ by: 'epoch', format: 'json', keys: ['epoch'] });
  });

  it('scopes options and columns to the --loss they follow, and shares those before the first --loss', () => {
    const plan = parseEvalArgs([
      'x.arrow',
      '--ignore-index',
      '3',
      '--loss',
      'cross-entropy',
      '--label-smoothing',
      '0.2',
      '--loss',
      'nll',
      '--loss',
      'mse',
      '--input',
      'pred',
      '--target',
      'y',
    ]);
    const [ce, nll, mse] = plan.losses;
    expect(ce).toMatchObject({ options: { ignoreIndex: 3, labelSmoothing: 0.2 }, columns: {} });
    expect(nll).toMatchObject({ options: { ignoreIndex: 3 }, columns: {} });
    expect(mse).toMatchObject({ options: {}, columns: { input: 'pred', target: 'y' } });
  });

  it('takes boolean options with their --no- twins, role columns, and --option key=value', () => {
    const [p] = parseEvalArgs([
      'f',
      '--loss',
      'poisson-nll',
      '--no-log-input',
      '--full',
      '--eps',
      '1e-6',
    ]).losses;
    expect(p!.options).toEqual({ logInput: false, full: true, eps: 1e-6 });
    const [g] = parseEvalArgs(['f', '--loss', 'gaussian-nll', '--var', 'sigma2']).losses;
    expect(g!.columns).toEqual({ var: 'sigma2' });
    const [c] = parseEvalArgs([
      'f',
      '--loss',
      'ctc',
      '--input-lengths',
      'il',
      '--zero-infinity',
      '--blank',
      '0',
    ]).losses;
    expect(c).toMatchObject({ columns: { inputLengths: 'il' }, options: { zeroInfinity: true, blank: 0 } });
    const [o] = parseEvalArgs(['f', '--option', 'label-smoothing=0.3', '--option', 'ignoreIndex=-5']).losses;
    expect(o!.options).toEqual({ labelSmoothing: 0.3, ignoreIndex: -5 });
    const [k] = parseEvalArgs(['f', '--loss', 'kl-div', '--reduction', 'batchmean', '--log-target']).losses;
    expect(k).toMatchObject({ reduction: 'batchmean', options: { logTarget: true } });
  });

  it('reads --weight-file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-args-'));
    writeFileSync(join(dir, 'w.json'), '[1, 2.5, 0]');
    writeFileSync(join(dir, 'o.json'), '{ "weight": [3] }');
    writeFileSync(join(dir, 'bad.json'), '["a"]');
    expect(parseEvalArgs(['f', '--weight-file', join(dir, 'w.json')]).losses[0]!.options).toEqual({
      weight: [1, 2.5, 0],
    });
    expect(parseEvalArgs(['f', '--weight-file', join(dir, 'o.json')]).losses[0]!.options).toEqual({
      weight: [3],
    });
    expect(() => parseEvalArgs(['f', '--weight-file', join(dir, 'bad.json')])).toThrow(/array of numbers/);
    expect(() => parseEvalArgs(['f', '--weight-file', join(dir, 'none.json')])).toThrow(UsageError);
  });

  it('accepts decimal integers and numbers as people write them, --threads up to 256', () => {
    const plan = parseEvalArgs([
      'f',
      '--threads',
      '256',
      '--ignore-index',
      '-100',
      '--label-smoothing',
      '.1',
    ]);
    expect(plan.threads).toBe(256);
    expect(plan.losses[0]!.options).toEqual({ ignoreIndex: -100, labelSmoothing: 0.1 });
    expect(parseEvalArgs(['f', '--label-smoothing', '1e-1']).losses[0]!.options).toEqual({
      labelSmoothing: 0.1,
    });
  });

  it.each([
    [['f', '--loss', 'crossentropy'], /unknown loss 'crossentropy'.*Did you mean cross-entropy\?/],
    [['f', '--loss', 'accuracy'], /unknown loss 'accuracy'.*Losses: cross-entropy, nll/],
    [
      ['f', '--loss', 'mse', '--label-smoothing', '0.1'],
      /--label-smoothing is not an option of mse \(mse takes --weight, --reduction\)/,
    ],
    [['f', '--loss', 'mse', '--var', 'v'], /--var is not a column of mse/],
    [
      ['f', '--loss', 'mse', '--loss', 'l1', '--reduction', 'batchmean'],
      /--reduction for l1 takes mean or sum/,
    ],
    [
      ['f', '--delta', '1', '--loss', 'mse', '--loss', 'nll'],
      /--delta is not an option of any selected loss/,
    ],
    [['f', '--reduction', 'none'], /--per-row FILE/],
    [['f', '--weight', '1,x'], /comma-separated list of numbers/],
    [['f', '--ignore-index', '1.5'], /--ignore-index takes an integer/],
    [['f', '--format', 'xml'], /--format takes one of table, json, csv, ndjson/],
    [['f', '--every', '10'], /--every .* needs --format csv or --format ndjson/],
    [['f', '--format', 'csv', '--every', '0'], /--every takes a whole number of at least 1/],
    [
      ['f', '--loss', 'mse', '--loss', 'l1', '--per-row', 'o.arrows'],
      /--per-row writes the losses of one --loss/,
    ],
    [['f', '--nulls', 'drop'], /--nulls takes error or skip/],
    [['f', '--per-row', 'o.arrows', '--nulls', 'skip'], /cannot be used with --nulls skip/],
    [['--by', 'epoch'], /at least one FILE/],
    [['f', '--by', ','], /--by takes one name or several .* no empty name \(got ','\)/],
    [['f', '--by', 'a,'], /no empty name \(got 'a,'\)/],
    [['f', '--by', ',a'], /no empty name/],
    [['f', '--by', 'a,,b'], /no empty name/],
    [['f', '--by', ''], /no empty name/],
    [['f', '--by', 'a,a'], /--by names 'a' twice/],
    [['f', '--by', 'run, epoch,run'], /--by names 'run' twice/],
    [['f', '--option', 'novalue'], /key=value/],
    [['f', '--threads', '300'], /--threads takes at most 256 \(got '300'\)/],
    [['f', '--threads', '1e3'], /--threads takes an integer in decimal digits/],
    [['f', '--ignore-index', '0x2'], /--ignore-index takes an integer in decimal digits.*got '0x2'/],
    [['f', '--ignore-index', '0b10'], /--ignore-index takes an integer in decimal digits/],
    [['f', '--ignore-index', '2.0'], /--ignore-index takes an integer in decimal digits/],
    [['f', '--ignore-index', '99999999999999999999'], /too large/],
    [['f', '--limit', '1e3'], /--limit takes an integer in decimal digits/],
    [['f', '--format', 'csv', '--every', '0x10'], /--every takes an integer in decimal digits/],
    [['f', '--label-smoothing', '0x1'], /--label-smoothing takes a decimal number/],
    [['f', '--weight', '1,0x2'], /comma-separated list of numbers/],
  ])('rejects %j', (args, message) => {
    expect(() => parseEvalArgs(args)).toThrow(UsageError);
    expect(() => parseEvalArgs(args)).toThrow(message);
  });
});
