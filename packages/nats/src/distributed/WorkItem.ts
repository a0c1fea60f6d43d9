/**
 * One unit of a distributed run: a part of one file (whole Arrow IPC batches, or whole Parquet row
 * groups; see `fileParts` of `@lossflow/arrow/node`), and what to compute over it. Items are
 * numbered in the order the local evaluation reads their batches, and their results are merged in
 * that order.
 */
export interface WorkItem {
  /** Protocol version of the item (see `NATS_PROTOCOL_VERSION`). */
  readonly v: number;
  readonly run: string;
  /** 0-based position in the run: the merge order. */
  readonly index: number;
  /** The file as every worker reads it (an absolute path on a shared filesystem). */
  readonly path: string;
  /** The file's format (its part counts batches, or Parquet row groups). */
  readonly format: 'arrow-stream' | 'arrow-file' | 'parquet';
  /** Index of the file among the run's files. */
  readonly file: number;
  /**
   * Arrow IPC batches (non-empty ones) or Parquet row groups `first` ≤ i < `end` of the file, and
   * where its IPC headers start (`seek`, see `fileParts`).
   */
  readonly part: { readonly first: number; readonly end: number; readonly seek?: number };
  /** Rows of the part (for progress; pieces of a part cut by `maxUnits` share its rows evenly). */
  readonly rows: number;
  readonly bytes: number;
  /**
   * Read at most this many rows of the part (a run's row limit ends inside this item; every item
   * after it is left out). Absent: the whole part.
   */
  readonly limit?: number;
  /** What to compute, as the coordinator's caller defined it (the CLI: its eval arguments). */
  readonly spec: unknown;
  /**
   * What the coordinator's caller knows of this item's file that a worker cannot see from the
   * file itself (the CLI: the file's name as its outputs show it and its Hive partition values,
   * the key columns of `--by file` and partition keys). Absent when there is nothing.
   */
  readonly fileSpec?: unknown;
  /**
   * The file as planned (size, modification time, a hash of its ends): a worker checks it before
   * computing the item. Absent in items of older coordinators.
   */
  readonly identity?: FileIdentity;
}

/** The item key of item `index` in the run's KV bucket: its partial states. */
export function stateKey(index: number): string {
  return `state.${index}`;
}

/** The key of item `index` in the run's KV bucket when it failed on its last delivery. */
export function failureKey(index: number): string {
  return `failed.${index}`;
}

/**
 * What a file was when its run was planned: a worker that sees something else at the same path
 * (another machine's copy, a file rewritten or cut since) must not compute the item, or the
 * merged result would silently mix contents.
 */
export interface FileIdentity {
  readonly size: number;
  /** Modification time in nanoseconds, as decimal text (JSON has no 64-bit integers). */
  readonly mtimeNs: string;
  /** SHA-256 (hex) of the first and last 64 KiB: a cheap content check beside size and time. */
  readonly edges: string;
}
