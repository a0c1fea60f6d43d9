#!/usr/bin/env node
import { describeFailure } from './errors/describeFailure.js';
import { main } from './main.js';
import { CheckedOutput } from './output/checkedOutput.js';

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
