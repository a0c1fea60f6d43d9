/** The file name endings a folder or a `**` glob picks up: Arrow IPC (file and stream), Feather, Parquet. */
export const LOG_FILE_EXTENSIONS: readonly string[] = ['.arrow', '.arrows', '.feather', '.parquet'];

/** Whether a file name ends in one of {@link LOG_FILE_EXTENSIONS} (any case). */
export function isLogFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return LOG_FILE_EXTENSIONS.some((e) => lower.endsWith(e));
}
