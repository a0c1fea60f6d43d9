/**
 * Whether an eval command line reads a live run (`--subject` given) rather than files. A plain scan,
 * so `lossflow eval FILE` loads nothing of NATS.
 */
export function isLiveEval(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--subject' || a.startsWith('--subject=')) return true;
  }
  return false;
}
