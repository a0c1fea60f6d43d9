/**
 * How `readFile` follows a growing Arrow IPC stream file (`tail -f`), e.g. a log a training job
 * is still appending to.
 */
export interface FollowOptions {
  /** How often to look for new bytes at the file's current end, in milliseconds (default 100). */
  readonly pollMs?: number;
  /**
   * Aborting stops following: reading then ends at the bytes read so far, as if the file ended
   * there (a message cut short is `TRUNCATED`, as in any stream that ends inside one).
   */
  readonly stop?: AbortSignal;
}
