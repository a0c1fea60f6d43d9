// Plain JavaScript with types beside it, so the Node benchmark scripts can import it as well as the
// TypeScript tests, and no package has to build it first.
import { chromium } from 'playwright-core';

/** Where scripts/ensure-chromium.sh puts Debian's Chromium (playwright's own downloads are not used). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a test browser: no sandbox (containers run it as root), no GPU, and nothing that talks
 * to the network on its own, so tests that assert "no request leaves the page" see only the page's.
 */
const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches headless Chromium for a test. Close it in a `finally`.
 *
 * @returns {Promise<import('playwright-core').Browser>}
 * @example
 * const browser = await launchChromium();
 * try { … } finally { await browser.close(); }
 */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/**
 * Collects what a page reports as wrong: uncaught errors, console errors and (with
 * `warnings: true`) console warnings, each as one line, for the test to expect empty.
 *
 * @param {import('playwright-core').Page} page
 * @param {{ warnings?: boolean }} [options]
 * @returns {string[]} filled as the page runs
 * @example
 * const problems = pageProblems(page, { warnings: true });
 * expect(problems).toEqual([]);
 */
export function pageProblems(page, options = {}) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const type = m.type();
    if (type === 'error' || (options.warnings === true && type === 'warning')) {
      problems.push(options.warnings === true ? `${type}: ${m.text()}` : m.text());
    }
  });
  return problems;
}
