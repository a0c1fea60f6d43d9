import { METRICS, type MetricDescriptor } from '@lossflow/core';
import { kebabCase, LOSSES } from '../losses/lossRegistry.js';
import { LOSS_OPTION_FLAGS, type LossOptionFlag } from './lossOptionFlags.js';
import { NATS_CONNECT_HELP } from './natsConnectFlags.js';

/** `lossflow --help`. */
export const MAIN_HELP = `lossflow — PyTorch-exact losses over logged predictions (Arrow IPC, Parquet), streamed

Usage: lossflow <command> [options]

Commands:
  demo        generate a 10-epoch synthetic training log, stream its per-epoch
              cross-entropy, print the table and write an HTML report
  eval        compute losses over one or more prediction files
  publish     publish a prediction file as a live run on NATS JetStream
  inspect     show a file's format, schema with tensor shapes, rows, batches and size
  generate    write the synthetic training log as Arrow IPC or Parquet
  worker      compute items of distributed evals (eval --nats URL) from a NATS server
  runs        list the runs a NATS server keeps (distributed and live); runs rm removes them

Options:
  -h, --help     help (also: lossflow <command> --help)
  -V, --version  print the version

Examples:
  lossflow demo
  lossflow eval train-log.arrow --loss cross-entropy --by epoch
  lossflow eval preds.parquet --loss mse --input pred --target y --format json
  lossflow inspect train-log.arrow

Exit codes: 0 success, 1 a failure while reading, computing or writing, 2 bad usage,
141 the reader of stdout closed the pipe.
`;

const METRIC_LINES = (Object.values(METRICS) as MetricDescriptor[])
  .map((m) => `  ${m.cliName.padEnd(30)}${m.summary}`)
  .join('\n');
const LOSS_LINES = LOSSES.map((l) => `  ${l.name.padEnd(30)}${l.summary}`).join('\n');
const OPTION_LINES = LOSS_OPTION_FLAGS.map((f) => {
  const users = LOSSES.filter((l) => l.options.includes(f.key)).map((l) => l.name);
  return `  ${`${flagUsage(f)} `.padEnd(26)}${f.describe}\n${wrap(`for ${users.join(', ')}`, 28, 94)}`;
}).join('\n');

