import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The end-to-end tests spawn the built binary; build it once before any test file runs.
    globalSetup: ['./src/testing/buildCli.ts'],
  },
});
