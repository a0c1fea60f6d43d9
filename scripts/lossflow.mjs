// `pnpm lossflow …` at the repository root: the command line from a checkout, where `lossflow` is
// not on the PATH. Builds the CLI and its workspace packages when needed (turbo: a cache hit when
// nothing changed; its output is shown only when the build fails, so stdout stays the CLI's), then
// runs the bundle with the arguments, in the folder `pnpm` was called from, with its exit code.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const turbo = join(root, 'node_modules', '.bin', 'turbo');
const build = spawnSync(turbo, ['run', 'build', '--filter=lossflow...', '--output-logs=errors-only'], {
  cwd: root,
  encoding: 'utf8',
});
if (build.error || build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  process.stderr.write(
    `pnpm lossflow: building the CLI failed (${build.error?.message ?? `exit ${build.status}`})\n`,
  );
  process.exit(1);
}

// pnpm runs root scripts in the root; INIT_CWD is where it was called, so relative paths given
// to the CLI mean what the caller meant.
const cli = spawnSync(
  process.execPath,
  [join(root, 'apps', 'cli', 'bundle', 'bin.js'), ...process.argv.slice(2)],
  {
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm for this script, not a turbo task's input
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdio: 'inherit',
  },
);
if (cli.signal) process.kill(process.pid, cli.signal);
process.exit(cli.status ?? 1);
