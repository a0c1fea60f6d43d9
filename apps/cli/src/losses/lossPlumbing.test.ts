import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@lossflow/core';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../testing/memoryIo.js';
import { FIXTURES } from '../testing/runCli.js';

const LOG = join(FIXTURES, 'epoch-log.arrows');
const columns = JSON.parse(readFileSync(join(FIXTURES, 'epoch-log.json'), 'utf8')).columns as Record<
  string,
  number[]
>;
const pred = Float32Array.from(columns.pred!);
const y = Float32Array.from(columns.y!);
const logits = core.tensor(Float32Array.from(columns.logits!), [pred.length, 5]);
const target = BigInt64Array.from(columns.target!.map(BigInt));

type Call = (options: Record<string, unknown>) => number;
const pair =
  (name: string, a: core.TensorInput, b: core.TensorInput): Call =>
  (options) =>
    (core as unknown as Record<string, (x: unknown, t: unknown, o: unknown) => number>)[name]!(a, b, options);

// Flags in, core options out: each case is the CLI's value against the core called directly with
// the options the flags should have become, over the same columns.
const CASES: [string[], Call, Record<string, unknown>][] = [
  [['--loss', 'mse', '--input', 'pred', '--target', 'y'], pair('mseLoss', pred, y), {}],
  [
    ['--loss', 'l1-loss', '--input', 'pred', '--target', 'y', '--reduction', 'sum'],
    pair('l1Loss', pred, y),
    { reduction: 'sum' },
  ],
  [
    ['--loss', 'huber', '--delta', '0.5', '--input', 'pred', '--target', 'y'],
    pair('huberLoss', pred, y),
    { delta: 0.5 },
  ],
  [
    ['--loss', 'SmoothL1Loss', '--beta', '0.3', '--input', 'pred', '--target', 'y'],
    pair('smoothL1Loss', pred, y),
    { beta: 0.3 },
  ],
  [['--loss', 'soft-margin', '--input', 'pred', '--target', 'y'], pair('softMarginLoss', pred, y), {}],
  [
    ['--loss', 'poisson-nll', '--full', '--eps', '1e-6', '--input', 'pred', '--target', 'y'],
    pair('poissonNllLoss', pred, y),
    { full: true, eps: 1e-6 },
  ],
  [
    ['--loss', 'kl-div', '--reduction', 'batchmean', '--log-target', '--input', 'pred', '--target', 'y'],
    pair('klDiv', pred, y),
    { reduction: 'batchmean', logTarget: true },
  ],
  [['--loss', 'nll', '--ignore-index', '-100'], pair('nllLoss', logits, target), { ignoreIndex: -100 }],
  [
    ['--loss', 'cross_entropy', '--option', 'label-smoothing=0.2', '--weight', '1,2,3,4,5'],
    pair('crossEntropy', logits, target),
    { labelSmoothing: 0.2, weight: [1, 2, 3, 4, 5] },
  ],
];

describe('loss flags reach the core', () => {
  it.each(CASES)('%j', async (args, call, options) => {
    const io = memoryIo();
    expect(await main(['eval', LOG, ...args, '--format', 'json'], io)).toBe(0);
    const [result] = JSON.parse(io.out()).results;
    const want = call(options);
    expect(Math.abs(result.value - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
  });
});
