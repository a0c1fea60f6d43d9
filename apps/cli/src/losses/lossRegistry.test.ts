import * as core from '@lossflow/core';
import * as rx from '@lossflow/rx';
import { describe, expect, it } from 'vitest';
import { EVAL_FLAGS, parseEvalArgs } from '../args/evalArgs.js';
import { EVAL_HELP } from '../args/helpText.js';
import { LOSS_OPTION_FLAGS, optionFlagOf } from '../args/lossOptionFlags.js';
import { coreOptionsOf } from './lossOperators.js';
import { findLoss, kebabCase, LOSSES, lossNames } from './lossRegistry.js';

const KEBAB_NAMES = [
  'cross-entropy',
  'nll',
  'mse',
  'l1',
  'bce',
  'bce-with-logits',
  'huber',
  'smooth-l1',
  'poisson-nll',
  'gaussian-nll',
  'kl-div',
  'soft-margin',
  'multilabel-soft-margin',
  'cosine-embedding',
  'margin-ranking',
  'hinge-embedding',
  'multilabel-margin',
  'multi-margin',
  'triplet-margin',
  'triplet-margin-with-distance',
  'ctc',
];

const coreExports = core as unknown as Record<string, unknown>;
const rxExports = rx as unknown as Record<string, unknown>;
const each = LOSSES.map((l) => [l.name, l] as const);

/** A value of each flag kind as typed, and what it parses to. */
const SAMPLES = {
  number: ['0.5', 0.5],
  integer: ['2', 2],
  numbers: ['1,2', [1, 2]],
} as const;

