import type { Browser, Page } from 'playwright-core';

/** Where scripts/ensure-chromium.sh puts Debian's Chromium (playwright's own downloads are not used). */
export declare const CHROMIUM_PATH: string;

/**
 * Launches headless Chromium for a test (no sandbox, no GPU, no background network). Close it in
 * a `finally`.
 */
export declare function launchChromium(): Promise<Browser>;

/**
 * Collects what a page reports as wrong: uncaught errors (`pageerror: …`), console errors and,
 * with `warnings: true`, console warnings (then each line starts with its type), for the test to
 * expect empty.
 */
export declare function pageProblems(page: Page, options?: { readonly warnings?: boolean }): string[];
