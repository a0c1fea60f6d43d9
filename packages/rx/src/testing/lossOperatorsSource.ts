/**
 * Test-only: the source of `src/operators/lossOperators.ts`, generated from `@lossflow/core`'s
 * loss registry. `operators/lossOperators.test.ts` fails when the checked-in file differs, and
 * rewrites it when run with `LOSSFLOW_WRITE_GENERATED=1`.
 */
import type { LossDescriptor } from '@lossflow/core';

/** The command that rewrites the generated file (from `packages/rx`). */
export const REGENERATE = 'LOSSFLOW_WRITE_GENERATED=1 npx vitest run src/operators/lossOperators.test.ts';

const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const code = (s: string) => `\`${s}\``;

function literal(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

/** A one-line example: the operator with its first non-default column and its first option with a default. */
function example(d: LossDescriptor, shorthand: string | undefined): string {
  const parts: string[] = [];
  const role = d.roles.find((r) => r.column !== undefined);
  if (role !== undefined) parts.push(`${role.name}: ${literal(role.column)}`);
  else parts.push("input: 'logits'");
  const key = Object.keys(d.options).find((k) => k !== 'reduction' && d.options[k]?.default !== undefined);
  if (key !== undefined) parts.push(`${key}: ${literal(d.options[key]!.default)}`);
  const reduction = d.reductions.includes('batchmean') ? 'batchmean' : 'mean';
  const call = `${d.name}({ ${parts.join(', ')} })`;
  // fromFile is in the Node entry (the root is universal): the example says where each name comes from.
  const lines = [
    "import { fromFile } from '@lossflow/rx/node';",
    `import { ${d.name}, reduce } from '@lossflow/rx';`,
    '',
    `fromFile('log.arrow').pipe(${call}, reduce('${reduction}'));`,
  ];
  if (shorthand !== undefined)
    lines.push(`fromFile('log.arrow').pipe(${d.name}([1, 2, 0.5]), reduce('mean'));`);
  return lines.map((l) => (l === '' ? ' *' : ` * ${l}`)).join('\n');
}

function operatorSource(d: LossDescriptor): string {
  const type = `${upper(d.name)}OperatorOptions`;
  const shorthand = Object.keys(d.options).find((k) => d.options[k]?.shorthand === true);
  const roles = d.roles.map((r) => code(r.name)).join(', ');
  const columns = d.roles.map(
    (r) =>
      ` * - ${code(r.name)} (column ${r.column === undefined ? 'auto-detected' : code(r.column)}): ${r.shape}; ${r.dtype === 'either' ? 'floats or integers' : r.dtype === 'int' ? 'integers' : 'floats'}.`,
  );
  const alone =
    shorthand === undefined
      ? []
      : [` * The ${code(shorthand)} alone is accepted as the options: ${code(`${d.name}(${shorthand})`)}.`];
  const param = shorthand === undefined ? type : `${type} | TensorInput`;
  const signature = `export function ${d.name}(options: ${param} = {}): OperatorFunction<RecordBatch, LossChunk> {`;
  const header =
    signature.length <= 110
      ? signature
      : `export function ${d.name}(\n  options: ${param} = {},\n): OperatorFunction<RecordBatch, LossChunk> {`;
  return [
    `/** Options of the {@link ${d.name}} operator: \`@lossflow/core\`'s options but \`reduction\`, the columns (${roles}) and the stream options. */`,
    `export type ${type} = OperatorOptionsOf<'${d.name}'>;`,
    '',
    '/**',
    ` * ${upper(d.summary)} (${code(`torch.nn.${d.torch.module}`)}), row by row of each record batch. Columns:`,
    ...columns,
    ...alone,
    ' *',
    ' * @example',
    example(d, shorthand),
    ' */',
    header,
    // The factory takes the shorthand value too (see operatorOf); its type names the options only.
    `  return operatorOf('${d.name}')(options${shorthand === undefined ? '' : ` as ${type}`});`,
    '}',
  ].join('\n');
}

/**
 * The generated module: one documented operator per loss of `losses`, each `operatorOf` its
 * registry entry, with its options type.
 *
 * @example
 * expect(readFileSync(path, 'utf8')).toBe(lossOperatorsSource(LOSSES));
 */
export function lossOperatorsSource(losses: readonly LossDescriptor[]): string {
  const sorted = [...losses].sort((a, b) => (a.name < b.name ? -1 : 1));
  const anyShorthand = losses.some((d) => Object.values(d.options).some((o) => o.shorthand === true));
  return [
    `// Generated from @lossflow/core's loss registry (LOSSES): do not edit. Regenerate from packages/rx with`,
    `// ${REGENERATE}`,
    ...(anyShorthand ? ["import type { TensorInput } from '@lossflow/core';"] : []),
    "import type { RecordBatch } from 'apache-arrow';",
    "import type { OperatorFunction } from 'rxjs';",
    "import type { LossChunk } from '../chunks/LossChunk.js';",
    "import { type OperatorOptionsOf, operatorOf } from './operatorOf.js';",
    '',
    sorted.map(operatorSource).join('\n\n'),
    '',
  ].join('\n');
}
