import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Worker threads load the built modules; build them once before any test file runs.
    globalSetup: ['./src/testing/buildDist.ts'],
  },
});
