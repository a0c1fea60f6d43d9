import type { MetricDescriptor } from '@lossflow/core';

/** One `--metric` with its options and columns, as `lossflow eval` parsed it. */
export interface MetricSelection {
  readonly entry: MetricDescriptor;
  /** Core options given on the command line (camelCase keys), as reported in the JSON output. */
  readonly options: Readonly<Record<string, unknown>>;
  /** `--input` / `--target` given after the `--metric`; otherwise auto-detected. */
  readonly columns: Readonly<Record<string, string>>;
}
