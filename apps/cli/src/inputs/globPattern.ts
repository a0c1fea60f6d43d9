/**
 * Whether an argument is a glob pattern lossflow expands itself (a quoted pattern, or one from a
 * shell that does not expand them, such as Windows' cmd): it holds `*`, `?` or a `[…]` class.
 */
export function isGlob(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/**
 * One path segment's pattern as a regular expression: `*` any run of characters but `/`, `?` one
 * character, `[abc]`/`[a-z]`/`[!a]` a class. A name starting with `.` or `_` (hidden files,
 * Spark's `_SUCCESS`, `_temporary`) is matched only by a pattern that itself starts with that
 * character, so `*` skips them as a folder argument does (shells skip only `.` names).
 */
export function segmentMatcher(segment: string): RegExp {
  let re = segment.startsWith('.') || segment.startsWith('_') ? '' : '(?![._])';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
