import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: builds the CLI as `pnpm build` does (`tsc -b`, then the bundle), once, so
 * the end-to-end tests run the real `bundle/bin.js`, never a stale one.
 */
export default function buildCli(): void {
  const cwd = fileURLToPath(new URL('../..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd, stdio: 'inherit' });
}
