import * as core from '@lossflow/core';
import * as rx from '@lossflow/rx';
import { describe, expect, it } from 'vitest';
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

describe('the loss registry', () => {
  it('offers all 21 losses by their kebab-case names', () => {
    expect(LOSSES.map((l) => l.name)).toEqual(KEBAB_NAMES);
    for (const name of KEBAB_NAMES) expect(findLoss(name)?.name).toBe(name);
  });

  it('maps every loss to a @lossflow/core function and a @lossflow/rx operator of the same name', () => {
    for (const l of LOSSES) {
      expect(typeof (core as Record<string, unknown>)[l.core], `core.${l.core}`).toBe('function');
      expect(typeof (rx as Record<string, unknown>)[l.core], `rx.${l.core}`).toBe('function');
    }
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
    expect(findLoss('ctc_loss')?.name).toBe('ctc');
    for (const l of LOSSES) expect(findLoss(kebabCase(l.core))).toBe(l);
  });

  it('knows no other names', () => {
    expect(findLoss('accuracy')).toBeUndefined();
    expect(lossNames()).toContain('triplet-margin-with-distance-loss');
  });

  it('gives batchmean to kl-div only', () => {
    for (const l of LOSSES) expect(l.reductions.includes('batchmean')).toBe(l.name === 'kl-div');
  });
});
