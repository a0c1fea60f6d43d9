#!/usr/bin/env node
import nodeModule from 'node:module';
import { main } from './main.js';
import { CheckedOutput } from './output/checkedOutput.js';

// Node ≥ 22.1 keeps V8's compiled code of the modules on disk (in the OS temp folder, or where
// NODE_COMPILE_CACHE says; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a run after the first
// skips most of the compiling of apache-arrow, RxJS and the command line. Called before main()
// loads any of them; Node 20 has no such cache and skips this.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The bundle's source maps make a reported stack trace point into the package's modules.
if (process.env.LOSSFLOW_DEBUG) process.setSourceMapsEnabled(true);

const command = process.argv[2];
const stdout = new CheckedOutput(
  process.stdout,
  command === 'eval' || command === 'demo' ? 'the results' : '',
);
// A failed write to stderr has nowhere to be reported; the listener keeps it from crashing the run.
const stderr = new CheckedOutput(process.stderr, 'messages');

let code = await main(process.argv.slice(2), { stdout, stderr, env: process.env });
// Whatever a command printed last (a table, a JSON document, help) must have arrived for exit 0:
// a full disk or a closed pipe shows only now, when the stream has been flushed.
try {
  await stdout.flush();
} catch (error) {
  // Loaded only here: it imports every package's error types, which a run that ends well never needs.
  const { describeFailure } = await import('./errors/describeFailure.js');
  const failure = describeFailure(error, {
    command: command === undefined || command.startsWith('-') ? 'lossflow' : command,
  });
  // A command that failed has already said why (a run stopped by this very failure included).
  if (code === 0) {
    if (failure.message !== '' && stderr.failure === undefined) stderr.write(`${failure.message}\n`);
    code = failure.exitCode;
  }
}
process.exitCode = code;
// Exit once stderr is flushed too, so a worker or handle left open by a failed read can never keep a
// script waiting; exiting earlier could cut off piped messages.
process.stderr.write('', () => process.exit(code));