describe('the loss registry of the command line', () => {
  it('offers every loss of @lossflow/core by its kebab-case name, in the registry’s order', () => {
    // The names users type are a contract: they stay, in this order (a new loss may come anywhere).
    const names = LOSSES.map((l) => l.name);
    expect(names.filter((n) => KEBAB_NAMES.includes(n))).toEqual(KEBAB_NAMES);
    expect(LOSSES.map((l) => l.descriptor)).toEqual(core.LOSSES);
    for (const name of KEBAB_NAMES) expect(findLoss(name)?.name).toBe(name);
  });

  it.each(each)('%s: the core function, the rx operator and the CLI agree on the roles', (_, l) => {
    const d = core.lossDescriptor(l.core)!;
    expect(l.descriptor).toBe(d);
    expect(typeof coreExports[l.core], `core.${l.core}`).toBe('function');
    expect(typeof rxExports[l.core], `rx.${l.core}`).toBe('function');
    // The core function takes the tensors (in roles order) before its options.
    expect((coreExports[l.core] as (...a: unknown[]) => unknown).length).toBeGreaterThanOrEqual(
      l.roles.length,
    );
    expect(l.roles).toEqual(d.roles.map((r) => r.name));
    for (const role of l.roles) {
      // Each role is a flag that sets its column.
      const flag = kebabCase(role);
      expect(EVAL_FLAGS[flag], `--${flag}`).toEqual({ type: 'string' });
      expect(parseEvalArgs(['f', '--loss', l.name, `--${flag}`, 'col']).losses[0]!.columns).toEqual({
        [role]: 'col',
      });
    }
    // rx rejects a key that is none of its options, roles and stream options, so it takes all of these.
    const options = Object.fromEntries([
      ...l.roles.map((r) => [r, 'col']),
      ...l.options.map((k) => [k, undefined]),
    ]);
    expect(() => rx.operatorOf(d)(options)).not.toThrow();
  });

  it.each(each)(
    '%s: every option is a flag (or marked as not on the command line) that parses to its type',
    (_, l) => {
      expect(l.options).toEqual(l.descriptor.optionKeys.filter((k) => k !== 'reduction'));
      expect(l.reductions).toEqual(l.descriptor.reductions);
      for (const key of l.options) {
        const o = l.descriptor.options[key]!;
        const f = optionFlagOf(key, o);
        if (f === undefined) {
          expect(o.commandLine, key).toBe(false);
          continue;
        }
        // The shared table has this flag for this key, of the same kind and choices.
        expect(LOSS_OPTION_FLAGS.find((x) => x.flag === f.flag)).toEqual(f);
        const parse = (...args: string[]) =>
          parseEvalArgs(['f', '--loss', l.name, ...args]).losses[0]!.options;
        if (f.kind === 'boolean') {
          expect(parse(`--${f.flag}`)).toEqual({ [key]: true });
          expect(parse(`--no-${f.flag}`)).toEqual({ [key]: false });
        } else if (f.kind === 'choice') {
          for (const c of f.choices!) expect(parse(`--${f.flag}`, c)).toEqual({ [key]: c });
          expect(() => parse(`--${f.flag}`, 'nope')).toThrow(/takes/);
        } else {
          const [text, value] = SAMPLES[f.kind];
          expect(parse(`--${f.flag}`, text)).toEqual({ [key]: value });
          expect(parse('--option', `${key}=${text}`)).toEqual({ [key]: value });
        }
      }
    },
  );

  it('has no flag two ways: option flags, role flags and the other eval flags are distinct', () => {
    const optionFlags = LOSS_OPTION_FLAGS.flatMap((f) =>
      f.kind === 'boolean' ? [f.flag, `no-${f.flag}`] : [f.flag],
    );
    const roleFlags = [...new Set(LOSSES.flatMap((l) => l.roles.map(kebabCase)))];
    const all = [...optionFlags, ...roleFlags, 'loss', 'weight-file', 'option', 'reduction', 'by', 'format'];
    expect(new Set(all).size).toBe(all.length);
    for (const f of [...optionFlags, ...roleFlags]) expect(EVAL_FLAGS[f], f).toBeDefined();
    // Every flag of the table is some loss's option.
    for (const f of LOSS_OPTION_FLAGS)
      expect(
        LOSSES.some((l) => l.options.includes(f.key)),
        f.flag,
      ).toBe(true);
  });

  it('lists every loss and every option flag in --help', () => {
    for (const l of LOSSES) expect(EVAL_HELP).toContain(`  ${l.name.padEnd(30)}${l.summary}`);
    for (const f of LOSS_OPTION_FLAGS)
      expect(EVAL_HELP).toContain(`--${f.kind === 'boolean' ? '[no-]' : ''}${f.flag}`);
  });

  it('gives the distance function its named values', () => {
    const l = findLoss('triplet-margin-with-distance')!;
    const named = l.descriptor.options.distanceFunction!.named!;
    expect(coreOptionsOf(l, { distanceFunction: 'cosine', margin: 1 })).toEqual({
      distanceFunction: named.cosine,
      margin: 1,
    });
    expect(LOSS_OPTION_FLAGS.find((f) => f.flag === 'distance')).toMatchObject({
      key: 'distanceFunction',
      kind: 'choice',
      choices: ['pairwise', 'cosine'],
    });
  });

  it("accepts the core functions' kebab forms and torch's spellings", () => {
    expect(findLoss('mse-loss')?.name).toBe('mse');
    expect(findLoss('binary-cross-entropy-with-logits')?.name).toBe('bce-with-logits');
    expect(findLoss('BCEWithLogitsLoss')?.name).toBe('bce-with-logits');
    expect(findLoss('cross_entropy')?.name).toBe('cross-entropy');
    expect(findLoss('crossEntropy')?.name).toBe('cross-entropy');
    expect(findLoss('KLDivLoss')?.name).toBe('kl-div');
    expect(findLoss('NLLLoss')?.name).toBe('nll');
    expect(findLoss('SmoothL1Loss')?.name).toBe('smooth-l1');
    expect(findLoss('MultiLabelSoftMarginLoss')?.name).toBe('multilabel-soft-margin');
    expect(findLoss('multi-label-margin')?.name).toBe('multilabel-margin');
    expect(findLoss('ctc_loss')?.name).toBe('ctc');
    for (const l of LOSSES) {
      expect(findLoss(kebabCase(l.core))).toBe(l);
      expect(findLoss(l.descriptor.torch.module)).toBe(l);
      expect(findLoss(l.descriptor.torch.functional)).toBe(l);
    }
  });

  it('knows no other names', () => {
    expect(findLoss('accuracy')).toBeUndefined();
    expect(lossNames()).toContain('triplet-margin-with-distance-loss');
  });

  it('gives batchmean to kl-div only', () => {
    for (const l of LOSSES) expect(l.reductions.includes('batchmean')).toBe(l.name === 'kl-div');
  });
});
