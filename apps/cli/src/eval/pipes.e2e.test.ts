/**
 * A log on a pipe (`cat log | lossflow … /dev/stdin`) can be read once: inspect, --per-row and
 * --report must open it once, for each of the three formats.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile as readBatches } from '@lossflow/arrow/node';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES } from '../testing/runCli.js';

const TIMEOUT = 60_000;

/** Runs `cat FILE | node bin.js ...args` and collects its output. */
function piped(
  file: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const quoted = args.map((a) => `'${a}'`).join(' ');
    const child = spawn('bash', ['-c', `cat '${file}' | '${process.execPath}' '${BIN}' ${quoted}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(['epoch-log.arrows', 'epoch-log.arrow', 'epoch-log.parquet'])('%s on a pipe', (name) => {
  const file = join(FIXTURES, name);

  it(
    'inspect reads it once: rows, batches and columns',
    async () => {
      const run = await piped(file, ['inspect', '/dev/stdin', '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const [summary] = (
        JSON.parse(run.stdout) as { files: { rows: number; batches: number; columns: unknown[] }[] }
      ).files;
      expect(summary).toMatchObject({ rows: 148, batches: 10 });
      expect(summary!.columns).toHaveLength(6);
    },
    TIMEOUT,
  );

  it(
    'eval --per-row reads it once and writes every row',
    async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'lossflow-pipe-')), 'rows.arrows');
      const run = await piped(file, ['eval', '/dev/stdin', '--per-row', out, '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { rows: number }).rows).toBe(148);
      let rows = 0;
      for await (const b of readBatches(out)) rows += b.numRows;
      expect(rows).toBe(148);
    },
    TIMEOUT,
  );

  it(
    'eval --report reads it once and writes the report',
    async () => {
      const report = join(mkdtempSync(join(tmpdir(), 'lossflow-pipe-')), 'r.html');
      const run = await piped(file, ['eval', '/dev/stdin', '--report', report, '--format', 'json']);
      expect(run.stderr).toBe(`Report written to ${report}\n`);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { rows: number }).rows).toBe(148);
      expect(existsSync(report)).toBe(true);
      expect(readFileSync(report, 'utf8')).toContain('<svg class="chart"');
    },
    TIMEOUT,
  );
});
