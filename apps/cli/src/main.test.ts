import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { memoryIo } from './testing/memoryIo.js';
import { FIXTURES, runCli } from './testing/runCli.js';

const LOG = join(FIXTURES, 'epoch-log.arrows');
const TIMEOUT = 60_000;

describe('lossflow help', () => {
  it('documents every command at the top level', async () => {
    const io = memoryIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const command of ['demo', 'eval', 'inspect', 'generate'])
      expect(io.out()).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(io.out()).toContain(
      'Exit codes: 0 success, 1 a failure while reading, computing or writing, 2 bad usage,\n141 the reader of stdout closed the pipe.',
    );
  });

  it.each(['demo', 'eval', 'inspect', 'generate'])('has --help with examples for %s', async (command) => {
    const io = memoryIo();
    expect(await main([command, '--help'], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^Usage: lossflow ${command}`));
    expect(io.out()).toMatch(/Examples:\n {2}lossflow /);
    const viaHelp = memoryIo();
    expect(await main(['help', command], viaHelp)).toBe(0);
    expect(viaHelp.out()).toBe(io.out());
  });

  it('lists every loss and its option flags in eval --help', async () => {
    const io = memoryIo();
    await main(['eval', '--help'], io);
    for (const name of [
      'cross-entropy',
      'bce-with-logits',
      'gaussian-nll',
      'triplet-margin-with-distance',
      'ctc',
    ]) {
      expect(io.out()).toContain(`  ${name} `);
    }
    for (const flag of [
      '--weight LIST',
      '--ignore-index N',
      '--label-smoothing X',
      '--[no-]log-input',
      '--input-lengths',
    ]) {
      expect(io.out()).toContain(flag);
    }
  });

  it('documents the output-file rules, the limits and the non-finite words in eval --help', async () => {
    const io = memoryIo();
    await main(['eval', '--help'], io);
    const help = io.out().replace(/\s+/g, ' ');
    expect(help).toContain('--threads N threads that read and compute, the main thread included: 1 to 256');
    expect(help).toContain('one of the input files (by device and inode');
    expect(help).toContain('renamed into place only when the run succeeds');
    expect(help).toContain('Past 10,000 --by groups a note goes to stderr');
    expect(help).toContain('Parquet file read from a pipe is first copied to a temporary file in TMPDIR');
    expect(help).toContain('"Infinity", "-Infinity" or "NaN"');
    expect(help).toContain('not 1e3 or 0x2');
  });

  it('rejects an unknown command with exit code 2 and a suggestion', async () => {
    const io = memoryIo();
    expect(await main(['evl'], io)).toBe(2);
    expect(io.err()).toContain("unknown command 'evl'. Did you mean 'eval'?");
    expect(io.out()).toBe('');
  });

  it('prints the version', async () => {
    const io = memoryIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints usage on stderr and exits 2 without a command', async () => {
    const io = memoryIo();
    expect(await main([], io)).toBe(2);
    expect(io.err()).toContain('Usage: lossflow <command>');
  });
});

describe('terminal behaviour', () => {
  it(
    'shows progress on a terminal stderr, colours the table, and respects NO_COLOR and --quiet',
    async () => {
      const tty = memoryIo({ tty: true });
      expect(await main(['eval', LOG, '--by', 'epoch'], tty)).toBe(0);
      expect(tty.out()).toContain('\u001b[1m');
      const noColor = memoryIo({ tty: true, env: { NO_COLOR: '1' } });
      expect(await main(['eval', LOG, '--by', 'epoch'], noColor)).toBe(0);
      expect(noColor.out()).not.toContain('\u001b[1m');
      const quiet = memoryIo({ tty: true });
      expect(await main(['eval', LOG, '-q', '--format', 'json'], quiet)).toBe(0);
      expect(quiet.err()).toBe('');
      expect(JSON.parse(quiet.out()).rows).toBe(148);
    },
    TIMEOUT,
  );

  it(
    'keeps stderr free of progress when it is not a terminal',
    async () => {
      const run = await runCli(['eval', LOG, '--by', 'epoch', '--format', 'json']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
    },
    TIMEOUT,
  );
});

describe('lossflow inspect', () => {
  it(
    'reports format, size, schema with tensor shapes, rows and batches for each format',
    async () => {
      const run = await runCli([
        'inspect',
        join(FIXTURES, 'epoch-log.arrows'),
        join(FIXTURES, 'epoch-log.arrow'),
        join(FIXTURES, 'epoch-log.parquet'),
        '--format',
        'json',
      ]);
      expect(run.code).toBe(0);
      const { files } = JSON.parse(run.stdout);
      expect(files.map((f: { format: string }) => f.format)).toEqual([
        'arrow-stream',
        'arrow-file',
        'parquet',
      ]);
      for (const f of files) {
        expect(f.rows).toBe(148);
        expect(f.batches).toBe(10);
        expect(f.bytes).toBeGreaterThan(1000);
        expect(f.columns.map((c: { name: string }) => c.name)).toEqual([
          'epoch',
          'step',
          'logits',
          'target',
          'pred',
          'y',
        ]);
        expect(f.columns[2].shape).toEqual([5]);
        expect(f.columns[0].shape).toEqual([]);
      }
      const table = await runCli(['inspect', LOG]);
      expect(table.code).toBe(0);
      expect(table.stdout).toContain('arrow-stream');
      expect(table.stdout).toMatch(/logits\s+FixedSizeList\[5\]<Float32>\s+\(rows, 5\)/);
    },
    TIMEOUT,
  );

  it(
    'says which decoder reads each Parquet column chunk and why, and warns about pages over the memory budget',
    async () => {
      const pw = createRequire(import.meta.url)('parquet-wasm') as typeof import('parquet-wasm');
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-inspect-'));
      const path = join(dir, 'mixed.parquet');
      const table = pw.readParquet(new Uint8Array(readFileSync(join(FIXTURES, 'epoch-log.parquet'))));
      const properties = new pw.WriterPropertiesBuilder()
        .setCompression(pw.Compression.ZSTD)
        .setColumnCompression('y', pw.Compression.GZIP)
        .build();
      writeFileSync(path, pw.writeParquet(table, properties));
      const run = await runCli(['inspect', path, '--format', 'json']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const { parquet } = JSON.parse(run.stdout).files[0];
      expect(parquet.memoryBudget).toBe(300_000_000);
      expect(parquet.warnings).toEqual([]);
      const chunk = (column: string) =>
        parquet.chunks.find(
          (c: { column: string; rowGroup: number }) => c.column === column && c.rowGroup === 0,
        );
      expect(chunk('logits')).toMatchObject({ codec: 'ZSTD', decoder: 'fast', reason: null });
      expect(chunk('y')).toMatchObject({ codec: 'GZIP', decoder: 'fallback', reason: 'codec GZIP' });
      expect(chunk('logits').pages).toBeGreaterThan(0);
      expect(chunk('logits').largestPage).toBeGreaterThan(0);
      // Arrow IPC has no column chunks.
      const ipc = JSON.parse((await runCli(['inspect', LOG, '--format', 'json'])).stdout);
      expect(ipc.files[0].parquet).toBeUndefined();

      const text = await runCli(['inspect', path, '--memory-budget', '0.0001']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/logits\s+ZSTD\s+fast path\s+\d+\s+\S+/);
      expect(text.stdout).toMatch(/y\s+GZIP\s+fallback: codec GZIP/);
      expect(text.stderr).toMatch(
        /^warning: .*mixed\.parquet: column 'logits', row group 0: a page of \d+ bytes is larger than the memory budget of 100 bytes/m,
      );
      expect((await runCli(['inspect', path, '--memory-budget', '-1'])).code).toBe(2);
    },
    TIMEOUT,
  );

  it(
    'fails with exit code 1 on a file that is not Arrow or Parquet',
    async () => {
      const run = await runCli(['inspect', join(FIXTURES, 'epoch-log.json')]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('BAD_MAGIC');
    },
    TIMEOUT,
  );
});

describe('lossflow generate and demo', () => {
  it(
    'generates the synthetic log in each format',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-gen-'));
      for (const [format, detected] of [
        ['arrow', 'arrow-stream'],
        ['arrow-file', 'arrow-file'],
        ['parquet', 'parquet'],
      ] as const) {
        const out = join(dir, `log.${format}`);
        const gen = await runCli([
          'generate',
          '--rows',
          '300',
          '--classes',
          '7',
          '--epochs',
          '3',
          '--format',
          format,
          '--out',
          out,
        ]);
        expect(gen.code).toBe(0);
        expect(gen.stdout).toContain(`Wrote ${out}: ${detected}, 900 rows`);
        const inspect = JSON.parse((await runCli(['inspect', out, '--format', 'json'])).stdout);
        expect(inspect.files[0]).toMatchObject({ format: detected, rows: 900 });
        expect(inspect.files[0].columns.map((c: { name: string }) => c.name)).toEqual([
          'epoch',
          'step',
          'logits',
          'target',
        ]);
      }
      const bad = await runCli(['generate', '--out', join(dir, 'x'), '--format', 'csv']);
      expect(bad.code).toBe(2);
      expect((await runCli(['generate'])).code).toBe(2);
    },
    TIMEOUT,
  );

  it(
    'runs the demo end to end: table of falling per-epoch losses and rising accuracy, a report, and no log left behind',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lossflow-demo-test-'));
      const run = await runCli(['demo', '--epochs', '3', '--rows', '5000', '--classes', '10', '--out', dir]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^epoch\s+rows\s+cross-entropy\s+accuracy$/m);
      const cells = [0, 1, 2].map(
        (e) => new RegExp(`^${e}\\s+5,000\\s+(\\S+)\\s+(\\S+)$`, 'm').exec(run.stdout)!,
      );
      const values = cells.map((c) => Number(c[1]));
      expect(values[1]!).toBeLessThan(values[0]!);
      expect(values[2]!).toBeLessThan(values[1]!);
      // Accuracy next to the loss, from the same pass: a fraction that rises as the loss falls.
      const accuracy = cells.map((c) => Number(c[2]));
      for (const a of accuracy) expect(a).toBeGreaterThanOrEqual(0);
      for (const a of accuracy) expect(a).toBeLessThanOrEqual(1);
      expect(accuracy[2]!).toBeGreaterThan(accuracy[0]!);
      expect(run.stdout).toContain(`Report: ${join(dir, 'report.html')}`);
      expect(readdirSync(dir)).toEqual(['report.html']);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      // 3 epochs in each of the two charts (the loss per batch and the running loss).
      expect(html.match(/<path class="series"/g)).toHaveLength(6);
      expect(existsSync(join(dir, 'training-log.arrows'))).toBe(false);
    },
    TIMEOUT,
  );
});
