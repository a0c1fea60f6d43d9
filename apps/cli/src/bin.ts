#!/usr/bin/env node
import { main } from './main.js';

// The bundle's source maps make a reported stack trace point into the package's modules.
if (process.env.LOSSFLOW_DEBUG) process.setSourceMapsEnabled(true);

// A closed pipe (`lossflow eval … | head`) is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// Exit once both streams are flushed, so a worker or handle left open by a failed read can never
// keep a script waiting; exiting earlier could cut off piped output.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
