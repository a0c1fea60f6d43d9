/** The flags only metrics take (besides `--ignore-index`, `--weight`, `--input`, `--target`). */
export const METRIC_OPTION_FLAGS: Readonly<
  Record<string, { key: string; kind: 'integer' | 'number' | 'string' }>
> = {
  k: { key: 'k', kind: 'integer' },
  average: { key: 'average', kind: 'string' },
  'n-bins': { key: 'nBins', kind: 'integer' },
  norm: { key: 'norm', kind: 'string' },
  thresholds: { key: 'thresholds', kind: 'integer' },
  grid: { key: 'grid', kind: 'string' },
  threshold: { key: 'threshold', kind: 'number' },
  scores: { key: 'scores', kind: 'string' },
  multilabel: { key: 'multilabel', kind: 'string' },
  multioutput: { key: 'multioutput', kind: 'string' },
};
