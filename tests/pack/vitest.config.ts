import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. Packing, `npm install` and the
    // examples' processes share 2 cores with every other package's suite under turbo (the whole
    // file took 163 s so, on a machine loaded by other jobs, against about 30 s alone).
    testTimeout: 240_000,
    hookTimeout: 300_000,
    // Temporary files of the whole suite live in one folder, removed at its end.
    globalSetup: ['../../scripts/testing/privateTmpdir.ts'],
  },
});
