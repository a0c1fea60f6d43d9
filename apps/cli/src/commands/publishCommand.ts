import { statSync } from 'node:fs';
import { readFile } from '@lossflow/arrow/node';
import { isLiveSubject, isRunId, type LiveStreamLimits } from '@lossflow/nats';
import { connectNats, publishBatches } from '@lossflow/nats/node';
import { hasFlag, lastValue, parseArgv, wantsHelp } from '../args/argv.js';
import { NATS_CONNECT_FLAGS, NATS_CONNECT_HELP, natsConnectOptionsOf } from '../args/natsConnectFlags.js';
import { byteSize, durationMs } from '../args/streamLimitFlags.js';
import { describeFailure } from '../errors/describeFailure.js';
import { UsageError } from '../errors/UsageError.js';
import { natsFailure } from '../nats/natsFailure.js';
import { colorEnabled, styleFor } from '../output/ansi.js';
import type { CliIo } from '../output/cliIo.js';
import { formatBytes, formatCounted } from '../output/numberFormat.js';
import { ProgressReporter } from '../progress/progressReporter.js';

/** `lossflow publish --help`. */
export const PUBLISH_HELP = `Usage: lossflow publish FILE --subject S [--run ID] [--nats URL] [options]

Publishes a prediction file (Arrow IPC or Parquet) as a live run on NATS JetStream, as a training
job would: each record batch becomes one Arrow IPC message on S.RUN (batches larger than the
server's max_payload are split by rows), then an end-of-run marker. Up to 8 messages are sent
ahead of their acknowledgements; a retried message is stored once (readers put a late one back in
order); a run id is published once: a second publisher of the same --run (at the same time or later)
exits 1 with RUN_EXISTS and stores nothing. Read it with: lossflow eval --nats URL --subject S [--run ID] [--follow]

Prints the run id on stdout.

Options:
  --subject S               the subject runs are published under (dot-separated tokens)
  --run ID                  the run id (letters, digits, _ and -; default: the time and a random suffix)
  --max-age D               when this creates the run's stream: remove its messages D after they
                            are stored (90s, 30m, 36h, 7d); a reader of an expired run fails (GAP)
  --max-bytes N             when this creates the run's stream: bytes it may hold (512MB, 2GiB);
                            past it publishing fails, nothing stored is dropped
  --allow-missing-end-of-stream
                            an Arrow IPC stream without its end-of-stream marker publishes as
                            complete (some writers leave it out); without it such a file fails
  -q, --quiet               no progress line, no summary on stderr
  -h, --help                this help

${NATS_CONNECT_HELP}
`;

const PUBLISH_FLAGS = {
  ...NATS_CONNECT_FLAGS,
  subject: { type: 'string' },
  run: { type: 'string' },
  'max-age': { type: 'string' },
  'max-bytes': { type: 'string' },
  'allow-missing-end-of-stream': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `lossflow publish FILE --subject S [--run ID]`: publishes a file's batches as a live run.
 *
 * @returns the exit code: 0, 1 (reading, connecting or publishing failed) or 2 (bad usage)
 */
export async function publishCommand(args: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout.write(PUBLISH_HELP);
    return 0;
  }
  let file: string;
  let subject: string;
  let run: string | undefined;
  let limits: LiveStreamLimits;
  let parsed: ReturnType<typeof parseArgv>;
  try {
    parsed = parseArgv(args, PUBLISH_FLAGS, 'publish');
    const [first, ...more] = parsed.positionals;
    if (first === undefined || more.length > 0) {
      throw new UsageError('publish takes one FILE (Arrow IPC stream or file, or Parquet).', 'publish');
    }
    file = first;
    const s = lastValue(parsed, 'subject');
    if (s === undefined) throw new UsageError('publish needs --subject S.', 'publish');
    if (!isLiveSubject(s)) {
      throw new UsageError(
        `--subject takes dot-separated tokens of letters, digits, _ and - (got '${s}').`,
        'publish',
      );
    }
    subject = s;
    run = lastValue(parsed, 'run');
    if (run !== undefined && !isRunId(run)) {
      throw new UsageError(`--run takes 1 to 64 letters, digits, _ and - (got '${run}').`, 'publish');
    }
    const maxAge = lastValue(parsed, 'max-age');
    const maxBytes = lastValue(parsed, 'max-bytes');
    limits = {
      ...(maxAge === undefined ? {} : { maxAgeMs: durationMs(maxAge, '--max-age', 'publish') }),
      ...(maxBytes === undefined ? {} : { maxBytes: byteSize(maxBytes, '--max-bytes', 'publish') }),
    };
  } catch (error) {
    const failure = describeFailure(error, { command: 'publish' });
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
  const quiet = hasFlag(parsed, 'quiet');
  const connect = natsConnectOptionsOf(parsed, io.env);
  const progress = new ProgressReporter(
    io.stderr,
    io.stderr.isTTY === true && !quiet,
    styleFor(colorEnabled(io.stderr.isTTY === true, io.env)),
  );
  try {
    const totalBytes = statSync(file).size;
    const nc = await connectNats(connect);
    try {
      const reader = readFile(file, {
        allowMissingEndOfStream: hasFlag(parsed, 'allow-missing-end-of-stream'),
      });
      const published = await publishBatches(nc, reader, {
        subject,
        ...(run === undefined ? {} : { run }),
        limits,
        onProgress: (p) =>
          progress.update({
            label: 'publishing',
            rows: p.rows,
            bytes: reader.progress.bytesRead,
            totalBytes,
          }),
      });
      progress.done();
      io.stdout.write(`${published.run}\n`);
      if (!quiet) {
        io.stderr.write(
          `Published run ${published.run} on ${published.subject}: ${formatCounted(published.rows, 'row', 'rows')} in ${formatCounted(published.messages, 'message', 'messages')} (${formatBytes(published.bytes)}).\n`,
        );
      }
      return 0;
    } finally {
      await nc.close();
    }
  } catch (error) {
    progress.done();
    const failure =
      natsFailure(error, 'publish', connect.servers, io.env) ??
      describeFailure(error, { command: 'publish', currentFile: () => file });
    if (failure.message !== '') io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}
