import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. Packing, `npm install` and the
    // examples' processes share 2 cores with every other package's suite under turbo.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
