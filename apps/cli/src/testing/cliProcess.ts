import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './runCli.js';

/** A `lossflow` process started by a test (a worker, a coordinator), to wait on, signal and kill by PID. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches `pattern` (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** The exit code (null after a signal). */
  exited(): Promise<number | null>;
  /** Sends `signal` to the process by its PID. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node bundle/bin.js …args` with stdout and stderr piped. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const l of listeners) l();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(err)) {
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        check();
        void exit.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            reject(new Error(`exited before stderr matched ${pattern}:\n${err}`));
          }
        });
      }),
    exited: () => exit,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal);
      }
    },
  };
}
