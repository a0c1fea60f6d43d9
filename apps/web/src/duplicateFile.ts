/**
 * Why a list of chosen files cannot be evaluated because one of them comes twice, worded as
 * `lossflow eval` words it (its rows would be counted twice), or undefined. The page cannot see
 * paths, so a file is the same when its name, size and modification time are.
 *
 * @example
 * duplicateFile([a, a]); // "log.arrows is given twice (as log.arrows); its rows would be counted twice. Name each file once."
 */
export function duplicateFile(files: readonly File[]): string | undefined {
  const seen = new Set<string>();
  for (const file of files) {
    const id = `${file.name}\u0000${file.size}\u0000${file.lastModified}`;
    if (seen.has(id))
      return `${file.name} is given twice (as ${file.name}); its rows would be counted twice. Name each file once.`;
    seen.add(id);
  }
  return undefined;
}
