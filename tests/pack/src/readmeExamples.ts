import { readFileSync } from 'node:fs';

/** The line that marks the fenced block after it as an example the pack test runs as written. */
export const EXAMPLE_MARKER = '<!-- example: tests/pack runs this block as written -->';

/** A marked code block of a README. */
export interface ReadmeExample {
  /** The fence's language: `ts` blocks are type-checked and run with node, `sh` blocks with bash. */
  language: 'ts' | 'sh';
  code: string;
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
}

/**
 * Every marked block of a README. A marker not followed by a `ts` or `sh` fence throws, so a
 * README edit cannot quietly turn an example into one that is never run.
 */
export function readmeExamples(path: string): ReadmeExample[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const examples: ReadmeExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== EXAMPLE_MARKER) continue;
    const fence = /^```(ts|sh)\s*$/.exec(lines[i + 1] ?? '');
    if (!fence)
      throw new Error(
        `${path}:${i + 2}: the example marker must be followed by a \`\`\`ts or \`\`\`sh fence`,
      );
    const end = lines.indexOf('```', i + 2);
    if (end < 0) throw new Error(`${path}:${i + 2}: the example's fence is never closed`);
    examples.push({
      language: fence[1] as 'ts' | 'sh',
      code: lines.slice(i + 2, end).join('\n'),
      line: i + 2,
    });
    i = end;
  }
  return examples;
}
