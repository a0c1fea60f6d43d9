import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_MARKER, readmeExamples } from './readmeExamples.js';

function readme(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lossflow-readme-')), 'README.md');
  writeFileSync(path, text);
  return path;
}

describe('readmeExamples', () => {
  it('takes only the blocks after the marker, with their language and line', () => {
    const path = readme(
      [
        '# x',
        '```ts',
        'skipped();',
        '```',
        EXAMPLE_MARKER,
        '```ts',
        'run();',
        'again();',
        '```',
        '',
        EXAMPLE_MARKER,
        '```sh',
        'lossflow --version',
        '```',
      ].join('\n'),
    );
    expect(readmeExamples(path)).toEqual([
      { language: 'ts', code: 'run();\nagain();', line: 6 },
      { language: 'sh', code: 'lossflow --version', line: 12 },
    ]);
  });

  it('refuses a marker that is not followed by a runnable fence', () => {
    expect(() => readmeExamples(readme(`${EXAMPLE_MARKER}\n\n\`\`\`ts\nx();\n\`\`\`\n`))).toThrow(
      /must be followed/,
    );
    expect(() => readmeExamples(readme(`${EXAMPLE_MARKER}\n\`\`\`json\n{}\n\`\`\`\n`))).toThrow(
      /must be followed/,
    );
    expect(() => readmeExamples(readme(`${EXAMPLE_MARKER}\n\`\`\`ts\nx();\n`))).toThrow(/never closed/);
  });
});
