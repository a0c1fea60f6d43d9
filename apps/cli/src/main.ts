import { readFileSync } from 'node:fs';
import type { CliIo } from './output/cliIo.js';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/**
 * The main help, loaded on use: it lists the registry's losses and metrics, which pulls in
 * @lossflow/core, so a static import made every command (`--version` too) load it before starting.
 */
async function mainHelp(): Promise<string> {
  return (await import('./args/helpText.js')).MAIN_HELP;
}

// Loaded on use, so `--help` and `--version` do not pay for loading Arrow, Parquet and RxJS.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  demo: async () => (await import('./commands/demoCommand.js')).demoCommand,
  eval: async () => (await import('./commands/evalCommand.js')).evalCommand,
  publish: async () => (await import('./commands/publishCommand.js')).publishCommand,
  inspect: async () => (await import('./commands/inspectCommand.js')).inspectCommand,
  generate: async () => (await import('./commands/generateCommand.js')).generateCommand,
  worker: async () => (await import('./commands/workerCommand.js')).workerCommand,
  runs: async () => (await import('./commands/runsCommand.js')).runsCommand,
};

/**
 * The `lossflow` command line: dispatches to a command and returns the exit code (0 success,
 * 1 a failure while reading or computing, 2 bad usage). Never throws for bad input.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(await mainHelp());
    return 2;
  }
  if (command === '--help' || command === '-h') {
    io.stdout.write(await mainHelp());
    return 0;
  }
  if (command === 'help') {
    const topic = rest[0];
    const load = topic === undefined ? undefined : COMMANDS[topic];
    if (load !== undefined) return (await load())(['--help'], io);
    io.stdout.write(await mainHelp());
    return topic === undefined ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  if (load === undefined) {
    const { didYouMean } = await import('./args/didYouMean.js');
    const guess = didYouMean(command, Object.keys(COMMANDS));
    io.stderr.write(
      `lossflow: unknown command '${command}'.${guess === undefined ? '' : ` Did you mean '${guess}'?`} Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'lossflow --help' for usage.\n`,
    );
    return 2;
  }
  // LOSSFLOW_TRACE=1: start-up marks on stderr, on the clock of the worker pool's (see traceMarks).
  const trace =
    io.env.LOSSFLOW_TRACE === '1' ? (await import('@lossflow/arrow/prestart')).traceMark : undefined;
  trace?.(
    `cli: main running (node bootstrapped at ${performance.nodeTiming.bootstrapComplete.toFixed(1)} ms)`,
  );
  // eval's workers are pre-started before the command's modules start loading: requested first,
  // those modules (RxJS, apache-arrow, the readers) were evaluated before the small pre-start
  // chunk, so the workers started 0.1–0.3 s late and each began computing well after this
  // thread; now they boot while this thread loads the command.
  const prestarted =
    command === 'eval' && !rest.some((a) => a === '--nats' || a.startsWith('--nats='))
      ? await (await import('./commands/prestartEval.js')).prestartEval(rest)
      : undefined;
  const run = await load();
  trace?.(`cli: ${command} command loaded`);
  // The kernels compiled off this thread while it loaded the command: in place before any loss runs.
  await prestarted?.kernels;
  trace?.('cli: kernels compiled');
  const code = await run(rest, io);
  trace?.(`cli: ${command} done`);
  return code;
}

function version(): string {
  // The package.json sits one level above both src/ and dist/.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
