import { launchChromium, pageProblems } from '@lossflow/test-chromium';
import type { Page } from 'playwright-core';

/**
 * Runs `run` on a blank page of headless Chromium (Debian's, as the CLI's report test uses) that
 * has loaded the bundle `code`; `problems` collects page errors and console errors for the test
 * to assert empty. The browser is closed whatever `run` does.
 *
 * @example
 * const value = await inChromium(code, 'lossflow', (page) => page.evaluate(() => 1));
 */
export async function inChromium<T>(
  code: string,
  title: string,
  run: (page: Page, problems: string[]) => Promise<T>,
): Promise<T> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems = pageProblems(page);
    await page.setContent(`<!doctype html><title>${title}</title>`);
    await page.addScriptTag({ content: code });
    return await run(page, problems);
  } finally {
    await browser.close();
  }
}
