/**
 * Arguments as a POSIX shell command line, quoting only what needs it, for showing in a report
 * how a run can be repeated.
 *
 * @example
 * commandLine(['lossflow', 'eval', 'my log.arrow']); // "lossflow eval 'my log.arrow'"
 */
export function commandLine(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