/** Words filled into lines of at most `width` columns, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`).join('\n');
}

function flagUsage(f: LossOptionFlag): string {
  if (f.kind === 'boolean') return `--[no-]${f.flag}`;
  const value = { numbers: 'LIST', integer: 'N', number: 'X', choice: 'NAME' }[f.kind];
  return `--${f.flag} ${value}`;
}

const ROLE_LINES = [...new Set(LOSSES.flatMap((l) => l.roles))]
  .filter((r) => r !== 'input' && r !== 'target')
  .map((r) => `--${kebabCase(r)}`)
  .join(', ');

/** `lossflow eval --help`. */
export const EVAL_HELP = `Usage: lossflow eval FILE... [--loss NAME [loss options]]... [--metric NAME [metric options]]... [options]

Computes each --loss over every row of the files (read once, as one stream), exactly as
torch.nn.functional would over all rows at once. Several files are one stream.

Inputs (FILE...; all must have the columns used, else an error names both files):
  FILE                      an Arrow IPC stream (.arrows) or file (.arrow, .feather) or Parquet
  -                         an Arrow IPC stream on standard input (python make_preds.py | lossflow eval -),
                            named - in outputs, errors and --by file, with the bytes read
  FOLDER                    every .arrow/.arrows/.feather/.parquet file under it, at any depth,
                            sorted by path with digit runs as numbers (epoch=2 before epoch=10);
                            names starting with . or _ (_SUCCESS) are skipped
  'PATTERN'                 a glob lossflow expands itself (quoted, or from a shell that does not):
                            * ? [abc] within a name, ** any depth of folders; sorted as folders are;
                            a wildcard skips . and _ names (unless the pattern starts with one) and
                            files without a log extension; a path without wildcards is always read
  Hive partitions           folders named KEY=VALUE (…/epoch=3/part-0.parquet) give the key KEY,
                            an integer when every value is one (as pyarrow types it), else text, for
                            --by and --keys: the folders below the folder or the pattern's fixed part
                            given, or for a file named directly every folder of its path (.. resolved);
                            every file must be under the key's folders; a key not used is no partition
  A file named twice (also through a folder or a pattern, or by another path) is bad usage.

Losses (--loss NAME; torch's spellings work too: mse-loss, MSELoss, cross_entropy):
${LOSS_LINES}
  Default: cross-entropy; with only --metric, no loss.

Columns (auto-detected when not given):
  --input COL               predictions (default: logits, input, pred or prediction)
  --target COL              targets (default: target, label, labels or y)
  ${ROLE_LINES}
                            the other inputs of some losses (default: the column of that name)

Loss options (torch's arguments in kebab case; after a --loss they apply to that loss only,
before any --loss to every loss that takes them):
  --reduction mean|sum      how rows reduce (kl-div also: batchmean); default mean
${OPTION_LINES}
  --weight-file FILE        --weight from a JSON array of numbers
  --option KEY=VALUE        any core option by name, e.g. --option label-smoothing=0.1

Metrics (--metric NAME, several allowed, computed in the same pass as the losses; flags after a
--metric apply to it: --input, --target, --ignore-index, --weight and these):
${METRIC_LINES}
  --k N                     top-k-accuracy: classes counted as a hit (default 5)
  --average micro|macro|weighted|none|binary
                            precision, recall, f1 (default macro; for one 0/1 target per sample
                            binary = the positive class, the others over classes 0 and 1), auroc (macro|none)
  --threshold P             0/1 targets: a probability > P predicts 1 (default 0.5); with
                            class-index targets (argmax) it is a usage error
  --multilabel subset|elementwise|macro
                            accuracy of (N, L) 0/1 targets: rows with every label right (default,
                            accuracy_score), every label, or the mean of per-label accuracies;
                            with class-index targets it is a usage error
  --multioutput uniform_average|raw_values|variance_weighted
                            r2, pearson of (N, k) data: the mean over outputs (default), one value
                            per output, or weighted by target variance (r2 only)
  --scores logits|probabilities
                            what --input holds (default logits: softmax / sigmoid first); not
                            given, a note goes to stderr when the first batch's scores look like
                            probabilities (all in [0, 1]; class scores summing to 1 per row)
  --n-bins N                calibration-error bins (default 15)
  --norm l1|max|l2          calibration-error: ECE (default), MCE or RMS
  --thresholds N            auroc's bins (default 1000); the output gives the error bound (± …):
                            the exact AUROC lies within value ± bound; more bins, a smaller bound
  --grid logit|linear       auroc's grid: bins over the log-odds (default; accurate at any class
                            count) or torchmetrics' thresholds j/(N-1) over [0, 1]
  Metrics run in the worker threads beside the losses (one read; same bits for any --threads).

Grouping and output:
  --by KEY[,KEY...]         one value per key (e.g. epoch), and the total. A KEY is a column, a Hive
                            partition key or file (one group per input file); several keys group
                            by their combination: --by run,epoch (each name once). A partition key
                            or file that is also a column of the data is bad usage
  --max-groups N            --by keys allowed before the run fails (TOO_MANY_GROUPS, exit 1,
                            naming the key); default: as many as fit 128 MiB of group states at
                            the measured per-group cost of the chosen losses and metrics (32,768
                            for one loss, ~10,800 for one metric; fewer with a confusion matrix
                            or AUROC per group)
  --follow                  read Arrow IPC stream files while a writer appends to them (like
                            tail -f): batches are evaluated as they land, running values print per
                            --every, results print at the end-of-stream marker. Ctrl-C prints what
                            was read, marked INCOMPLETE (json: "incomplete": true; csv/ndjson:
                            kinds partial-group, partial-total), and exits 130
  --format FORMAT           table (default, for people), json (one document), csv or ndjson
                            (one line per group, then the total; several --by keys: a CSV column each)
  --every N                 with csv/ndjson: also a line of running values every N batches
                            (of each loss and each --metric)
  --report FILE.html        write a self-contained HTML report: the loss per batch (per --every
                            batches) with a smoothing control, and the running loss per group;
                            the metrics' values, each confusion matrix as a heat map
  --step COLUMN             the report's x axis (default: step, when the file has it)
  --per-row FILE.arrows     write each row's loss (one --loss) as an Arrow IPC stream
  --keys COL,COL            columns copied next to the per-row losses (default: the --by column(s));
                            a Hive partition key or file is written as a column too
  --nulls error|skip        a null in a used column is an error (default) or skips the row
  --limit N                 read only the first N rows
  --threads N               threads that read and compute, the main thread included: 1 to 256
                            (default: one per core; --per-row reads in the main thread alone)
  --allow-missing-end-of-stream
                            read an Arrow IPC stream that ends without its end-of-stream marker
                            as complete (some writers omit it; by default it is an error)
  -q, --quiet               no progress line (progress shows only when stderr is a terminal)
                            and no note about many groups
  -h, --help                this help

Whole numbers are decimal digits (--threads 8, --ignore-index -100; not 1e3 or 0x2).

Live runs on NATS JetStream (lossflow eval --subject S, no FILE; see lossflow publish --help):
  --subject S               read the run published on S (by lossflow publish or publishBatches)
  --run ID                  which run (default: the newest run on S; its id goes to stderr)
  --follow                  wait for the run's batches and end-of-run marker while it is
                            published (with --every: running values as they come); without it
                            a run without its marker is an error (INCOMPLETE_RUN)
  --keep                    keep the run: a run read to its marker whose result was printed is
                            finished, and its stream is removed (a failed read keeps it)

${NATS_CONNECT_HELP}
  A live run is read whole in one thread: --threads, --limit and
  --allow-missing-end-of-stream are for files. When the NATS server restarts (its
  file storage keeps the run) or the connection drops, the read goes on from the
  message after the last one read; after 10 failed attempts in a row it exits 1.

Output files (--report, --per-row): checked before anything is read — a directory, a file in a
missing folder or one this user may not write in, a path through a file (in.arrows/), one of
the input files (by device and inode: links and ./ spellings too) or both outputs on one file
is bad usage. A regular file is written to a temporary file beside it
(.NAME.PID-RANDOM.HOST.lossflow-tmp) and renamed into place only when the run succeeds; after a
failure an existing file is left as it was. One left by a killed lossflow (SIGKILL) is removed
when lossflow next writes an output in that folder (only this machine's, once that process is gone). /dev/stdout, /dev/null or a FIFO is written directly and never removed.

Limits: --threads at most 256. --by with a partition key, file or several keys, and --follow,
read in the main thread. Past 10,000 --by groups a note goes to stderr; every group is
still computed and printed, and the report draws the first 50 groups to appear and lists the
first 1,000. Past the group budget (--max-groups) the run fails early instead of running out of
memory, within one batch too: raise it, group by a coarser key, or write --per-row losses without --by. An Arrow IPC file or Parquet file read from a pipe is first copied to a temporary
file in TMPDIR (an IPC stream is read as it arrives; a copy left by a killed lossflow of this
machine is removed by the next one); a pipe is read once, so with --report its
chart counts rows unless --step is given. Worker threads start as the input needs them: a small
file starts none, whatever --threads says. All float columns (float32 or float64) must keep
their type across batches and files (else DTYPE_CHANGED).

Distributed (NATS JetStream): --nats URL makes this command the coordinator of a run that
workers (lossflow worker --nats URL, on any machines that read the files by the same path)
compute; it prints exactly what it prints without --nats. --run ID starts or resumes that run
(states already computed are kept); --keep keeps the run's stream and KV bucket afterwards.
It takes the connection flags above (--nats-token, --nats-user/--nats-pass, --nats-creds,
--nats-tls-ca). Every option works as without --nats (--metric, --by file, Hive partition keys,
several keys, --limit), except --per-row (run it without --nats) and standard input or --follow (publish the rows as a
live run instead: lossflow publish, then lossflow eval --nats URL --subject S).

JSON output (--format json), exactly one document:
  { "rows": <rows read>, "files": [ { "path", "bytes" } ], "columns": [<columns read>],
    "by": [<--by keys>], "results": [ { "loss": "cross-entropy", "reduction": "mean",
    "options": {…}, "columns": { "input": "logits", "target": "target" }, "value": <number>,
    "rows": <rows counted>, "groups": [ { "key": <--by value>, "value": <number>, "rows": <n> }, … ] } ] }
  by and groups only with --by; with --metric also "metrics": [ { "metric": "accuracy", "options": {…},
    "value": <number, per-class array or matrix>, "rows": <n>, "groups": […] } ] (CSV/NDJSON: records
    with reduction "metric", a non-scalar value as JSON text); a key of several names is an object ({ "run": "a", "epoch": 3 };
  in CSV a column per key, named after it); a non-finite value or --by key is the string "Infinity", "-Infinity" or
  "NaN" (torch's inf, -inf, nan: a diverged loss, a mean over no rows), never null. CSV and
  NDJSON write the same words.

Examples:
  lossflow eval train-log.arrow --by epoch
  python make_preds.py | lossflow eval - --by epoch
  lossflow eval runs/ --by run,epoch --report runs.html
  lossflow eval 'shards/rank-*.arrows' --by file
  lossflow eval train.arrows --follow --format ndjson --every 100
  lossflow eval a.arrow b.arrow --loss cross-entropy --weight 0.5,1,2 --ignore-index -100
  lossflow eval log.parquet --loss cross-entropy --label-smoothing 0.1 --loss nll --format json
  lossflow eval preds.arrow --loss mse --input pred --target y --by epoch --format csv --every 100
  lossflow eval train-log.arrow --by epoch --report report.html --per-row losses.arrows
  lossflow eval preds.arrow --metric accuracy --metric top-k-accuracy --k 5 --metric calibration-error
  lossflow eval /shared/logs/*.arrows --by epoch --nats nats://nats.internal:4222
  lossflow eval --nats nats://host:4222 --subject train.preds --follow --by epoch --every 10 --format ndjson

Exit codes: 0 success, 1 a failure while reading, computing or writing (a full disk; nothing
is printed as a complete result), 2 bad usage, 141 the reader of stdout closed the pipe
(\`| head\`), as for Unix tools killed by SIGPIPE.
`;

