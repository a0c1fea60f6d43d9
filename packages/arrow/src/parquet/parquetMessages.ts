/** What the Parquet worker thread (`parquetWorker.ts`) is started with. */
export interface ParquetWorkerData {
  /**
   * A regular file, as the reading thread's descriptor of it (descriptors are process-wide), and
   * its size; the reading thread keeps it open until this worker has ended. Never a path: a file
   * renamed over the path meanwhile must not be read. Or …
   */
  fd?: number;
  size?: number;
  /** … the whole file in memory. */
  bytes?: Uint8Array;
  /**
   * Shared with the reading thread: 1 + the id of the request being handled, 0 between requests,
   * so a trap that ends the thread is pinned on its row group whatever replies are on their way.
   */
  running?: Int32Array;
}

/** Requests from the reading thread. */
export type ParquetRequest =
  | { id: number; type: 'open' }
  | { id: number; type: 'read'; rowGroup: number; columns?: string[]; limit?: number; batchSize: number };

/** Replies to the reading thread; `bytesRead` counts the file bytes the decoder has pulled so far. */
export type ParquetReply =
  | {
      id: number;
      type: 'opened';
      schema: Uint8Array;
      rowGroups: number[];
      /** Column chunks whose codec the decoder lacks: [row group, column path, codec name]. */
      unsupported: [number, string, string][];
      bytesRead: number;
    }
  | { id: number; type: 'rowGroup'; ipc: Uint8Array; bytesRead: number }
  | { id: number; type: 'error'; message: string; bytesRead: number };
