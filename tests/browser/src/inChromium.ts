import { chromium, type Page } from 'playwright-core';

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
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.setContent(`<!doctype html><title>${title}</title>`);
    await page.addScriptTag({ content: code });
    return await run(page, problems);
  } finally {
    await browser.close();
  }
}