/** `lossflow demo --help`. */
export const DEMO_HELP = `Usage: lossflow demo [options]

Generates a synthetic training log (10 epochs × 100,000 rows × 100 classes by default) in a
temporary folder, streams the running cross-entropy of each epoch with a progress line, prints
the per-epoch table and writes an HTML report, whose path it prints. The generated log is
deleted afterwards unless --keep is given.

Options:
  --epochs N          epochs (default 10)
  --rows N            rows per epoch (default 100000)
  --classes N         classes (default 100)
  --seed N            generator seed (default 1)
  --ignore-share X    share of targets set to -100, ignored by cross-entropy (default 0)
  --batch-rows N      rows per record batch (default 2048: about 50 chart points per epoch)
  --out DIR           folder for the report and, with --keep, the log (default: a new
                      temporary folder); without --keep the log goes to a temporary folder
  --report FILE.html  where to write the report (default: DIR/report.html)
  --format FORMAT     table (default), json, csv or ndjson
  --keep              keep the generated log
  -q, --quiet         no progress line
  -h, --help          this help

Examples:
  lossflow demo
  lossflow demo --epochs 3 --rows 20000 --classes 10 --out ./demo --keep
`;

/** `lossflow inspect --help`. */
export const INSPECT_HELP = `Usage: lossflow inspect FILE... [--format table|json]

Shows each file's format (from its magic bytes), size, schema with each column's type and
per-row tensor shape, rows and batches (reading through the file once). For Parquet, also which
decoder reads each column chunk (the fast path, or the general decoder and why: "codec GZIP",
"nulls in list", …) and its largest page, and warns about any page larger than the memory budget
(such a page cannot be streamed under it).

Options:
  --format table|json  table (default) or one JSON document: { "files": [ { "file", "format",
                       "bytes", "rows", "batches", "columns": [ { "name", "type", "shape" } ],
                       Parquet only: "parquet": { "memoryBudget", "warnings": [ … ], "chunks": [
                       { "rowGroup", "column", "codec", "decoder": "fast"|"fallback", "reason",
                       "pages", "largestPage" } ] } } ] }
  --memory-budget MB   warn about Parquet pages larger than this many megabytes (default 300)
  --allow-missing-end-of-stream
                       read an Arrow IPC stream that ends without its end-of-stream marker as
                       complete (by default it is an error)
  -q, --quiet          no progress line
  -h, --help           this help

Examples:
  lossflow inspect train-log.arrow
  lossflow inspect part-*.parquet --format json
`;

