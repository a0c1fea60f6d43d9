/**
 * `lossflow eval --follow` against a writer process that appends an Arrow IPC stream in steps, as a
 * training job does: pauses inside a message, the last batch waiting for the next one, the
 * end-of-stream marker ending the run, and Ctrl-C printing what was read as incomplete.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli } from '../testing/runCli.js';

const FIXTURE = join(FIXTURES, 'epoch-log.arrows');
const SIZE = statSync(FIXTURE).size;

/**
 * A writer process: each line on its stdin names the byte offset of the fixture to write up to; it
 * appends those bytes, then answers `ok`.
 */
const WRITER = `
const fs = require('node:fs');
const [src, dst] = process.argv.slice(1);
const bytes = fs.readFileSync(src);
let at = 0;
let pending = '';
process.stdin.setEncoding('utf8').on('data', (d) => {
  pending += d;
  let nl;
  while ((nl = pending.indexOf('\\n')) >= 0) {
    const to = Number(pending.slice(0, nl));
    pending = pending.slice(nl + 1);
    fs.appendFileSync(dst, bytes.subarray(at, to));
    at = to;
    process.stdout.write('ok\\n');
  }
});
`;

/** A started process with its output so far, and a way to wait for some of it. */
class Proc {
  stdout = '';
  stderr = '';
  readonly done: Promise<number | null>;
  readonly child: ChildProcessWithoutNullStreams;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, args, { stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.done = new Promise((resolve) => this.child.on('close', resolve));
  }
  /** Resolves once stdout holds `text` (polled: the process writes in the background). */
  async waitFor(text: string): Promise<void> {
    while (!this.stdout.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode}: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Writes up to `offset` through the writer and waits for its `ok`. */
async function writeUpTo(writer: Proc, offset: number): Promise<void> {
  const oks = writer.stdout.split('ok').length;
  writer.child.stdin.write(`${offset}\n`);
  while (writer.stdout.split('ok').length === oks) {
    if (writer.child.exitCode !== null)
      throw new Error(`the writer exited ${writer.child.exitCode}: ${writer.stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves once the process has `file` open (Linux: its /proc fd links), or has exited. */
async function openedBy(proc: Proc, file: string): Promise<void> {
  const fds = `/proc/${proc.child.pid}/fd`;
  for (;;) {
    if (proc.child.exitCode !== null) return;
    const open = (() => {
      try {
        return readdirSync(fds).some((fd) => {
          try {
            return readlinkSync(join(fds, fd)) === file;
          } catch {
            return false;
          }
        });
      } catch {
        return false;
      }
    })();
    if (open) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function records(ndjson: string): { kind: string; key: unknown; value: number; rows: number }[] {
  return ndjson
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; key: unknown; value: number; rows: number });
}

function start(file: string, extra: readonly string[] = []) {
  writeFileSync(file, new Uint8Array(0));
  const writer = new Proc(['-e', WRITER, FIXTURE, file]);
  const lossflow = new Proc([
    BIN,
    'eval',
    file,
    '--follow',
    '--by',
    'epoch',
    '--format',
    'ndjson',
    '--every',
    '1',
    ...extra,
  ]);
  return { writer, lossflow };
}

describe('eval --follow', () => {
  it('evaluates batches as they land, waits inside a message, and ends at the end-of-stream marker with the whole file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-follow-'));
    const file = join(dir, 'growing.arrows');
    const { writer, lossflow } = start(file);
    // Cuts at odd offsets, most inside a message; the reader waits at each.
    for (const cut of [5, 1000, 4321, 7777]) {
      await writeUpTo(writer, cut);
      await new Promise((r) => setTimeout(r, 150));
    }
    // Everything but the end-of-stream marker: every batch is evaluated before the marker lands.
    await writeUpTo(writer, SIZE - 8);
    await lossflow.waitFor('"batches":10,');
    expect(lossflow.child.exitCode).toBe(null);
    await writeUpTo(writer, SIZE);
    expect(await lossflow.done).toBe(0);
    writer.child.stdin.end();
    await writer.done;
    expect(lossflow.stderr).toBe('');
    const whole = await runCli(['eval', FIXTURE, '--by', 'epoch', '--format', 'ndjson']);
    const final = records(lossflow.stdout).filter((r) => r.kind !== 'running');
    expect(final).toEqual(records(whole.stdout));
    expect(readFileSync(file).length).toBe(SIZE);
  });

  it('Ctrl-C prints what was read so far, losses and metrics marked incomplete, and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-follow-'));
    const file = join(dir, 'growing.arrows');
    const metricArgs = ['--loss', 'cross-entropy', '--metric', 'accuracy'];
    const { writer, lossflow } = start(file, metricArgs);
    await writeUpTo(writer, SIZE - 8);
    await lossflow.waitFor('"batches":10,');
    lossflow.child.kill('SIGINT');
    expect(await lossflow.done).toBe(130);
    writer.child.stdin.end();
    await writer.done;
    expect(lossflow.stderr).toContain('INCOMPLETE: interrupted before the end of the stream');
    const whole = records(
      (await runCli(['eval', FIXTURE, '--by', 'epoch', '--format', 'ndjson', ...metricArgs])).stdout,
    );
    const partial = records(lossflow.stdout).filter((r) => r.kind !== 'running');
    expect(whole.some((r) => (r as { reduction?: string }).reduction === 'metric')).toBe(true);
    expect(partial.map((r) => r.kind)).toEqual(whole.map((r) => `partial-${r.kind}`));
    expect(partial.map(({ key, value, rows }) => ({ key, value, rows }))).toEqual(
      whole.map(({ key, value, rows }) => ({ key, value, rows })),
    );
  });

  it.each([
    ['renamed over (a new file at the path)', 'CHANGED', 'the path now names another file'],
    ['deleted', 'CHANGED', 'deleted while it was followed'],
  ])(
    'a followed file %s while lossflow waits at its end fails, never a final result',
    async (what, code, detail) => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-follow-'));
      const file = join(dir, 'growing.arrows');
      const { writer, lossflow } = start(file);
      await writeUpTo(writer, SIZE - 8);
      await lossflow.waitFor('"batches":10,');
      writer.child.stdin.end();
      await writer.done;
      if (what === 'deleted') unlinkSync(file);
      else {
        // The complete log (the bytes read, and the end-of-stream marker) published by a rename.
        writeFileSync(join(dir, 'next.arrows'), readFileSync(FIXTURE));
        renameSync(join(dir, 'next.arrows'), file);
      }
      expect(await lossflow.done).toBe(1);
      expect(lossflow.stderr).toContain(`[${code}]`);
      expect(lossflow.stderr).toContain(detail);
      expect(lossflow.stderr).toContain('No result was written.');
      expect(records(lossflow.stdout).filter((r) => r.kind !== 'running')).toEqual([]);
    },
  );

  it('--report waits for a file still empty (being created), as without --report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lossflow-follow-'));
    const file = join(dir, 'growing.arrows');
    writeFileSync(file, new Uint8Array(0));
    const writer = new Proc(['-e', WRITER, FIXTURE, file]);
    const report = join(dir, 'report.html');
    const lossflow = new Proc([
      BIN,
      'eval',
      file,
      '--follow',
      '--by',
      'epoch',
      '--report',
      report,
      '--format',
      'json',
    ]);
    // Once lossflow has the empty file open it must wait (it failed here: "only 0 bytes").
    await openedBy(lossflow, file);
    await writeUpTo(writer, 5);
    await openedBy(lossflow, file);
    expect(lossflow.child.exitCode).toBe(null);
    for (const cut of [5, 4321, SIZE]) await writeUpTo(writer, cut);
    expect(await lossflow.done).toBe(0);
    writer.child.stdin.end();
    await writer.done;
    expect((JSON.parse(lossflow.stdout) as { rows: number }).rows).toBe(148);
    expect(readFileSync(report, 'utf8')).toContain('<svg');
  });

  it('--follow with standard input is bad usage', async () => {
    const run = await runCli(['eval', '-', '--follow']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--follow');
  });
});
