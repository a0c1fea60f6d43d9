import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: builds the CLI as `pnpm build` does (`tsc -b`, then the bundle), once, so
 * the end-to-end tests run the real `bundle/bin.js`, never a stale one.
 *
 * Under turbo (`pnpm test`, which sets `TURBO_HASH` for each task) the `test` task depends on
 * `build`, so the bundle is already fresh, and CI's runs on other Node versions set
 * `LOSSFLOW_CLI_BUILT=1` after building: rebuilding there would empty `bundle/` while other
 * packages' suites (the web app's) run it side by side.
 */
export default function buildCli(): void {
  if (process.env.TURBO_HASH !== undefined || process.env.LOSSFLOW_CLI_BUILT === '1') return;
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd, stdio: 'inherit' });
}
