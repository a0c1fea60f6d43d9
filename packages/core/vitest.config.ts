import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. turbo runs every package's suite
    // side by side on 2 cores, where spawned processes and worker start-up can take many seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Temporary files of the whole suite live in one folder, removed at its end.
    globalSetup: ['../../scripts/testing/privateTmpdir.ts'],
  },
});
