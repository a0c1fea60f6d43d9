/**
 * The JSDoc examples of `@lossflow/rx` say where `fromFile` comes from: the root is universal, so
 * `fromFile` (and the rest of the Node entry) is imported from `@lossflow/rx/node`, never from
 * `@lossflow/rx` — an example that copied as written would otherwise fail to import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each `@example` of each JSDoc comment in `text`, its lines without the leading ` * `. */
function examples(text: string): string[] {
  return [...text.matchAll(/\/\*\*([\s\S]*?)\*\//g)].flatMap(([, body = '']) => {
    const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const found: string[] = [];
    let current: string[] | undefined;
    for (const line of lines) {
      if (line.startsWith('@')) {
        if (current !== undefined) found.push(current.join('\n').trim());
        current = line.startsWith('@example') ? [] : undefined;
      } else current?.push(line);
    }
    if (current !== undefined) found.push(current.join('\n').trim());
    return found;
  });
}

/** The names of the Node entry, which the universal root does not export. */
const NODE_ONLY = ['fromFile', 'FileBatches', 'prestartLossWorkers'];

/** What is wrong with the imports of one example, or `[]`. */
function exampleProblems(example: string): string[] {
  const problems: string[] = [];
  const fromRoot = [
    ...example.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@lossflow\/rx'/g),
    ...example.matchAll(/\{([^}]*)\}\s*=\s*await import\('@lossflow\/rx'\)/g),
  ].flatMap(([, names = '']) => names.split(',').map((n) => n.trim()));
  for (const name of NODE_ONLY)
    if (fromRoot.includes(name)) problems.push(`imports ${name} from @lossflow/rx, not @lossflow/rx/node`);
  const fromNode = /\bfromFile\b[^}]*\}\s*(?:from\s*|=\s*await import\()'@lossflow\/rx\/node'/.test(example);
  if (/\bfromFile\(/.test(example) && !fromNode)
    problems.push('calls fromFile without importing it from @lossflow/rx/node');
  return problems;
}

describe('the JSDoc examples', () => {
  it('import fromFile from @lossflow/rx/node wherever they call it, and nothing Node-only from the root', () => {
    const problems = sources(root).flatMap((file) =>
      examples(readFileSync(file, 'utf8')).flatMap((e) =>
        exampleProblems(e).map((p) => `${relative(root, file)}: ${p}`),
      ),
    );
    expect(problems).toEqual([]);
  });

  it('are found and checked (an example as the generated operators had it fails)', () => {
    const old =
      "/**\n * Doc.\n *\n * @example\n * fromFile('log.arrow').pipe(mseLoss(), reduce('mean'));\n */";
    expect(examples(old)).toEqual(["fromFile('log.arrow').pipe(mseLoss(), reduce('mean'));"]);
    expect(exampleProblems(examples(old)[0]!)).toEqual([
      'calls fromFile without importing it from @lossflow/rx/node',
    ]);
    expect(
      exampleProblems("const { fromFile, reduce } = await import('@lossflow/rx');\nfromFile('x')"),
    ).toEqual([
      'imports fromFile from @lossflow/rx, not @lossflow/rx/node',
      'calls fromFile without importing it from @lossflow/rx/node',
    ]);
    expect(
      exampleProblems(
        "import { reduce } from '@lossflow/rx';\nimport { fromFile } from '@lossflow/rx/node';\nfromFile('x')",
      ),
    ).toEqual([]);
  });
});
