/**
 * `lossflow demo` interrupted by a signal removes everything it created in the temporary folder:
 * the generated log and the demo folders.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN } from '../testing/runCli.js';

const TIMEOUT = 120_000;

/** Waits until the demo has started writing its log (a file in a lossflow-demo-log-* folder). */
async function untilLogIsBeingWritten(tmp: string, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('the demo ended before it wrote its log');
    const logDir = readdirSync(tmp).find((n) => n.startsWith('lossflow-demo-log-'));
    if (logDir !== undefined && readdirSync(join(tmp, logDir)).length > 0) return;
    await sleep(20);
  }
}

describe('lossflow demo interrupted', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)(
    '%s removes the generated log and the demo folders, exit %i',
    async (signal, code) => {
      const tmp = mkdtempSync(join(tmpdir(), 'lossflow-demo-signal-'));
      const child = spawn(process.execPath, [BIN, 'demo', '-q'], {
        // Node ≥ 22's compile cache (enabled by the CLI there) keeps its own folder in TMPDIR: not
        // the demo's to remove, so it is off here and the folder must end empty.
        env: { ...process.env, TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let exitCode: number | null | undefined;
      const closed = new Promise<void>((resolve) =>
        child.on('close', (c) => {
          exitCode = c;
          resolve();
        }),
      );
      await untilLogIsBeingWritten(tmp, () => exitCode !== undefined);
      child.kill(signal);
      await closed;
      expect(exitCode).toBe(code);
      expect(existsSync(tmp)).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    },
    TIMEOUT,
  );
});
