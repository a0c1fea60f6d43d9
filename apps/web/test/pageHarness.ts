import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium, pageProblems } from '@lossflow/test-chromium';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: a plain ES module without types
import { serveStatic } from '../scripts/staticServer.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CLI = fileURLToPath(new URL('../../cli/bundle/bin.js', import.meta.url));

/** The built page, served on 127.0.0.1, and a Chromium (Debian's, as the other browser tests use). */
export interface PageHarness {
  readonly url: string;
  readonly browser: Browser;
  /** A fresh page at `url`: `problems` collects page and console errors, `requests` every request made after load. */
  open(width: number, height: number): Promise<{ page: Page; problems: string[]; requests: string[] }>;
  close(): Promise<void>;
}

/** Starts the server and the browser. */
export async function startHarness(): Promise<PageHarness> {
  const server = (await serveStatic(DIST)) as { url: string; close(): Promise<void> };
  const browser = await launchChromium();
  return {
    url: server.url,
    browser,
    async open(width, height) {
      const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true });
      const page = await context.newPage();
      const problems = pageProblems(page);
      const requests: string[] = [];
      await page.goto(server.url, { waitUntil: 'load' });
      // From here on the page must not ask the network for anything (workers start from blob: URLs).
      context.on('request', (r) => requests.push(r.url()));
      return { page, problems, requests };
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Runs the CLI's bundle (built by `pnpm build`) with the kernels the page uses by default, in `cwd`. */
export function cli(args: readonly string[], cwd?: string): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
    env: { ...process.env, LOSSFLOW_KERNELS: 'wasm' },
    maxBuffer: 64 << 20,
  });
}

/**
 * What the CLI prints on stderr (trimmed) when `lossflow ARGS…` fails, to hold the page's words
 * against; '' when it succeeds.
 */
export function cliFailure(args: readonly string[], cwd?: string): string {
  try {
    cli(args, cwd);
    return '';
  } catch (e) {
    return String((e as { stderr?: string }).stderr).trim();
  }
}

/**
 * Sets `files` on the page's file input (unless undefined), starts a run (unless `start` is false:
 * one is going) and waits until it ends: `done`, `cancelled`, or `error: <the message shown>`.
 */
export async function runFiles(
  page: Page,
  files: readonly string[] | undefined,
  threads = 2,
  start = true,
): Promise<string> {
  if (files !== undefined) {
    await page.setInputFiles('#files', [...files]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
  }
  if (start) {
    await page.fill('#threads', String(threads));
    await page.click('#start');
  }
  await page.waitForFunction(
    () => ['done', 'error', 'cancelled'].includes(document.body.dataset.state ?? ''),
    undefined,
    {
      timeout: 240_000,
      polling: 100,
    },
  );
  const state = await page.evaluate(() => document.body.dataset.state ?? '');
  return state === 'error' ? `error: ${await page.textContent('#error')}` : state;
}

/** Clicks a download button and returns the downloaded text. */
export async function downloaded(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = await download.path();
  return readFileSync(path, 'utf8');
}
