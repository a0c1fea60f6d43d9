import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a run of the built `lossflow` binary printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The shipped binary, bundled (the global setup builds it before any test runs). */
export const BIN = fileURLToPath(new URL('../../bundle/bin.js', import.meta.url));

/** The repository's fixtures folder. */
export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/', import.meta.url));

/**
 * Runs `node bundle/bin.js …args` as a user's shell would (stdout and stderr are pipes, not
 * terminals), with `NO_COLOR` unset unless given. `stdout`: a file descriptor to redirect standard
 * output to (as `> /dev/full` does); `stdout` then reads ''.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { stdout?: number; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const { NO_COLOR: _, FORCE_COLOR: __, ...inherited } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...inherited, ...env },
      stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
