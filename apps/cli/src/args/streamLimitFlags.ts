import { UsageError } from '../errors/UsageError.js';

const SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Milliseconds of a `--max-age` value: a positive number with a unit `s`, `m`, `h` or `d`
 * (`90s`, `36h`, `7d`), or plain seconds.
 *
 * @throws {UsageError} for anything else, naming the flag
 */
export function durationMs(text: string, flag: string, command: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(text.trim());
  const ms =
    match === null ? Number.NaN : Number(match[1]) * (SECONDS[(match[2] || 's').toLowerCase()] ?? 0) * 1000;
  if (!Number.isFinite(ms) || ms < 1000) {
    throw new UsageError(
      `${flag} takes a duration of at least 1s, like 90s, 30m, 36h or 7d (got '${text}').`,
      command,
    );
  }
  return Math.round(ms);
}

/**
 * Bytes of a `--max-bytes` value: a positive number with an optional unit, decimal (`KB`, `MB`,
 * `GB`, `TB`) or binary (`KiB`, `MiB`, `GiB`, `TiB`), or plain bytes.
 *
 * @throws {UsageError} for anything else, naming the flag
 */
export function byteSize(text: string, flag: string, command: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(text.trim());
  const bytes =
    match === null ? Number.NaN : Number(match[1]) * (BYTES[(match[2] ?? 'b').toLowerCase()] ?? 0);
  if (!Number.isSafeInteger(Math.round(bytes)) || bytes < 1) {
    throw new UsageError(
      `${flag} takes a size like 512MB, 2GiB or a number of bytes (got '${text}').`,
      command,
    );
  }
  return Math.round(bytes);
}
