import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. Each test file starts its own
    // nats-server (and, for the fault tests, worker processes) on a 2-core machine shared with the
    // other packages' suites.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    globalSetup: ['./src/testing/buildDist.ts', '../../scripts/testing/privateTmpdir.ts'],
  },
});
