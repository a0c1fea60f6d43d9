import { LOSSES as CORE_LOSSES, type LossDescriptor, type StateReduction } from '@lossflow/core';

/** One `@lossflow/core` loss as the CLI offers it: a view of its registry entry (`LossDescriptor`). */
export interface LossEntry {
  /** The kebab-case name users type (`cross-entropy`); also the name in every output. */
  readonly name: string;
  /** The `@lossflow/core` function, which is also the `@lossflow/rx` operator's name. */
  readonly core: string;
  /** Tensor arguments in call order; each is read from a column (`--input`, `--var`, …). */
  readonly roles: readonly string[];
  /** Default column of each role that has one (`inputLengths` → `input_lengths`); `input` and `target` are auto-detected. */
  readonly columns: Readonly<Record<string, string>>;
  /** Core option keys this loss takes besides `reduction`. */
  readonly options: readonly string[];
  /** Reductions a stream of this loss can be finalized with. */
  readonly reductions: readonly StateReduction[];
  /** One line for `--help`. */
  readonly summary: string;
  /** The loss's registry entry, everything else derives from. */
  readonly descriptor: LossDescriptor;
}

function entryOf(d: LossDescriptor): LossEntry {
  return {
    name: d.cliName,
    core: d.name,
    roles: d.roles.map((r) => r.name),
    columns: Object.fromEntries(d.roles.flatMap((r) => (r.column === undefined ? [] : [[r.name, r.column]]))),
    options: d.optionKeys.filter((k) => k !== 'reduction'),
    reductions: d.reductions,
    summary: d.summary,
    descriptor: d,
  };
}

/** Every loss of `@lossflow/core`, in the order `--help` lists them (the registry's). */
export const LOSSES: readonly LossEntry[] = CORE_LOSSES.map(entryOf);

/** `crossEntropy` → `cross-entropy`; `nll_loss` → `nll-loss`; `MSELoss` → `mse-loss`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
}

const byName = new Map<string, LossEntry>();
for (const e of LOSSES) {
  // The kebab core name (`mse-loss`, `binary-cross-entropy`) and torch's class and function names
  // (`MSELoss` → `mse-loss`, `MultiLabelMarginLoss` → `multi-label-margin`, `cross_entropy`) are
  // accepted too, so people can type what they know.
  const torchClass = kebabCase(e.descriptor.torch.module);
  const aliases = [
    e.name,
    `${e.name}-loss`,
    kebabCase(e.core),
    torchClass,
    torchClass.replace(/-loss$/, ''),
    kebabCase(e.descriptor.torch.functional),
  ];
  for (const alias of aliases) byName.set(alias, e);
}

/** Every name `--loss` accepts: the kebab names and their aliases. */
export function lossNames(): string[] {
  return [...byName.keys()];
}

/**
 * The loss a user named: its kebab name, the kebab form of its core function (`mse-loss`), or
 * torch's spelling (`MSELoss`, `cross_entropy`, `crossEntropy`). Undefined when unknown.
 */
export function findLoss(name: string): LossEntry | undefined {
  return byName.get(kebabCase(name.trim()));
}
