/**
 * Binned AUROC against scikit-learn's exact value (fixtures/auroc-grid-goldens.json) from 2 to
 * 1000 classes, binary from logits and from probabilities, peaked, poorly separated and flat
 * models: the default logit grid is within its bound and close; torchmetrics' linear grid is
 * within its (loose) bound but collapses at many classes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AurocGridCase, aurocGridInputs } from '../testing/aurocGridCase.js';
import { aurocErrorBound, aurocPartial, aurocValue } from './auroc.js';

const { cases } = JSON.parse(
  readFileSync(new URL('../../../../fixtures/auroc-grid-goldens.json', import.meta.url), 'utf8'),
) as { cases: AurocGridCase[] };

describe('auroc grid vs scikit-learn roc_auc_score', () => {
  for (const c of cases) {
    // A flat model (logits of spread 0.1 over 1000 classes) packs its scores into a few bins: its
    // bound says so, and more `thresholds` shrink it.
    const close = c.id.endsWith('-flat') ? 0.01 : 0.002;
    it(`${c.id}: within its bound; the default grid within ${close}`, () => {
      const { input, target } = aurocGridInputs(c);
      const run = (options: object) => {
        const state = aurocPartial(input, target, { scores: c.scores, ...options });
        const value = aurocValue(state) as number;
        return { error: Math.abs(value - c.expected), bound: aurocErrorBound(state) as number };
      };
      const logit = run({});
      const linear = run({ grid: 'linear', thresholds: 200 });
      expect(logit.error).toBeLessThanOrEqual(logit.bound);
      expect(linear.error).toBeLessThanOrEqual(linear.bound);
      expect(logit.error).toBeLessThan(close);
    });
  }
});
