import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test (Chromium starts slowly on a
    // machine shared with every other package's suite under turbo).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Temporary files of the whole suite live in one folder, removed at its end.
    globalSetup: ['../../scripts/testing/privateTmpdir.ts'],
  },
});
