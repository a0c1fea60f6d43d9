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
   * The file as planned (size, modification and change times, inode, a hash of its ends): a worker
   * checks it before and after computing the item. Absent in items of older coordinators.
   */
  readonly identity?: FileIdentity;
  /**
   * The nonce of the run that published the item (see `claimRunNonce`): its states are stored
   * under keys of this nonce, and a worker drops an item whose run's bucket holds another nonce
   * (the item belongs to a removed run of the same id).
   */
  readonly nonce?: string;
  /**
   * Failed deliveries (a worker's error on the item, or a worker that died computing it) before
   * the run fails naming the item; releases (a stopping worker, a server that went away) do not
   * count. Absent: every delivery counts, up to the consumer's delivery limit.
   */
  readonly maxFailures?: number;
}

/** The key of item `index`'s partial states in the run's KV bucket, under the run's `nonce`. */
export function stateKey(index: number, nonce: string): string {
  return `state.${nonce}.${index}`;
}

/**
 * The key of item `index` in the run's KV bucket when it failed for good, under the run's `nonce`
 * (`''`: an item of a coordinator of protocol 2, told its item's protocol is not the worker's under
 * the key it reads).
 */
export function failureKey(index: number, nonce: string): string {
  return nonce === '' ? `failed.${index}` : `failed.${nonce}.${index}`;
}

/**
 * What a key of the run's bucket made by {@link stateKey} or {@link failureKey} names, when it is
 * of the run with `nonce` (keys of another nonce, written by a worker of a removed run of the same
 * id, are not this run's); undefined otherwise.
 */
export function itemKeyOf(
  key: string,
  nonce: string,
): { readonly kind: 'state' | 'failed'; readonly index: number } | undefined {
  const [kind, keyNonce, index, ...rest] = key.split('.');
  if ((kind !== 'state' && kind !== 'failed') || keyNonce !== nonce || rest.length > 0) return undefined;
  const n = Number(index);
  return Number.isInteger(n) && n >= 0 ? { kind, index: n } : undefined;
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
  /**
   * Status change time in nanoseconds, as decimal text: every write (and chmod, chown, a new hard
   * link, setting the times) updates it, and no tool sets it back (`touch -d`, `rsync -a` and
   * `cp -p` restore the modification time only), so a rewrite in place that kept the size and
   * the modification time still shows.
   */
  readonly ctimeNs: string;
  /** The inode number, as decimal text: a file replaced by another (a rename over it) shows. */
  readonly ino: string;
  /** SHA-256 (hex) of the first and last 64 KiB: a cheap content check beside size and time. */
  readonly edges: string;
}
