import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lossTaskUrl } from './lossTaskUrl.js';

describe('the worker task module', () => {
  it('is the file the package exports as @lossflow/rx/worker (what a bundler takes as an entry)', () => {
    const exported = createRequire(import.meta.url).resolve('@lossflow/rx/worker');
    expect(lossTaskUrl()).toBe(pathToFileURL(exported).href);
  });

  it('has its node entries: ./node and ./prestart', () => {
    const require = createRequire(import.meta.url);
    expect(require.resolve('@lossflow/rx/node')).toMatch(/dist\/node\.js$/);
    expect(require.resolve('@lossflow/rx/prestart')).toMatch(/dist\/threads\/prestartLossWorkers\.js$/);
  });
});
