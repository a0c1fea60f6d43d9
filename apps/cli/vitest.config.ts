import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. turbo runs every package's suite
    // side by side on 2 cores, where spawned processes and worker start-up can take many seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The end-to-end tests spawn the built binary; build it once before any test file runs.
    globalSetup: ['./src/testing/buildCli.ts', '../../scripts/testing/privateTmpdir.ts'],
  },
});
