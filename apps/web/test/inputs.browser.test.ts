/**
 * What the page says about the files it is given, word for word as `lossflow eval` says it: a
 * file chosen twice, a shape that changes from one file to the next (batches numbered per file,
 * with where the earlier shape was seen), a file that does not open (no batch, Evaluate
 * disabled), and column names that are data, not markup (a string column refused as a key).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Float64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliFailure, type PageHarness, runFiles, startHarness } from './pageHarness.js';

const OUT = fileURLToPath(new URL('../test-output/', import.meta.url));
let dir: string;
let harness: PageHarness;
const ODD = 'odd"col<b>';

/** What the CLI says on stderr for `args` (run in the files' folder), without its prefix and ending. */
function cliSays(args: readonly string[]): string {
  const said = cliFailure(args, dir);
  if (said === '') throw new Error(`lossflow ${args.join(' ')} did not fail`);
  return said
    .replace(/^lossflow eval: /, '')
    .replace(/ (No result was written\.|Run 'lossflow eval --help' for usage\.)$/, '');
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'lossflow-web-inputs-'));
  for (const [name, classes] of [
    ['a.arrows', '7'],
    ['b.arrows', '4'],
  ] as const)
    cli([
      'generate',
      '--rows',
      '600',
      '--classes',
      classes,
      '--epochs',
      '2',
      '--batch-rows',
      '250',
      '--out',
      join(dir, name),
      '-q',
    ]);
  cli([
    'generate',
    '--rows',
    '600',
    '--classes',
    '4',
    '--epochs',
    '1',
    '--format',
    'arrow-file',
    '--out',
    join(dir, 'f.arrow'),
    '-q',
  ]);
  const whole = readFileSync(join(dir, 'f.arrow'));
  writeFileSync(join(dir, 'cut.arrow'), whole.subarray(0, whole.length - 100));
  const rows = 50;
  const table = new Table({
    input: vectorFromArray(
      Array.from({ length: rows }, (_, i) => i / 10),
      new Float64(),
    ),
    target: vectorFromArray(
      Array.from({ length: rows }, (_, i) => i / 9),
      new Float64(),
    ),
    [ODD]: vectorFromArray(
      Array.from({ length: rows }, (_, i) => `k${i % 3}`),
      new Utf8(),
    ),
  });
  writeFileSync(join(dir, 'strings.arrows'), tableToIPC(table, 'stream'));
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

describe('the files given to the page', () => {
  it('refuses a file chosen twice, as the CLI does, before anything runs', async () => {
    const { page } = await harness.open(1280, 900);
    await page.setInputFiles('#files', [join(dir, 'a.arrows'), join(dir, 'a.arrows')]);
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await page.textContent('#error')).toBe(cliSays(['eval', 'a.arrows', 'a.arrows']));
    expect(await page.isDisabled('#start')).toBe(true);
    await page.context().close();
  });

  it('numbers batches per file and names where the earlier shape was, as the CLI does', async () => {
    const { page } = await harness.open(1280, 900);
    const said = await runFiles(page, [join(dir, 'a.arrows'), join(dir, 'b.arrows')]);
    const cliMessage = cliSays(['eval', 'a.arrows', 'b.arrows', '--by', 'epoch']);
    expect(cliMessage).toMatch(
      /\(file 'b\.arrows', batch 0, column 'logits', the earlier shape from file 'a\.arrows', batch 0\)/,
    );
    expect(said).toBe(`error: ${cliMessage}`);
    expect(await page.locator('#epochs tbody tr').count()).toBe(0);
    await page.context().close();
  });

  it('shows a file that does not open in the run’s words, with no batch, and does not evaluate it', async () => {
    const { page } = await harness.open(420, 900);
    await page.setInputFiles('#files', [join(dir, 'cut.arrow')]);
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    const cliMessage = cliSays(['eval', 'cut.arrow', '--by', 'epoch']);
    expect(cliMessage).toMatch(/^cannot read the data \(file 'cut\.arrow'\): .*\[TRUNCATED\]/);
    expect(await page.textContent('#error')).toBe(cliMessage);
    expect(await page.isDisabled('#start')).toBe(true);
    await page.screenshot({ path: join(OUT, 'narrow-open-error.png'), fullPage: true });
    await page.context().close();
  });

  it('lists column names as text, and refuses a string column as the key in the CLI’s words', async () => {
    const { page, problems } = await harness.open(1280, 900);
    await page.setInputFiles('#files', [join(dir, 'strings.arrows')]);
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    expect(
      await page.locator('#col-by option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['', 'input', 'target', ODD]);
    expect(await page.locator('#columns b').count()).toBe(0);
    expect(await page.textContent('#status')).toContain(`${ODD} (Utf8)`);
    await page.check('input[value="mseLoss"]');
    await page.uncheck('input[value="crossEntropy"]');
    await page.selectOption('#col-by', ODD);
    const said = await runFiles(page, undefined);
    expect(said).toBe(`error: ${cliSays(['eval', 'strings.arrows', '--loss', 'mse', '--by', ODD])}`);
    expect(said).toContain('[BAD_COLUMN_TYPE]');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