/** `lossflow generate --help`. */
export const GENERATE_HELP = `Usage: lossflow generate --out FILE [options]

Writes the seeded synthetic training log: columns epoch (Int32), step (Int64), logits
(FixedSizeList<Float32>[classes]) and target (Int64, a share of them -100 = ignored), where
the model visibly improves from epoch to epoch.

Options:
  --out FILE           where to write (required; written to a temporary file beside it and
                       renamed into place when complete; a directory is bad usage)
  --format FORMAT      arrow (IPC stream, default), arrow-file (IPC file) or parquet
  --rows N             rows per epoch (default 100000)
  --classes N          classes (default 100)
  --epochs N           epochs (default 10)
  --seed N             seed (default 1)
  --ignore-share X     share of targets set to -100 (default: the generator's)
  --batch-rows N       rows per record batch / row group (default: the generator's)
  -q, --quiet          print nothing on success
  -h, --help           this help

Examples:
  lossflow generate --out train-log.arrows
  lossflow generate --rows 50000 --classes 10 --epochs 5 --format parquet --out log.parquet
`;

/** `lossflow worker --help`. */
export const WORKER_HELP = `Usage: lossflow worker [--nats URL] [connection flags] [--threads N] [--quiet]

Serves distributed evaluations (lossflow eval FILE... --nats URL) from a NATS JetStream server
until stopped: computes one item (a part of a file: whole batches or Parquet row groups) at a
time with N threads, pulling the next one meanwhile, and stores its partial states for the
coordinator. Any number of workers, on any machines that read the files by the same path; each
serves every run. A worker
killed mid-item loses nothing: the item goes to another worker after the ack wait. SIGTERM or
SIGINT releases the items in hand for another worker and exits 0.

Options:
  --threads N     threads per item, this one included: 1 to 256 (default 1)
  -q, --quiet     no log lines on stderr

${NATS_CONNECT_HELP}

Example:
  lossflow worker --nats nats://nats.internal:4222 --threads 4
`;

