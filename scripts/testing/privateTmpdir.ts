import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: the suite's temporary files go to one folder of its own, removed when the
 * suite ends.
 *
 * Test files create folders with `mkdtempSync(tmpdir())`, and so do the CLIs, browsers and servers
 * they start. Removing each one in each file is easy to forget (hundreds of megabytes were left
 * behind per run), so `TMPDIR` is pointed here before any test worker starts: every process of the
 * suite inherits it, and one `rmSync` at the end removes what they all wrote, passed or failed.
 */
export default function privateTmpdir(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'lossflow-test-'));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
