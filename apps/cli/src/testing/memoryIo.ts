import type { CliIo } from '../output/cliIo.js';

/** A {@link CliIo} that collects what a command writes, for in-process tests. */
export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
}

/** A fresh in-memory io; `tty` makes both streams claim to be terminals. */
export function memoryIo(options: { tty?: boolean; env?: Record<string, string> } = {}): MemoryIo {
  let out = '';
  let err = '';
  const tty = options.tty ?? false;
  return {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
      isTTY: tty,
      columns: 100,
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
      isTTY: tty,
      columns: 100,
    },
    env: options.env ?? {},
    out: () => out,
    err: () => err,
  };
}