/** \`lossflow runs --help\`. */
export const RUNS_HELP = `Usage: lossflow runs [--nats URL] [connection flags] [--format table|json]
       lossflow runs rm ID... [--all-finished] [--older-than DURATION] [--nats URL] [--format table|json]

Lists the runs a NATS JetStream server keeps: distributed evaluations (lossflow eval FILE...
--nats URL; kept with --keep, interrupted, or waiting for workers) and live runs (lossflow
publish, publishBatches), with their id, kind (a live run with its subject), age, items done of
the plan's total (distributed) or messages and bytes stored (live), and whether they are finished
(every item stored; a live run's end-of-run marker published) or failed (a distributed run whose
coordinator failed, kept with --keep; a live run its publisher closed with a failure marker).

runs rm removes runs with everything they keep on the server (streams, KV bucket): the runs
named by ID (a run id, or a full name: SUBJECT.RUN for a live run, distributed:ID for a
distributed run), and with --all-finished every finished run, with --older-than every run older
than DURATION (90s, 30m, 36h, 7d), finished or not; both flags together: finished runs older than
DURATION. It prints one line per run removed (--format json: { "runs": [...] } of the runs
removed). Every ID is checked first: an ID that names no run, or a run id that several runs
share (live runs on different subjects, a live and a distributed run), is refused (exit 2,
nothing removed), the latter with their full names: the table shows such runs by full name, and
--format json gives every run's full name as "name". A refusal or failure prints nothing on
stdout, with --format json too; its message goes to stderr.

Options:
  --format F                table (default) or json ({ "runs": [...] }, each with its ageMs)
  --all-finished            (runs rm) remove every finished run
  --older-than DURATION     (runs rm) remove every run created longer ago than DURATION

${NATS_CONNECT_HELP}

Examples:
  lossflow runs --nats nats://nats.internal:4222
  lossflow runs rm nightly-7 train.preds.20261205T124758Z-3fa9c1
  lossflow runs rm --all-finished --older-than 7d
`;
