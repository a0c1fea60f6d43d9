/**
 * Every source file `entry` loads when evaluated (value imports followed through relative
 * specifiers; type-only imports and `import()` left out), as `file:` URLs, and every bare
 * specifier those files import, both sorted.
 */
export function staticImports(entry: URL): { files: string[]; packages: string[] };
