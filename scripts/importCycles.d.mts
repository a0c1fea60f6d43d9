/**
 * The import cycles among the non-test source files under `srcDir` (`testing/` and `*.test.ts`
 * left out): `files`, cycles between files; `folders`, cycles between the top-level folders (a
 * file at the top level counts as its own node). Paths are relative to `srcDir`, with `/`.
 */
export function importCycles(srcDir: string): { files: string[][]; folders: string[][] };
