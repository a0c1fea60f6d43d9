import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The package's `#platform` import points at dist; tests run the sources (the Node platform).
  resolve: { alias: { '#platform': fileURLToPath(new URL('./src/platform.node.ts', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts'],
    // Tests never time anything: the limit only stops a hung test. turbo runs every package's suite
    // side by side on 2 cores, where spawned processes and worker start-up can take many seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Worker threads load the built modules; build them once before any test file runs.
    globalSetup: ['./src/testing/buildDist.ts', '../../scripts/testing/privateTmpdir.ts'],
  },
});
